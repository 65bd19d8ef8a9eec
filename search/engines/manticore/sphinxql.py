"""Talking SphinxQL (the MySQL protocol) to searchd nodes with PyMySQL.

``Settings`` says where the nodes are; ``Node`` keeps one connection per thread to one node and
turns what can go wrong into the product's errors: a node that cannot be reached is
``SearchUnavailable`` (a 503 page that says so), a query searchd refuses is ``BadRequest``.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

import pymysql

from search import config
from search.engines.manticore.nodes import Address
from search.errors import BadRequest, SearchUnavailable

QUERY_ERRORS = (1064,)  # ER_PARSE_ERROR: searchd's answer to a query it cannot run, or could not reach its agents
# How a head node says that none of its data nodes answered (else: the query itself was refused).
AGENT_FAILURES = re.compile(r"agent [^:]+:\d+: (connect\(\) failed|connect\(\) timed out|query timed out|"
                            r"receive error|send error|.*?(refused|reset|unreachable))")


@dataclass(frozen=True)
class Settings:
    """Where the Manticore/Sphinx nodes are (ARCHIVE_MANTICORE_* settings)."""

    head: Address  # the node the web workers query: a distributed index over the data nodes
    data_nodes: tuple[Address, ...]  # the nodes holding the articles (the loader writes to them)
    prefix: str = "articles"
    timeout: float = 10.0  # seconds, to connect and to answer

    @classmethod
    def from_config(cls, environ: dict | None = None) -> Settings:
        head = Address(config.get("MANTICORE_HOST", environ), config.get_int("MANTICORE_PORT", environ, high=65535))
        nodes = tuple(Address.parse(text) for text in config.get("MANTICORE_NODES", environ).split())
        prefix = config.get("MANTICORE_INDEX", environ)
        if not prefix.isidentifier():
            raise ValueError(f"ARCHIVE_MANTICORE_INDEX must be a name of letters, digits and _, not {prefix!r}")
        return cls(head=head, data_nodes=nodes or (head,), prefix=prefix,
                   timeout=float(config.get_int("MANTICORE_TIMEOUT", environ, high=3600)))


class Node:
    """One searchd node; ``query`` and ``execute`` use this thread's connection, opened on first use."""

    def __init__(self, address: Address, timeout: float = 10.0):
        self.address = address
        self.timeout = timeout
        self._local = threading.local()
        self._all: list = []
        self._lock = threading.Lock()

    def _connection(self):
        connection = getattr(self._local, "connection", None)
        if connection is None:
            try:
                connection = pymysql.connect(
                    host=self.address.host, port=self.address.port, autocommit=True, charset="utf8",
                    connect_timeout=self.timeout, read_timeout=self.timeout, write_timeout=self.timeout,
                )
            except pymysql.err.OperationalError as exc:
                raise SearchUnavailable(f"the search node {self.address} cannot be reached ({exc.args[-1]})") from exc
            self._local.connection = connection
            with self._lock:
                self._all.append(connection)
        return connection

    def _drop(self) -> None:
        connection = getattr(self._local, "connection", None)
        self._local.connection = None
        if connection is not None:
            try:
                connection.close()
            except Exception:  # noqa: BLE001 - it is being thrown away
                pass

    def results(self, statements: list[tuple[str, tuple]]) -> list[list[tuple]]:
        """Run ``statements`` (SQL, parameters) in order on this thread's connection; return their rows.

        A broken connection (searchd restarted) is opened again once before giving up."""
        for attempt in (1, 2):
            connection = self._connection()
            try:
                rows = []
                with connection.cursor() as cursor:
                    for sql, params in statements:
                        cursor.execute(sql, params or None)
                        rows.append(list(cursor.fetchall()))
                return rows
            except (pymysql.err.ProgrammingError, pymysql.err.OperationalError) as exc:
                code = exc.args[0] if exc.args else 0
                message = _searchd_message(exc)
                if code in QUERY_ERRORS and AGENT_FAILURES.search(message):
                    raise SearchUnavailable(f"no search node answered ({message})") from exc
                if code in QUERY_ERRORS or isinstance(exc, pymysql.err.ProgrammingError):
                    raise BadRequest(message) from exc
                self._drop()
                if attempt == 2 or code not in (2006, 2013, 0):  # gone away / lost: try a new connection once
                    raise SearchUnavailable(f"the search node {self.address} did not answer ({message})") from exc
            except (pymysql.err.InterfaceError, OSError) as exc:
                self._drop()
                if attempt == 2:
                    raise SearchUnavailable(f"the search node {self.address} did not answer ({exc})") from exc
        raise AssertionError("unreachable")

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        return self.results([(sql, params)])[0]

    def close(self) -> None:
        with self._lock:
            connections, self._all = self._all, []
        for connection in connections:
            try:
                connection.close()
            except Exception:  # noqa: BLE001
                pass
        self._local = threading.local()


def _searchd_message(exc: Exception) -> str:
    text = str(exc.args[-1] if exc.args else exc).rstrip("\x00").strip()
    return text[:300]


def in_list(values) -> str:
    """``(1,2,3)`` for a list of integers (never strings: those go as parameters)."""
    return "(" + ",".join(str(int(v)) for v in values) + ")"
