"""A per-worker cache of finished answers, and the ETags that let browsers and intranet proxies reuse them.

An answer of the archive depends only on the build served, the code, the settings and the request: its
path, its parameters, the few headers it varies on (``Vary``) and, for absolute URLs, where the app is
mounted. So every cacheable GET (searches, fragments, facet lists, articles, the JSON API, suggestions,
the Atom feed) gets a strong ``ETag`` that is a hash of exactly those, the build's name included, and
``Cache-Control: no-cache`` (anyone may store it, no one may reuse it without asking). Asking is cheap:
an ``If-None-Match`` that names the current ETag is a 304 before any search or rendering, in any worker.
A rebuild published changes the build's name, hence every key and every ETag at once: no answer from
the old build is served or confirmed after the swap. Each worker also keeps the answers themselves, a
least-recently-used cache bounded in bytes (``ARCHIVE_RESPONSE_CACHE_MB``), so a repeated search is
sent without searching or rendering.

Never cached or tagged: anything from an engine whose search nodes answer live (the Solr engine: a
node that stops or comes back changes the answers of one build), anything but a 200, partial answers, streams (the CSV
export), /healthz, company pages (they read the corpus's companies.csv, which changes without a
rebuild), and answers while the worker serves an earlier build than the one published (a refused build).
A request with ``Cache-Control: no-cache`` (a browser's hard reload) is rendered afresh and replaces the
stored answer. docs/production.md#caching.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from pathlib import Path

from flask import Flask, Response, current_app, g, request

from search.errors import ArchiveError

# Endpoints whose 200 answers are cached and tagged.
CACHED_ENDPOINTS = frozenset({
    "views.search", "views.embed", "views.embed_fragment", "views.facet", "views.embed_facet",
    "views.article", "views.embed_article", "views.api_search", "views.api_facet",
    "feeds.suggest", "feeds.atom", "feeds.opensearch",
})
# The request headers answers vary on (views.is_fragment_request, render_search), as the key sees them.
VARY_HEADERS = ("HX-Request", "HX-History-Restore-Request", "HX-Focus-Results", "HX-Filters-Open")
# Endpoints that answer other origins (security.CORS_ENDPOINTS): their answer varies on Origin too.
ORIGIN_ENDPOINTS = frozenset({"views.embed_fragment", "views.api_search", "views.api_facet"})
# A 304 carries the Vary of the answer it stands for (RFC 9110 15.4.5): what views.py and feeds.py add.
SEARCH_VARY = ("HX-Request", "HX-Focus-Results", "HX-Filters-Open", "HX-History-Restore-Request")
FRAGMENT_VARY = ("HX-Request", "HX-History-Restore-Request")
ENDPOINT_VARY = {
    "views.search": SEARCH_VARY, "views.embed": SEARCH_VARY, "views.embed_fragment": SEARCH_VARY,
    "views.facet": FRAGMENT_VARY, "views.embed_facet": FRAGMENT_VARY, "feeds.suggest": FRAGMENT_VARY,
}
CACHE_CONTROL = "no-cache"  # store, but ask each time: after a rebuild the new articles show at once
RETRY_SECONDS = 30  # a worker serving an earlier build than the one published looks again this often
SOURCE_SUFFIXES = (".py", ".html", ".xml", ".js", ".css", ".txt", ".csv", ".toml")


class ResponseCache:
    """Finished answers by ETag, least recently used first out, at most ``max_bytes`` of bodies and headers."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.max_entry = max_bytes // 8  # one large answer must not push out everything else
        self._entries: OrderedDict[str, tuple[list[tuple[str, str]], bytes, int]] = OrderedDict()
        self._lock = threading.Lock()
        self.bytes = 0
        self.hits = self.misses = self.stores = self.not_modified = 0

    def get(self, etag: str) -> tuple[list[tuple[str, str]], bytes] | None:
        with self._lock:
            entry = self._entries.get(etag)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(etag)
            self.hits += 1
            return entry[0], entry[1]

    def put(self, etag: str, headers: list[tuple[str, str]], body: bytes) -> bool:
        size = len(body) + sum(len(name) + len(value) for name, value in headers) + 200  # + the entry's own
        if size > self.max_entry:
            return False
        with self._lock:
            old = self._entries.pop(etag, None)
            if old is not None:
                self.bytes -= old[2]
            self._entries[etag] = (headers, body, size)
            self.bytes += size
            self.stores += 1
            while self.bytes > self.max_bytes:
                _, (_, _, dropped) = self._entries.popitem(last=False)
                self.bytes -= dropped
        return True

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.bytes = 0


class BuildWatch:
    """Which build the worker serves, per published build: whether its answers may be cached (the worker
    serves the very build ``current`` names), checked once per build (again every RETRY_SECONDS if not)."""

    def __init__(self):
        self._checked: dict[str, tuple[bool, float]] = {}
        self._lock = threading.Lock()

    def servable(self, archive, generation: str) -> bool:
        if not generation:
            return False
        known = self._checked.get(generation)
        if known is not None and (known[0] or time.monotonic() < known[1]):
            return known[0]
        try:
            stats = archive.stats()  # opens the build if it is new: the request would, a moment later
            ok = stats.get("status") == "ok" and stats.get("build") == Path(generation).name
        except ArchiveError:
            ok = False
        with self._lock:
            if len(self._checked) > 64:  # builds come and go; the names of old ones need not be kept
                self._checked.clear()
            self._checked[generation] = (ok, time.monotonic() + RETRY_SECONDS)
        return ok


def code_version(app: Flask) -> str:
    """A hash of the code, templates, static files and settings that shape an answer: new code (a reload
    of the workers) or other settings give new ETags, so no client keeps an answer the new code would not give."""
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parent.parent
    for folder in ("web", "search"):
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in SOURCE_SUFFIXES and path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    for name, value in sorted(app.config.items()):
        if isinstance(value, (str, int, float, bool, tuple)) or value is None:
            digest.update(f"{name}={value!r}\n".encode())
    return digest.hexdigest()[:16]


def _archive():
    return current_app.extensions["archive"]


def _generation(archive) -> str:
    store = getattr(archive, "store", None)
    return store.generation() if store is not None else ""


def request_etag(state: dict, generation: str) -> str:
    """The strong ETag of this request's answer on ``generation``: a hash of everything the answer depends on."""
    endpoint = request.endpoint
    args = sorted(request.args.items(multi=True), key=lambda item: item[0])  # stable: a name's values keep their order
    headers = [request.headers.get(name, "") for name in VARY_HEADERS]
    if endpoint in ORIGIN_ENDPOINTS:
        headers.append(request.headers.get("Origin", ""))
    key = repr((state["code"], generation, request.host_url, request.script_root, request.path, args, headers))
    return '"' + hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest() + '"'


def _matches(if_none_match: str, etag: str) -> bool:
    """If-None-Match uses the weak comparison (RFC 9110 13.1.2): W/"x" matches "x"."""
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == etag:
            return True
    return False


def _vary_of(endpoint: str) -> str:
    names = list(ENDPOINT_VARY.get(endpoint, ()))
    if endpoint in ORIGIN_ENDPOINTS:
        names.append("Origin")
    return ", ".join(names)


def forbid() -> None:
    """Keep this request's answer out of the cache and untagged (a partial answer)."""
    g.response_uncacheable = True


def before_request():
    """A 304 for an ETag that is still current; the stored answer for a repeated request; else go on."""
    state = current_app.extensions["response_cache"]
    if request.method not in ("GET", "HEAD") or request.endpoint not in CACHED_ENDPOINTS:
        return None
    archive = _archive()
    if not getattr(archive, "answers_fixed_by_build", False):  # live search nodes: a node down changes answers
        return None
    generation = _generation(archive)
    if not state["watch"].servable(archive, generation):
        return None
    etag = request_etag(state, generation)
    g.response_key = (etag, generation)
    inm = request.headers.get("If-None-Match")
    if inm and _matches(inm, etag):
        state["cache"].not_modified += 1
        response = Response(status=304)
        response.headers["ETag"] = etag
        response.headers["Cache-Control"] = CACHE_CONTROL
        vary = _vary_of(request.endpoint)
        if vary:
            response.headers["Vary"] = vary
        g.response_served = True
        return response
    if "no-cache" in request.headers.get("Cache-Control", "") or "no-cache" in request.headers.get("Pragma", ""):
        return None  # a hard reload: render afresh (and store the new answer)
    found = state["cache"].get(etag) if state["cache"].max_bytes else None
    if found is None:
        return None
    headers, body = found
    g.response_served = True
    return Response(body, status=200, headers=headers)


def after_request(response: Response) -> Response:
    """Tag a cacheable 200 with its ETag and store it (runs after the other hooks: the stored headers are final)."""
    key = g.get("response_key")
    if key is None or g.get("response_served"):
        return response
    if response.status_code != 200 or g.get("response_uncacheable") or response.is_streamed \
            or "Set-Cookie" in response.headers:
        return response
    etag, generation = key
    if _generation(_archive()) != generation:  # a rebuild was published meanwhile: which build answered is unclear
        return response
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = CACHE_CONTROL
    cache = current_app.extensions["response_cache"]["cache"]
    if cache.max_bytes:
        cache.put(etag, list(response.headers.items()), response.get_data())
    return response


def init_app(app: Flask, max_bytes: int) -> None:
    """Register the hooks. Call before the other after_request hooks are registered: Flask runs those in
    reverse order, so this one sees each answer's final headers."""
    app.extensions["response_cache"] = {"cache": ResponseCache(max_bytes), "watch": BuildWatch(),
                                        "code": code_version(app)}
    app.before_request(before_request)
    app.after_request(after_request)
