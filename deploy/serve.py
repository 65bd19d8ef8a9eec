"""`make serve`: nginx on $ARCHIVE_HOST:$ARCHIVE_PORT in front of gunicorn on a private socket.

    python deploy/serve.py            # what `make serve` runs; settings are the ARCHIVE_* variables

Writes deploy/nginx-front.conf (its @@NAME@@ placeholders filled in) and the two files it includes into
$ARCHIVE_RUN_DIR (default run/, mode 0700), starts two gunicorn pools (gunicorn.conf.py): ARCHIVE_WORKERS
processes for ordinary searches on the socket run/gunicorn.sock and ARCHIVE_COSTLY_WORKERS for costly ones
(wildcards, fuzzy words, phrases, long pages, exports; the front tells them apart) on run/costly.sock, then,
once the sockets are there, Debian's nginx (`nginx -p RUN_DIR -c RUN_DIR/nginx.conf -g 'daemon off;'`).
All stay in the foreground under this process, their logs on its stdout and stderr (nginx's access log is
RUN_DIR/access.log, each line naming the pool that answered):

- TERM or INT: all stop (gunicorn lets running requests finish, nginx closes its connections);
- HUP: the gunicorn pools reload the code into new workers, nginx rereads its config;
- USR1: nginx reopens its access log, RUN_DIR/access.log (after logrotate moved it);
- any one exits: the others are stopped and this process exits non-zero, for the service manager to restart.

Why a front at all, and what each of its settings does: deploy/nginx-front.conf and docs/production.md.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from search import config  # noqa: E402  (after the path: run as a script from anywhere)
from web.baseurl import WILDCARD_HOSTS, parse_base_url  # noqa: E402

DEPLOY = ROOT / "deploy"
TEMPLATE = DEPLOY / "nginx-front.conf"
INCLUDED = ("nginx-front-errors.conf", "nginx-front-headers.conf")
NGINX_PLACES = ("/usr/sbin/nginx", "/sbin/nginx", "/usr/local/sbin/nginx")
SOCKET_WAIT = 60  # seconds for gunicorn to open its socket (each worker opens the index)


def find_nginx() -> str:
    found = shutil.which("nginx") or next((p for p in NGINX_PLACES if os.access(p, os.X_OK)), None)
    if not found:
        raise SystemExit("make serve needs nginx in front of gunicorn: apt-get install nginx (.ci/run does)")
    return found


def listen_address(host: str, port: int) -> str:
    if host in WILDCARD_HOSTS:
        return f"{'[::]' if ':' in host else '0.0.0.0'}:{port}"
    return f"[{host.strip('[]')}]:{port}" if ":" in host else f"{host}:{port}"


def server_names(host: str, base_url: str) -> list[str]:
    """The Host names the front answers: ARCHIVE_BASE_URL's host first, the loopback names, ARCHIVE_HOST."""
    names = []
    if base_url:
        from urllib.parse import urlsplit

        hostname = urlsplit(base_url).hostname or ""
        names.append(f"[{hostname}]" if ":" in hostname else hostname)
    names += ["localhost", "127.0.0.1", "[::1]"]
    if host not in WILDCARD_HOSTS:
        names.append(f"[{host.strip('[]')}]" if ":" in host else host)
    return list(dict.fromkeys(name.lower() for name in names if name))


def nginx_config(run_dir: Path, socket_path: Path, listen: str, names: list[str],
                 costly_socket: Path | None = None) -> str:
    # As root nginx's workers would switch to `nobody`, who cannot enter a 0700 run folder: they stay root.
    # Run `make serve` as an unprivileged user in production: then nginx switches to no one.
    user = "user root;" if os.geteuid() == 0 else ""
    text = TEMPLATE.read_text()
    for name, value in {"USER": user, "RUN_DIR": str(run_dir), "SOCKET": str(socket_path), "LISTEN": listen,
                        "COSTLY_SOCKET": str(costly_socket or socket_path),
                        "SERVER_NAMES": " ".join(names), "FIRST_NAME": names[0]}.items():
        text = text.replace(f"@@{name}@@", value)
    left = re.findall(r"@@[A-Z_]+@@", text.replace("@@NAME@@", ""))
    if left:
        raise SystemExit(f"{TEMPLATE}: placeholders left unfilled: {left}")
    return text


def prepare(environ: dict) -> dict:
    """Write the run folder; return what to start."""
    host = config.get("HOST", environ).strip()
    port = config.get_int("PORT", environ, high=65535)
    base_url = parse_base_url(config.get("BASE_URL", environ))
    proxies = config.get_int("TRUST_PROXY", environ, low=0, high=9)
    run_dir = config.get_path("RUN_DIR", environ)
    run_dir.mkdir(parents=True, exist_ok=True)
    run_dir.chmod(0o700)  # the socket inside: nothing but nginx (and this user) reaches gunicorn
    socket_path = run_dir / "gunicorn.sock"
    costly_workers = config.get_int("COSTLY_WORKERS", environ, low=0, high=256)
    costly_socket = run_dir / "costly.sock" if costly_workers else None
    conf = run_dir / "nginx.conf"
    conf.write_text(nginx_config(run_dir, socket_path, listen_address(host, port), server_names(host, base_url),
                                 costly_socket))
    for name in INCLUDED:
        (run_dir / name).write_text((DEPLOY / name).read_text())
    nginx = find_nginx()
    nginx_args = [nginx, "-p", str(run_dir), "-e", "stderr", "-c", str(conf)]
    checked = subprocess.run([*nginx_args, "-t", "-q"], capture_output=True, text=True)
    if checked.returncode:
        raise SystemExit(f"nginx refuses {conf}:\n{checked.stderr}")
    gunicorn_env = dict(environ)
    # The front is one more proxy: the app trusts its X-Forwarded-* (and those of the proxies before it).
    gunicorn_env[config.PREFIX + "TRUST_PROXY"] = str(proxies + 1)
    pools = {"gunicorn": (socket_path, gunicorn_env)}
    if costly_socket:
        # Few threads: a costly search takes the one slot of its process (search/deadline.py heavy_slot); the
        # others wait for it half a second at most, then answer 503 Busy, rather than queueing for long.
        pools["gunicorn-costly"] = (costly_socket, {**gunicorn_env, config.PREFIX + "WORKERS": str(costly_workers),
                                                    config.PREFIX + "THREADS": "4"})
    return {
        "pools": {name: {"socket": path, "env": env,
                         "command": [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
                                     "--bind", f"unix:{path}", "--name", f"news-archive-{name}", "web:create_app()"]}
                  for name, (path, env) in pools.items()},
        "nginx": [*nginx_args, "-g", "daemon off;"],
    }


def stop(process: subprocess.Popen | None, sig: int = signal.SIGTERM, wait: float = 30) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(wait)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def main() -> int:
    plan = prepare(dict(os.environ))
    children: dict[str, subprocess.Popen] = {}
    stopping = []

    def on_signal(signum, _frame):
        if signum == signal.SIGHUP:
            for child in children.values():
                if child.poll() is None:
                    child.send_signal(signal.SIGHUP)
        elif signum == signal.SIGUSR1:
            if "nginx" in children and children["nginx"].poll() is None:
                children["nginx"].send_signal(signal.SIGUSR1)
        else:
            stopping.append(signum)

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGUSR1):
        signal.signal(signum, on_signal)
    try:
        for name, pool in plan["pools"].items():
            pool["socket"].unlink(missing_ok=True)
            children[name] = subprocess.Popen(pool["command"], cwd=ROOT, env=pool["env"])
        deadline = time.monotonic() + SOCKET_WAIT
        for name, pool in plan["pools"].items():
            while not pool["socket"].exists():
                if stopping or children[name].poll() is not None or time.monotonic() > deadline:
                    print(f"serve: {name} did not open {pool['socket']}", file=sys.stderr)
                    return 1
                time.sleep(0.1)
        if not stopping:
            children["nginx"] = subprocess.Popen(plan["nginx"])
        while not stopping:
            for name, child in children.items():
                if child.poll() is not None:
                    print(f"serve: {name} exited with {child.returncode}; stopping", file=sys.stderr)
                    return 1
            time.sleep(0.2)
        return 0
    finally:
        stop(children.get("nginx"), signal.SIGQUIT, 20)  # graceful: finishes sending what it holds
        for name in plan["pools"]:
            stop(children.get(name))


if __name__ == "__main__":
    sys.exit(main())
