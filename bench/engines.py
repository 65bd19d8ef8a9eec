"""The engines under test, each answering a BenchQuery in one of its modes.

Modes, the same for every engine where it can:
  top10     the 10 best hits (id, title, source, date, companies) and the exact total
  facets    the same plus facet counts: company, source, year (and the months of a chosen year)
  snippets  the same plus a highlighted headline and body snippet for each of the 10 hits

``answer(query, mode)`` returns the exact total; the harness times it.
"""

from __future__ import annotations

import html
import http.client
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlencode

from .build import FTS5_TABLE, FTS5_WEIGHTS, TANTIVY_BOOSTS, TANTIVY_TEXT_FIELDS
from .queries import BenchQuery

ROOT = Path(__file__).resolve().parent.parent
TOP = 10
FACET_SIZE = 12  # the product's facet_limit (ARCHIVE_FACET_LIMIT default)
MODES = ("top10", "facets", "snippets")
MARK_OPEN, MARK_CLOSE = "\x02", "\x03"  # highlight markers, escaped safely, then turned into <mark>


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _marked_html(text: str) -> str:
    """Escape text whose matches are wrapped in the marker characters, then mark them with <mark>."""
    return html.escape(text or "", quote=False).replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>")


def product_label(name: str, backend: str) -> str:
    """How the tables name one of the product's engines: with the backend that answered."""
    return f"{name}[{backend}]"


class Engine:
    name = ""
    modes: tuple[str, ...] = MODES
    notes: ClassVar[dict[str, str]] = {}

    @property
    def label(self) -> str:
        return self.name

    def answer(self, query: BenchQuery, mode: str) -> int:
        raise NotImplementedError

    def close(self) -> None:
        pass


# --- the product, in process -------------------------------------------------------------------

class ProductInProcess(Engine):
    """``Archive.search`` called directly: modes switch facets and snippets off as the API allows."""

    name = "product"
    modes = ("top10", "facets", "snippets", "full")
    notes: ClassVar[dict[str, str]] = {
        "top10": "facets=False, snippets=False, did_you_mean=False",
        "facets": "facets=True (company, source, section, date), snippets=False, did_you_mean=False",
        "snippets": "facets=True, snippets=True (headline and body marked), did_you_mean=False",
        "full": "as the web app calls it: facets, snippets and the 'Did you mean' suggestion",
    }
    SWITCHES: ClassVar[dict[str, dict]] = {
        "top10": {"facets": False, "snippets": False, "did_you_mean": False},
        "facets": {"facets": True, "snippets": False, "did_you_mean": False},
        "snippets": {"facets": True, "snippets": True, "did_you_mean": False},
        "full": {"facets": True, "snippets": True, "did_you_mean": True},
    }

    def __init__(self, index_root: Path, backend: str = "whoosh", environ: dict | None = None):
        """``backend``: the engine behind ``search.engines.backend.open_backend`` (whoosh, or solr with
        the ARCHIVE_SOLR_* settings in ``environ``), as the web app opens it."""
        from search.engines.backend import open_backend

        self.backend = backend
        self.archive = open_backend(backend, index_root, FACET_SIZE, environ=environ)

    @property
    def label(self) -> str:
        return product_label(self.name, self.backend)

    def answer(self, query: BenchQuery, mode: str) -> int:
        from search.request import SearchRequest

        request = SearchRequest.from_params(query.product_params())
        return self.archive.search(request, **self.SWITCHES[mode]).total

    def documents(self) -> int:
        return self.archive.stats()["documents"]

    def close(self) -> None:
        self.archive.close()


# --- HTTP plumbing -----------------------------------------------------------------------------

class KeepAliveClient:
    """One keep-alive HTTP/1.1 connection; reconnects (untimed by the caller's retry) if the server closed it."""

    def __init__(self, port: int):
        self.port = port
        self.conn: http.client.HTTPConnection | None = None
        self.reconnects = 0

    def get(self, path: str, headers: dict | None = None) -> tuple[int, bytes]:
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            try:
                self.conn.request("GET", path, headers=headers or {})
                response = self.conn.getresponse()
                body = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return response.status, body
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError,
                    http.client.CannotSendRequest):
                self.conn.close()
                self.conn = None
                self.reconnects += 1
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


# What gunicorn.conf.py logs of the first request a worker answers on a build (after start, after a rebuild).
FIRST_REQUEST_LINE = re.compile(r"first request (after start|after a rebuild), build (\S+): worker (\d+) answered "
                                r"'([^']*)' \(([^)]*)\) in ([\d.]+) ms")


def first_request_times(log_path: Path) -> list[dict]:
    """The first-request lines of a gunicorn log: when, build, worker, request, status, milliseconds."""
    try:
        text = log_path.read_text(errors="replace")
    except OSError:
        return []
    return [{"when": m[1], "build": m[2], "worker": int(m[3]), "request": m[4], "status": m[5], "ms": float(m[6])}
            for m in FIRST_REQUEST_LINE.finditer(text)]


def wait_for_port(port: int, process: subprocess.Popen, what: str, timeout: float = 60.0) -> None:
    """Wait until ``port`` accepts connections, without sending a request (the first request is measured)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode} before listening (see its log)")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on port {port} within {timeout:.0f} s")


def wait_for_http(port: int, path: str, process: subprocess.Popen, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode} before answering (see its log)")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            try:
                conn.request("GET", path)
                if conn.getresponse().status == 200:
                    return
            finally:
                conn.close()
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not answer {path} within {timeout:.0f} s")


def stop_process(process: subprocess.Popen, timeout: float = 30.0) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def proc_status_kb(pid: int, key: str) -> int | None:
    """A value in kB from /proc/<pid>/status (VmRSS: resident now; VmHWM: peak resident)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def child_pids(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as children:
            return [int(p) for p in children.read().split()]
    except OSError:
        return []


# --- the product over HTTP: gunicorn started as `make serve` does --------------------------------

class ProductHTTP(Engine):
    """gunicorn with gunicorn.conf.py and web:create_app(), as `make serve` starts it."""

    name = "product-http"
    modes = ("html", "html-hit", "json")
    notes: ClassVar[dict[str, str]] = {
        "html": "GET /?q=... with HX-Request: true: the results fragment a user's browser swaps in "
                "(facets, snippets, suggestion, rendered HTML), searched and rendered every time "
                "(Cache-Control: no-cache: the response cache cold, as for a query never asked before)",
        "html-hit": "the same, answered from the worker's response cache (the query asked before on this build)",
        "json": "GET /api/search?q=...: the same search as JSON (facets, snippets, suggestion), response cache cold",
    }
    FRESH = {"Cache-Control": "no-cache"}  # the app's response cache renders afresh (web/responsecache.py)

    def __init__(self, index_root: Path, log_path: Path, environ: dict | None = None):
        """``environ``: settings added to the server's environment (ARCHIVE_SEARCH_BACKEND and the
        ARCHIVE_SOLR_* settings for the Solr backend)."""
        self.port = free_port()
        self.backend = ((environ or {}).get("ARCHIVE_SEARCH_BACKEND")
                        or os.environ.get("ARCHIVE_SEARCH_BACKEND", "whoosh"))
        env = {**os.environ, **(environ or {}), "ARCHIVE_INDEX_DIR": str(index_root), "ARCHIVE_PORT": str(self.port),
               "ARCHIVE_HOST": "127.0.0.1"}
        self.log = open(log_path, "wb")  # noqa: SIM115 - open while the server runs
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "web:create_app()"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        self.log_path = log_path
        self.started = time.monotonic()
        try:
            wait_for_port(self.port, self.process, "gunicorn")
            self.listening_s = time.monotonic() - self.started
            self.first = self._first_requests(int(environ.get("ARCHIVE_WORKERS", 0) if environ else 0)
                                              or int(os.environ.get("ARCHIVE_WORKERS", "2")))
        except BaseException:
            self.close()
            raise
        self.client = KeepAliveClient(self.port)

    def _first_requests(self, workers: int) -> dict:
        """Send the first searches after start, on 2 connections per worker at once so that each worker
        answers one; return what each worker logged of its first request (FIRST_REQUEST_LINE) and the
        clients' times."""
        path = "/?q=police&sort=relevance"
        times: list[float] = []

        def one() -> None:
            client = KeepAliveClient(self.port)
            began = time.perf_counter()
            status, _ = client.get(path, {"HX-Request": "true"})
            times.append((time.perf_counter() - began) * 1000)
            client.close()
            if status != 200:
                raise RuntimeError(f"first search: HTTP {status}")

        # One worker may take every connection of a round (the other still booting): rounds until each answered.
        for _ in range(20):
            threads = [threading.Thread(target=one) for _ in range(2 * workers)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(300)
            time.sleep(0.3)  # the log line is written after the answer
            logged = first_request_times(self.log_path)
            if len(logged) >= workers:
                break
        return {"workers": workers, "per_worker_ms": logged, "client_ms": sorted(round(t, 1) for t in times)}

    @property
    def label(self) -> str:
        return product_label(self.name, self.backend)

    def answer(self, query: BenchQuery, mode: str) -> int:
        params = urlencode(query.product_params(), doseq=True)
        if mode in ("html", "html-hit"):
            headers = {"HX-Request": "true", **(self.FRESH if mode == "html" else {})}
            status, body = self.client.get(f"/?{params}", headers)
            if status != 200:
                raise RuntimeError(f"product HTML for {query.label!r}: HTTP {status}")
            return -1  # the fragment's total is not parsed; the JSON mode checks totals
        status, body = self.client.get(f"/api/search?{params}", self.FRESH)
        if status != 200:
            raise RuntimeError(f"product /api/search for {query.label!r}: HTTP {status} {body[:200]!r}")
        return json.loads(body)["total"]

    def worker_memory(self) -> dict:
        """VmRSS (now) and VmHWM (peak) of each gunicorn worker, in MB."""
        workers = child_pids(self.process.pid)
        return {
            "workers": len(workers),
            "rss_mb": [round((proc_status_kb(p, "VmRSS") or 0) / 1024, 1) for p in workers],
            "peak_mb": [round((proc_status_kb(p, "VmHWM") or 0) / 1024, 1) for p in workers],
            # VmRSS = RssAnon (the worker's own memory) + RssFile (pages of files it maps: the build's
            # derived arrays and code, in the page cache once for every worker) + RssShmem
            "anon_mb": [round((proc_status_kb(p, "RssAnon") or 0) / 1024, 1) for p in workers],
            "file_mb": [round((proc_status_kb(p, "RssFile") or 0) / 1024, 1) for p in workers],
        }

    def close(self) -> None:
        client = getattr(self, "client", None)
        if client is not None:
            client.close()
        stop_process(self.process)
        self.log.close()


# --- SQLite FTS5, in process -------------------------------------------------------------------

class Fts5Engine(Engine):
    """sqlite3 (stdlib) FTS5 with tokenize='porter unicode61': MATCH, bm25() with the product's
    field weights, GROUP BY facets (disjunctive, like the product's), snippet() and highlight()."""

    name = "fts5"
    notes: ClassVar[dict[str, str]] = {
        "top10": "count(*) of the MATCH, then the top 10 by bm25(title 3, body 1, captions 1.5)",
        "facets": "plus GROUP BY counts: company (companies table), source, year (+ months of a chosen year); "
                  "each facet ignores its own filter",
        "snippets": "plus highlight() of the headline and snippet() of the body, HTML-escaped",
    }

    def __init__(self, db_path: Path):
        self.conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, check_same_thread=False)
        self.weights = ", ".join(str(w) for w in FTS5_WEIGHTS)

    @staticmethod
    def _filters(query: BenchQuery, without: str = "") -> tuple[str, list]:
        sql, params = [], []
        if query.company and without != "company":
            sql.append("a.doc IN (SELECT article FROM article_companies WHERE company = ?)")
            params.append(query.company)
        if query.source and without != "source":
            sql.append("a.source = ?")
            params.append(query.source)
        if query.year and without != "year":
            sql.append("a.year = ?")
            params.append(query.year)
        return "".join(f" AND {s}" for s in sql), params

    def answer(self, query: BenchQuery, mode: str) -> int:
        conn = self.conn
        match = query.fts5_match()
        base = f"FROM {FTS5_TABLE} JOIN articles a ON a.doc = {FTS5_TABLE}.rowid WHERE {FTS5_TABLE} MATCH ?"
        where, params = self._filters(query)
        if where:
            total = conn.execute(f"SELECT count(*) {base}{where}", [match, *params]).fetchone()[0]
        else:
            total = conn.execute(f"SELECT count(*) FROM {FTS5_TABLE} WHERE {FTS5_TABLE} MATCH ?", [match]).fetchone()[0]
        columns = "a.id, a.title, a.source, a.published, a.companies"
        if mode == "snippets":
            columns += (f", highlight({FTS5_TABLE}, 0, '{MARK_OPEN}', '{MARK_CLOSE}')"
                        f", snippet({FTS5_TABLE}, 1, '{MARK_OPEN}', '{MARK_CLOSE}', ' … ', 40)")
        rows = conn.execute(
            f"SELECT {columns} {base}{where} ORDER BY bm25({FTS5_TABLE}, {self.weights}) LIMIT {TOP}",
            [match, *params],
        ).fetchall()
        hits = [{"id": r[0], "title": r[1], "source": r[2], "published": r[3], "companies": json.loads(r[4])}
                for r in rows]
        if mode == "snippets":
            for hit, row in zip(hits, rows):
                hit["title_html"], hit["snippet"] = _marked_html(row[5]), _marked_html(row[6])
        if mode in ("facets", "snippets"):
            self.facets(query, match, base)
        return total

    def facets(self, query: BenchQuery, match: str, base: str) -> dict:
        conn, facets = self.conn, {}
        where, params = self._filters(query, without="company")
        facets["company"] = conn.execute(
            f"SELECT c.company, count(*) AS n FROM {FTS5_TABLE} JOIN articles a ON a.doc = {FTS5_TABLE}.rowid "
            f"JOIN article_companies c ON c.article = a.doc WHERE {FTS5_TABLE} MATCH ?{where} "
            f"GROUP BY c.company ORDER BY n DESC, c.company LIMIT {FACET_SIZE}",
            [match, *params],
        ).fetchall()
        where, params = self._filters(query, without="source")
        facets["source"] = conn.execute(
            f"SELECT a.source, count(*) AS n {base}{where} GROUP BY a.source "
            f"ORDER BY n DESC, a.source LIMIT {FACET_SIZE}",
            [match, *params],
        ).fetchall()
        where, params = self._filters(query, without="year")
        facets["year"] = conn.execute(
            f"SELECT a.year, count(*) {base}{where} AND a.year IS NOT NULL GROUP BY a.year ORDER BY a.year DESC",
            [match, *params],
        ).fetchall()
        if query.year:
            where, params = self._filters(query)
            facets["month"] = conn.execute(
                f"SELECT a.month, count(*) {base}{where} GROUP BY a.month ORDER BY a.month", [match, *params]
            ).fetchall()
        return facets

    def close(self) -> None:
        self.conn.close()


# --- tantivy, in process -----------------------------------------------------------------------

class TantivyEngine(Engine):
    """tantivy-py: en_stem text fields, conjunction query parser with the product's field boosts,
    terms aggregations on fast fields for facets, SnippetGenerator for highlights."""

    name = "tantivy"
    notes: ClassVar[dict[str, str]] = {
        "top10": "search(limit=10, count=True): BM25 with boosts title 3, captions 1.5",
        "facets": "plus terms aggregations on fast fields: companies, source, year (+ month of a chosen year); "
                  "each facet ignores its own filter",
        "snippets": "plus SnippetGenerator on headline and body (to_html, <b> turned into <mark>)",
    }

    def __init__(self, index_dir: Path):
        import tantivy

        self.tantivy = tantivy
        self.index = tantivy.Index.open(str(index_dir))
        self.index.reload()
        self.schema = self.index.schema
        self.searcher = self.index.searcher()

    def _filters(self, query: BenchQuery, without: str = "") -> list:
        term = self.tantivy.Query.term_query
        filters = []
        if query.company and without != "company":
            filters.append(term(self.schema, "companies", query.company))
        if query.source and without != "source":
            filters.append(term(self.schema, "source", query.source))
        if query.year and without != "year":
            filters.append(term(self.schema, "year", query.year))
        return filters

    def _and(self, text_query, filters: list):
        if not filters:
            return text_query
        must = self.tantivy.Occur.Must
        return self.tantivy.Query.boolean_query([(must, text_query), *((must, f) for f in filters)])

    def answer(self, query: BenchQuery, mode: str) -> int:
        text_query = self.index.parse_query(
            query.tantivy_text(), list(TANTIVY_TEXT_FIELDS), field_boosts=TANTIVY_BOOSTS, conjunction_by_default=True
        )
        full = self._and(text_query, self._filters(query))
        result = self.searcher.search(full, TOP, count=True)
        hits = []
        generators = None
        if mode == "snippets":
            generators = {}
            for field, chars in (("title", 1000), ("body", 240)):
                generator = self.tantivy.SnippetGenerator.create(self.searcher, text_query, self.schema, field)
                generator.set_max_num_chars(chars)
                generators[field] = generator
        for score, address in result.hits:
            doc = self.searcher.doc(address)
            hit = {"id": doc.get_first("id"), "title": doc.get_first("title"), "source": doc.get_first("source"),
                   "published": doc.get_first("published"), "companies": doc.get_all("companies"), "score": score}
            if generators:
                hit["title_html"] = self._html(generators["title"].snippet_from_doc(doc)) or html.escape(hit["title"])
                hit["snippet"] = self._html(generators["body"].snippet_from_doc(doc)) or html.escape(
                    (doc.get_first("body") or "")[:240])
            hits.append(hit)
        if mode in ("facets", "snippets"):
            self.facets(query, text_query)
        return result.count

    @staticmethod
    def _html(snippet) -> str:
        return snippet.to_html().replace("<b>", "<mark>").replace("</b>", "</mark>")

    def facets(self, query: BenchQuery, text_query) -> dict:
        aggs = {
            "company": {"terms": {"field": "companies", "size": FACET_SIZE}},
            "source": {"terms": {"field": "source", "size": FACET_SIZE}},
            "year": {"terms": {"field": "year", "size": 10_000}},
        }
        filtered = {"company": bool(query.company), "source": bool(query.source), "year": bool(query.year)}
        results = {}
        # Facets without a selection of their own share one aggregation over the filtered matches;
        # a facet with a selection is counted without it (disjunctive, like the product).
        shared = {name: agg for name, agg in aggs.items() if not filtered[name]}
        if query.year:
            shared["month"] = {"terms": {"field": "month", "size": 12}}
        if shared:
            results.update(self.searcher.aggregate(self._and(text_query, self._filters(query)), shared))
        for name in (n for n, f in filtered.items() if f):
            results.update(self.searcher.aggregate(self._and(text_query, self._filters(query, without=name)),
                                                   {name: aggs[name]}))
        return results


# --- Datasette over HTTP -----------------------------------------------------------------------

class DatasetteEngine(Engine):
    """`datasette serve` on the FTS5 database, queried over HTTP like a Datasette user would."""

    name = "datasette"
    notes: ClassVar[dict[str, str]] = {
        "top10": "/db/articles.json?_search=...&_searchmode=raw&_size=10 "
                 "(+ source=, year=, companies__arraycontains=): "
                 "exact count, but hits in rowid order: the table view does not rank by relevance",
        "facets": "plus _facet=source&_facet=year&_facet_array=companies (+ _facet=month with a year); "
                  "facets count the filtered set (not disjunctive); no snippets in the table JSON",
        "snippets": "the faceted table JSON plus a second request, /db.json?sql= with bm25 ranking, "
                    "highlight() and snippet() for the 10 hits (2 HTTP requests)",
    }
    COLUMNS = ("id", "title", "source", "published", "companies")

    def __init__(self, db_path: Path, log_path: Path):
        self.port = free_port()
        self.database = db_path.stem
        self.log = open(log_path, "wb")  # noqa: SIM115 - open while the server runs
        command = [
            sys.executable, "-m", "datasette", "serve", "-i", str(db_path), "--host", "127.0.0.1",
            "--port", str(self.port),
            "--setting", "suggest_facets", "off",          # no facet suggestions: only what is asked for
            "--setting", "default_facet_size", str(FACET_SIZE),
            "--setting", "facet_time_limit_ms", "60000",   # exact facets, never "timed out"
            "--setting", "sql_time_limit_ms", "60000",     # exact counts
        ]
        self.process = subprocess.Popen(command, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        try:
            wait_for_http(self.port, "/-/versions.json", self.process, "datasette")
        except BaseException:
            self.close()
            raise
        self.client = KeepAliveClient(self.port)

    def _table_params(self, query: BenchQuery, facets: bool) -> list[tuple[str, str]]:
        params = [("_search", query.fts5_match()), ("_searchmode", "raw"), ("_size", str(TOP))]
        params += [("_col", c) for c in self.COLUMNS]
        if query.company:
            params.append(("companies__arraycontains", query.company))
        if query.source:
            params.append(("source", query.source))
        if query.year:
            params.append(("year", str(query.year)))
        if facets:
            params += [("_facet", "source"), ("_facet", "year"), ("_facet_array", "companies")]
            if query.year:
                params.append(("_facet", "month"))
        return params

    def _get_json(self, path: str) -> dict:
        status, body = self.client.get(path)
        if status != 200:
            raise RuntimeError(f"datasette {path[:120]}: HTTP {status} {body[:300]!r}")
        return json.loads(body)

    def answer(self, query: BenchQuery, mode: str) -> int:
        data = self._get_json(f"/{self.database}/articles.json?"
                              + urlencode(self._table_params(query, facets=mode != "top10")))
        if data.get("facets_timed_out"):
            raise RuntimeError(f"datasette facets timed out for {query.label!r}: {data['facets_timed_out']}")
        if mode == "snippets":
            self._get_json(f"/{self.database}.json?" + urlencode(self._snippet_sql(query)))
        return data["filtered_table_rows_count"]

    @staticmethod
    def _snippet_sql(query: BenchQuery) -> list[tuple[str, str]]:
        weights = ", ".join(str(w) for w in FTS5_WEIGHTS)
        where, params = "", [("q", query.fts5_match())]
        if query.company:
            where += " AND a.doc IN (SELECT article FROM article_companies WHERE company = :company)"
            params.append(("company", query.company))
        if query.source:
            where += " AND a.source = :source"
            params.append(("source", query.source))
        if query.year:
            where += " AND a.year = :year"
            params.append(("year", str(query.year)))
        sql = (
            f"SELECT a.id, a.title, a.source, a.published, a.companies, "
            f"highlight({FTS5_TABLE}, 0, '<mark>', '</mark>') AS title_html, "
            f"snippet({FTS5_TABLE}, 1, '<mark>', '</mark>', ' … ', 40) AS snippet "
            f"FROM {FTS5_TABLE} JOIN articles a ON a.doc = {FTS5_TABLE}.rowid WHERE {FTS5_TABLE} MATCH :q{where} "
            f"ORDER BY bm25({FTS5_TABLE}, {weights}) LIMIT {TOP}"
        )
        return [("sql", sql), *params, ("_shape", "array")]

    def memory(self) -> dict:
        pid = self.process.pid
        return {"rss_mb": round((proc_status_kb(pid, "VmRSS") or 0) / 1024, 1),
                "peak_mb": round((proc_status_kb(pid, "VmHWM") or 0) / 1024, 1)}

    def close(self) -> None:
        client = getattr(self, "client", None)
        if client is not None:
            client.close()
        stop_process(self.process)
        self.log.close()
