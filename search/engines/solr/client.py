"""A small JSON client to SolrCloud for the search side: the standard library, keep-alive, any node.

Every node of a SolrCloud cluster can answer a distributed query (it fans it out to one live replica of
each shard and merges), so the client knows several base URLs and tries them in turn: a node that is down
or unreachable is skipped and the next one asked. Each thread keeps its own keep-alive connection per
node (``http.client`` connections are not shared between threads).

What a request may take comes from the request's deadline (``search/deadline.py``): what is left of it
is sent as Solr's ``timeAllowed`` (Solr stops collecting then and says ``partialResults``) and, with a
little more, used as the socket timeout; without a deadline, ``Settings.timeout``.

Every query is sent with ``shards.tolerant=true``: when a shard has no live replica, Solr answers with what
the other shards found and ``partialResults: true`` in its header, which the engine turns into the flow's
``partial`` flag (the page says the results are partial). Failures become the errors the web layer
answers with a 503 and a message (``search/errors.py``):

* ZooKeeper gone: a node answers with ``zkConnected: false`` (or fails for that reason): the cluster cannot
  tell which replicas are live, so nothing it answers can be trusted as complete: SearchUnavailable;
* no node answers: SearchUnavailable naming the nodes tried and why each failed;
* the collection (or alias) missing: IndexMissing;
* a query Solr refuses (400): BadRequest with Solr's message.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass

from search import deadline
from search.errors import BadRequest, IndexMissing, SearchUnavailable

GRACE = 2.0  # seconds the socket waits beyond timeAllowed (Solr answers a little after it stops collecting)
ZOOKEEPER = ("zookeeper", "zkconnected", "zk ", "cannot talk to zookeeper", "could not load collection from zk")
RETRY_STATUSES = (500, 502, 503, 504)


@dataclass
class Answer:
    """A Solr answer (its parsed JSON) and whether part of the index did not answer."""

    body: dict
    partial: bool

    @property
    def response(self) -> dict:
        return self.body.get("response", {})

    @property
    def facets(self) -> dict:
        return self.body.get("facets", {})


class SolrClient:
    """JSON over HTTP to any of ``urls`` (``http://host:port/solr``); safe to share between threads."""

    def __init__(self, urls: list[str] | tuple[str, ...], timeout: float = 10.0):
        if not urls:
            raise SearchUnavailable("No Solr node is configured: set ARCHIVE_SOLR_URLS (comma-separated "
                                    "http://host:port/solr addresses).")
        self.urls = [url.rstrip("/") for url in urls]
        self.timeout = timeout
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[http.client.HTTPConnection] = []
        self._next = 0  # the node tried first, turned by one at each request: the load spread over the nodes

    # --- connections ---

    def _connection(self, url: str, timeout: float) -> http.client.HTTPConnection:
        connections = getattr(self._local, "connections", None)
        if connections is None:
            connections = self._local.connections = {}
        connection = connections.get(url)
        if connection is None:
            parts = urllib.parse.urlsplit(url)
            connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=timeout)
            connections[url] = connection
            with self._lock:
                self._all.append(connection)
        connection.timeout = timeout
        if connection.sock is not None:
            connection.sock.settimeout(timeout)
        return connection

    def _drop(self, url: str) -> None:
        connections = getattr(self._local, "connections", {})
        connection = connections.pop(url, None)
        if connection is not None:
            connection.close()

    def close(self) -> None:
        with self._lock:
            connections, self._all = self._all, []
        for connection in connections:
            connection.close()

    # --- requests ---

    def select(self, collection: str, params: dict, body: dict | None = None) -> Answer:
        """A query to ``collection``'s /select: ``params`` as a form, ``body`` (the JSON Request API) as JSON."""
        return self.request(f"{collection}/select", params, body)

    def request(self, path: str, params: dict | None = None, body: dict | None = None, query: bool = True) -> Answer:
        """POST ``body`` (JSON) to ``path`` with ``params`` in the URL, on the first node that answers."""
        params = dict(params or {})
        params["wt"] = "json"
        left = deadline.remaining()
        if left is not None:
            deadline.check()
            if query:
                params["timeAllowed"] = str(max(1, int(left * 1000)))
            timeout = min(self.timeout, left + GRACE) if self.timeout else left + GRACE
        else:
            timeout = self.timeout
        if query:
            params.setdefault("shards.tolerant", "true")
        data = json.dumps(body or {}).encode()
        target = "/" + path.lstrip("/") + "?" + urllib.parse.urlencode(params)
        failures: list[str] = []
        with self._lock:
            start = self._next
            self._next = (self._next + 1) % len(self.urls)
        for turn in range(len(self.urls)):
            url = self.urls[(start + turn) % len(self.urls)]
            base = urllib.parse.urlsplit(url).path.rstrip("/")
            try:
                status, text = self._send(url, base + target, data, timeout)
            except (OSError, http.client.HTTPException) as error:
                self._drop(url)
                if isinstance(error, (socket.timeout, TimeoutError)) and left is not None:
                    deadline.check()  # the request's own deadline passed: SearchTimeout
                failures.append(f"{url}: {_reason(error)}")
                continue
            answer = self._answer(url, status, text, failures)
            if answer is not None:
                return answer
        raise SearchUnavailable("The search cluster cannot answer: no Solr node could be reached ("
                                + "; ".join(failures) + "). Try again in a moment.")

    def _send(self, url: str, target: str, data: bytes, timeout: float) -> tuple[int, str]:
        headers = {"Content-Type": "application/json", "Connection": "keep-alive"}
        for attempt in (0, 1):  # a kept-alive connection the node closed meanwhile is opened again once
            connection = self._connection(url, timeout)
            try:
                connection.request("POST", target, body=data, headers=headers)
                response = connection.getresponse()
                return response.status, response.read().decode("utf-8", errors="replace")
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self._drop(url)
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def _answer(self, url: str, status: int, text: str, failures: list[str]) -> Answer | None:
        """The answer of one node, or None (its reason appended to ``failures``) to try the next."""
        try:
            body = json.loads(text)
        except ValueError:
            body = {}
        message = _message(body, text)
        if status == 200:
            header = body.get("responseHeader", {})
            if header.get("zkConnected") is False:
                raise SearchUnavailable(_zookeeper_gone(url))
            return Answer(body, bool(header.get("partialResults")))
        lowered = message.lower()
        if any(word in lowered for word in ZOOKEEPER):
            raise SearchUnavailable(_zookeeper_gone(url, message))
        if status == 404 or "not found" in lowered and "collection" in lowered:
            raise IndexMissing(f"The search cluster has no collection for the build being served ({message[:300]}): "
                               "load it with `python -m search index --backend solr`.")
        if status == 400:
            raise BadRequest(f"The search cluster refused the query: {message[:500]}")
        if status in RETRY_STATUSES:
            failures.append(f"{url}: HTTP {status} {message[:200]}")
            return None
        raise SearchUnavailable(f"The search cluster answered HTTP {status} from {url}: {message[:300]}")

    def ping(self) -> float:
        """Seconds a trivial request took on the first node that answers (for health checks)."""
        started = time.perf_counter()
        self.request("admin/info/system", {}, query=False)
        return time.perf_counter() - started


def _message(body: dict, text: str) -> str:
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return str(error.get("msg") or error.get("trace", "")[:300] or text[:300])
    return text[:300]


def _reason(error: BaseException) -> str:
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, (socket.timeout, TimeoutError)):
        return "timed out"
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def _zookeeper_gone(url: str, detail: str = "") -> str:
    text = (f"The search cluster lost its coordinator: ZooKeeper cannot be reached (from {url}), so which copies "
            "of the archive are live is unknown and no complete answer can be given. Try again when ZooKeeper is back.")
    return text + (f" ({detail[:200]})" if detail else "")
