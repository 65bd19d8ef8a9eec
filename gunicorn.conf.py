"""gunicorn settings for `make serve`: `python -m gunicorn -c gunicorn.conf.py "web:create_app()"`.

Everything comes from the ARCHIVE_* settings in search/config.py (documented in docs/configuration.md), so the
app and the server read one list. Names here are gunicorn's own settings; gunicorn ignores others,
but a module-level name that happens to be a gunicorn setting is read as one (hence ``_settings``,
not ``config``, which is gunicorn's name for this file's path).
"""

import os
import sys
import threading
import time
import traceback
from pathlib import Path

_ROOT = Path(__file__).resolve().parent
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from search import config as _settings

_host = _settings.get("HOST")
_port = _settings.get_int("PORT", high=65535)

# Listen where `make run` would; an IPv6 address needs brackets ([::1]:5000).
bind = [f"[{_host}]:{_port}" if ":" in _host else f"{_host}:{_port}"]
# Always import the app from the project, wherever gunicorn was started from.
chdir = str(_ROOT)

# Processes for CPU (a search is CPU-bound Python: one worker per core), threads to overlap the
# waits (disk reads, sockets). Each worker opens the index itself.
workers = _settings.get_int("WORKERS", high=256)
threads = _settings.get_int("THREADS", high=256)
worker_class = "gthread"
# Load the app in each worker, not in the master before forking: the index is opened in the
# process that serves it, and `kill -HUP <master>` then reloads new code into fresh workers.
preload_app = False

# A search takes milliseconds; a worker silent for 30 s is stuck and is replaced. With gthread the worker's
# main loop keeps answering the master while a request thread hangs, so this never catches a hung request:
# the watchdog below does (ARCHIVE_REQUEST_WATCHDOG).
timeout = 30
# On HUP or TERM, requests already running get this long to finish before their worker is killed.
graceful_timeout = 20
# Seconds an idle keep-alive connection is kept (the nginx sample opens a connection per request).
keepalive = 5

# Access log on stdout, errors on stderr, for the service manager (systemd's journal, docker logs)
# to collect. One line per request: client, time, request line, status, bytes, duration in ms, pid.
# With ARCHIVE_TRUST_PROXY the client (%(h)s) is the address nginx reports in X-Forwarded-For.
accesslog = "-"
errorlog = "-"
loglevel = "info"
access_log_format = '%(h)s - %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s" pid=%(p)s'

# Which X-Forwarded-* headers to believe is decided in one place, the app (ARCHIVE_TRUST_PROXY,
# werkzeug's ProxyFix). gunicorn's own defaults would otherwise let any local process set the
# scheme (X-Forwarded-Proto) and the mount point (a SCRIPT_NAME header) even with that setting at 0.
secure_scheme_headers = {}
forwarder_headers = ""

# gunicorn 25+ also opens a control socket at one fixed path per user ($XDG_RUNTIME_DIR/gunicorn.ctl
# or ~/.gunicorn/gunicorn.ctl), which a second gunicorn of the same user takes over. Signals do the
# same job here: `kill -HUP <master pid>` reloads, `kill -TERM` stops gracefully.
control_socket_disable = True


# --- Watchdog: a request that runs longer than ARCHIVE_REQUEST_WATCHDOG seconds gets its worker replaced ---
# Python cannot stop a thread, and gthread's heartbeat goes on while one hangs, so gunicorn's `timeout` never
# fires: the hung thread would be lost for good, and with it a quarter of the worker. Each worker records when
# each of its requests started (pre_request, post_request); a thread of its own checks every second, and on a
# request past the limit logs where it hangs, stops the worker taking connections, lets the other requests
# finish (at most graceful_timeout) and ends the process. The master starts a new worker at once.
_watchdog_seconds = _settings.get_int("REQUEST_WATCHDOG", low=0, high=86400)
_running: dict[int, tuple[float, str, int]] = {}  # thread id -> (start, request line, RSS pages at the start)
_FIRST_REQUEST = "archive.first_request"  # web/first_request.py marks the first request on each build

# --- Memory: what an expensive request took from malloc goes back to the system after it ----------------------
# glibc keeps freed memory for reuse; whatever a long-lived object pins among it (a cache entry, an index
# reader) keeps the pages around it, and a worker's RSS stays at its peak. After a request during which the
# worker's RSS grew by TRIM_AFTER_GROWTH or more, malloc_trim(0) hands every whole free page back. Measured
# on a request thread that took 200 MB in 2 kB objects and kept one in 64: RSS 13 -> 218 MB, and 218 MB
# after it without the trim, 23 MB with it; the call took 19 ms, and cheap requests never make it (the two
# hooks cost ~20 us). Workers are not recycled (max_requests): under rounds of concurrent CSV exports and
# expensive searches (bundled corpus x 10) their RSS levels off 5-7 MB above the start and stays there, and
# a recycled worker costs a boot and reopening the index. tests/unit/test_gunicorn_memory.py.
TRIM_AFTER_GROWTH = 16 * 2**20  # bytes
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _rss_pages() -> int:
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1])
    except (OSError, ValueError, IndexError):  # not Linux: no trimming
        return 0


def _load_malloc_trim():
    try:
        import ctypes

        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None


_malloc_trim = _load_malloc_trim()


def _trim() -> None:
    if _malloc_trim is not None:
        _malloc_trim(0)


def pre_request(worker, req):
    _running[threading.get_ident()] = (time.monotonic(), f"{req.method} {req.uri}", _rss_pages())


def post_request(worker, req, environ, resp):
    started = _running.pop(threading.get_ident(), None)
    first = environ.get(_FIRST_REQUEST)
    if first and started:
        # The first request on a build opens it: how long a reader waits after a start or a rebuild.
        # `make bench` and `make loadtest` read this line (bench/engines.py FIRST_REQUEST_LINE).
        worker.log.info("first request %s: worker %s answered %r (%s) in %.1f ms", first, worker.pid, started[1],
                        getattr(resp, "status", "?"), (time.monotonic() - started[0]) * 1000)
    if started and started[2] and (_rss_pages() - started[2]) * _PAGE >= TRIM_AFTER_GROWTH:
        _trim()


def _watch(worker, limit: int) -> None:
    while True:
        time.sleep(1)
        now = time.monotonic()
        hung = [(ident, started, line) for ident, (started, line, _) in list(_running.items()) if now - started > limit]
        if not hung:
            continue
        ident, started, line = hung[0]
        frame = sys._current_frames().get(ident)
        where = "".join(traceback.format_stack(frame)) if frame else "(no stack)"
        worker.log.error("watchdog: %r has run for %.0f s (ARCHIVE_REQUEST_WATCHDOG=%d); replacing worker %s. "
                         "It hangs at:\n%s", line, now - started, limit, worker.pid, where)
        worker.alive = False  # the worker's loop stops taking connections and waits for the others
        wake = getattr(worker, "method_queue", None)
        if wake is not None:  # gthread: wake its loop now rather than at its next one-second poll
            wake.defer(lambda: None)
        deadline = time.monotonic() + worker.cfg.graceful_timeout
        hung_threads = {item[0] for item in hung}
        # Wait for every other connection this worker holds, not only the requests already running: one it has
        # accepted but not yet started (in its queue, or arriving before its loop saw alive=False) would be
        # reset by the exit below. gthread counts its open connections in nr_conns; the hung ones never close.
        while time.monotonic() < deadline and (set(_running) - hung_threads
                                               or getattr(worker, "nr_conns", 0) > len(hung_threads)):
            time.sleep(0.1)
        os._exit(1)  # the hung thread would keep a normal exit waiting for ever; the master spawns a new worker


# deploy/serve.py's pool for costly searches (its gunicorn is started with --name news-archive-gunicorn-costly)
# hands the interpreter's lock from thread to thread every 0.5 ms instead of 5: while one thread runs a costly
# search, the other answers the next costly request (503 Busy) in milliseconds instead of seconds.
COSTLY_POOL_SUFFIX = "-costly"
COSTLY_SWITCH_INTERVAL = 0.0005  # seconds


WARM_PAGES = ("/", "/?q=news", "/?q=news&page=2")  # rendered once per worker before it serves (templates compiled)


def _warm_pages(worker) -> None:
    """Render the search page and a results fragment once inside the worker, so the first reader does not pay
    for compiling the templates and building the page's helpers (85-147 ms of a worker's first request at 23k
    after the index itself was warm). Marked as warm-up: web/first_request.py still logs the first real one."""
    try:
        client = worker.wsgi.test_client()
        for path in WARM_PAGES:
            for headers in ({}, {"HX-Request": "true"}):
                client.get(path, headers=headers, environ_overrides={"archive.warmup": True})
    except Exception as exc:  # noqa: BLE001 - a failed warm-up costs only the first reader's time
        worker.log.warning("worker %s: page warm-up failed: %r", worker.pid, exc)


def post_worker_init(worker):
    if (worker.cfg.proc_name or "").endswith(COSTLY_POOL_SUFFIX):
        sys.setswitchinterval(COSTLY_SWITCH_INTERVAL)
    # Open and warm the index before the first request, and each newly published build in the background
    # (search/engines/flow.py, Archive.prepare and watch): no request waits for a build to open.
    archive = getattr(worker.wsgi, "extensions", {}).get("archive")
    if archive is not None:
        started = time.monotonic()
        archive.prepare()
        archive.watch()
        _warm_pages(worker)
        took = (time.monotonic() - started) * 1000
        worker.log.info("worker %s: index opened and warmed in %.0f ms", worker.pid, took)
    if _watchdog_seconds:
        threading.Thread(target=_watch, args=(worker, _watchdog_seconds), name="watchdog", daemon=True).start()
