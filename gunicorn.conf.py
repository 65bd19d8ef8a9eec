"""gunicorn settings for `make serve`: `python -m gunicorn -c gunicorn.conf.py "web:create_app()"`.

Everything comes from the ARCHIVE_* settings in search/config.py (documented in docs/configuration.md), so the
app and the server read one list. Names here are gunicorn's own settings; gunicorn ignores others,
but a module-level name that happens to be a gunicorn setting is read as one (hence ``_settings``,
not ``config``, which is gunicorn's name for this file's path).
"""

import sys
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

# A search takes milliseconds; a worker silent for 30 s is stuck and is replaced.
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
