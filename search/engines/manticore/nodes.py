"""searchd configuration for the Manticore/Sphinx backend, and local nodes for tests and benchmarks.

A deployment has data nodes, each holding a share of the articles in real-time (RT) indexes, and
one head node whose distributed indexes fan every query out to the data nodes and merge the
answers (with one data node, the head can hold the articles itself). Each node keeps two index
sets, ``<name>_a`` and ``<name>_b``: a build is loaded into the set that is not being served and
becomes visible only when the build is published, so a failed or interrupted load never touches
what is served (``loader.py``).

``node_config`` writes the ``sphinx.conf`` of one node; ``python -m search manticore-config`` prints
it for an operator. ``LocalNode`` runs ``searchd`` in the foreground on loopback ports, for the
tests and ``make bench``; production nodes run under systemd with the same configuration.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pymysql

from search.engines.manticore.tokens import FIELDS

INDEX_SETS = ("a", "b")
SEARCHD = "searchd"
# Full-text fields: the product's analysed terms (tokens.py), space-separated. "live" holds one
# marker word in every document, so that "-word" alone can be asked for ("everything but").
RT_FIELDS = (*FIELDS, "live")
# Attributes: filters, facets, sorting, and the stored article (JSON) for hits and snippets.
ATTRIBUTES = (
    ("rt_attr_bigint", "docnum"),  # order of the build: the tie-breaker both engines use
    ("rt_attr_uint", "year"),
    ("rt_attr_uint", "month"),  # YYYYMM
    ("rt_attr_uint", "day"),  # YYYYMMDD, 0 when undated
    ("rt_attr_bigint", "published_us"),  # microseconds since 1970 (UTC)
    ("rt_attr_uint", "undated"),
    ("rt_attr_multi_64", "company_ids"),
    ("rt_attr_bigint", "source_id"),
    ("rt_attr_multi_64", "section_ids"),  # an article may have several sections, as several companies
    ("rt_attr_string", "article_id"),
    ("rt_attr_string", "checksum"),
    ("rt_attr_string", "stored"),
    ("rt_attr_string", "headline"),  # the search box's suggestions are read from it
)
# The analysed terms are already lowercase words of [0-9a-z] or encoded with a leading "_"
# (tokens.py), so searchd only splits on spaces: no stemming, stop words or case folding of its own.
CHARSET_TABLE = "0..9, a..z, _"


@dataclass(frozen=True)
class Address:
    """host:port of a node's SphinxQL (MySQL protocol) listener."""

    host: str
    port: int

    @classmethod
    def parse(cls, text: str, default_port: int = 9306) -> Address:
        host, _, port = text.strip().rpartition(":")
        if not host:
            host, port = port, str(default_port)
        try:
            return cls(host, int(port))
        except ValueError:
            raise ValueError(f"not a host:port address: {text!r}") from None

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


def index_name(prefix: str, index_set: str) -> str:
    return f"{prefix}_{index_set}"


def rt_index(name: str, path: Path) -> str:
    lines = [f"index {name}", "{", "    type = rt", f"    path = {path}"]
    lines += [f"    rt_field = {name_}" for name_ in RT_FIELDS]
    lines += [f"    {kind} = {name_}" for kind, name_ in ATTRIBUTES]
    lines += [
        f"    charset_table = {CHARSET_TABLE}",
        "    min_word_len = 1",
        "    dict = keywords",
        "    rt_mem_limit = 512M",
        "}",
    ]
    return "\n".join(lines)


def distributed_index(name: str, agents: list[str], connect_ms: int, query_ms: int) -> str:
    lines = [f"index {name}", "{", "    type = distributed"]
    lines += [f"    agent_persistent = {agent}:{name}" for agent in agents]  # connections kept open between queries
    lines += [f"    agent_connect_timeout = {connect_ms}", f"    agent_query_timeout = {query_ms}", "}"]
    return "\n".join(lines)


def node_config(data_dir: Path, sql: Address, api_port: int, prefix: str = "articles",
                agents: list[str] | None = None, connect_ms: int = 500, query_ms: int = 10_000) -> str:
    """Return the sphinx.conf of one node.

    ``agents`` (``host:api_port`` of the data nodes) makes it a head node of distributed indexes;
    without, it is a data node holding RT indexes. ``sql`` is where the product connects (SphinxQL),
    ``api_port`` where a head node reaches a data node (Sphinx's binary protocol)."""
    data_dir = Path(data_dir).resolve()
    sections = []
    for index_set in INDEX_SETS:
        name = index_name(prefix, index_set)
        if agents:
            sections.append(distributed_index(name, agents, connect_ms, query_ms))
        else:
            sections.append(rt_index(name, data_dir / name))
    sections.append("\n".join([
        "searchd",
        "{",
        f"    listen = {sql.host}:{sql.port}:mysql41",
        f"    listen = {sql.host}:{api_port}",
        "    workers = threads",
        "    persistent_connections_limit = 16",
        f"    pid_file = {data_dir / 'searchd.pid'}",
        f"    log = {data_dir / 'searchd.log'}",
        f"    query_log = {data_dir / 'query.log'}",
        f"    binlog_path = {data_dir}",
        "    max_packet_size = 128M",
        "    read_timeout = 5",
        "    client_timeout = 300",
        "}",
    ]))
    return "\n\n".join(sections) + "\n"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def searchd_path() -> str | None:
    """The searchd binary (Debian's ``sphinxsearch`` package), or None when it is not installed."""
    return (shutil.which(SEARCHD)
            or next((p for p in ("/usr/bin/searchd", "/usr/sbin/searchd") if os.path.exists(p)), None))


@dataclass
class LocalNode:
    """One searchd on loopback ports, in the foreground, with its data in ``data_dir``."""

    data_dir: Path
    agents: list[str] | None = None  # api addresses of data nodes: a head node
    prefix: str = "articles"
    sql: Address = field(default_factory=lambda: Address("127.0.0.1", free_port()))
    api_port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def api(self) -> str:
        return f"{self.sql.host}:{self.api_port}"

    def start(self, timeout: float = 30.0) -> LocalNode:
        binary = searchd_path()
        if binary is None:
            raise RuntimeError("searchd is not installed (Debian package sphinxsearch)")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        conf = self.data_dir / "sphinx.conf"
        conf.write_text(node_config(self.data_dir, self.sql, self.api_port, self.prefix, self.agents))
        log = open(self.data_dir / "stdout.log", "ab")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen([binary, "--config", str(conf), "--nodetach"], stdout=log,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        deadline = time.monotonic() + timeout
        while True:
            try:
                pymysql.connect(host=self.sql.host, port=self.sql.port, connect_timeout=1).close()
                return self
            except pymysql.err.OperationalError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    output = (self.data_dir / "stdout.log").read_text(errors="replace")[-2000:]
                    self.stop()
                    raise RuntimeError(f"searchd did not start on {self.sql}:\n{output}") from None
                time.sleep(0.1)

    def stop(self, timeout: float = 30.0) -> None:
        """Stop searchd (SIGTERM: it saves its RT indexes and exits)."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def kill(self) -> None:
        """Kill searchd at once, as a crashed machine would go."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None


@dataclass
class LocalCluster:
    """Data nodes holding shares of the articles and one head node fanning out to them."""

    root: Path
    data_nodes: int = 2
    prefix: str = "articles"
    nodes: list[LocalNode] = field(default_factory=list)
    head: LocalNode | None = None

    def start(self) -> LocalCluster:
        try:
            self.nodes = [LocalNode(self.root / f"node{i + 1}", prefix=self.prefix).start()
                          for i in range(self.data_nodes)]
            self.head = LocalNode(self.root / "head", agents=[n.api for n in self.nodes], prefix=self.prefix).start()
        except BaseException:
            self.stop()
            raise
        return self

    @property
    def data_addresses(self) -> list[Address]:
        return [node.sql for node in self.nodes]

    def stop(self) -> None:
        for node in [self.head, *self.nodes]:
            if node is not None:
                node.stop()
