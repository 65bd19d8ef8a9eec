"""The app under a path prefix behind a reverse proxy, the real stack: Debian's nginx running the server
blocks of deploy/nginx-news-search.conf in front of `make serve` (deploy/serve.py: its own nginx front,
then gunicorn with gunicorn.conf.py), over HTTP on loopback, including an index rebuild while a client
keeps searching and a reload; and the settings gunicorn reads.

Through Flask's test client first (X-Forwarded-* headers ignored unless ARCHIVE_TRUST_PROXY says a
proxy sets them, then every URL of every page under the prefix): tests/integration/test_proxy.py.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from search.index.build import build_index
from tests.support.paths import ROOT, SMALL_CORPUS_RECORDS, copy_small_corpus
from tests.support.proxy import (
    FEED_PATHS,
    PREFIX,
    SEED_HEADLINE,
    first_article_path,
    outside_prefix,
    own_absolute_urls,
    own_paths,
    text,
    url_attributes,
)
from tests.support.serving import Service, fetch, free_port

NGINX_SAMPLE = ROOT / "deploy" / "nginx-news-search.conf"
NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx", "/sbin/nginx") if os.access(p, os.X_OK)), None)


# --- gunicorn.conf.py -----------------------------------------------------------------------------

def test_gunicorn_reads_the_archive_settings(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ARCHIVE_", "GUNICORN_", "FORWARDED_ALLOW"))}
    env.update(ARCHIVE_HOST="::1", ARCHIVE_PORT="8123", ARCHIVE_WORKERS="3", ARCHIVE_THREADS="5",
               ARCHIVE_INDEX_DIR=str(tmp_path))
    printed = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "--print-config", "web:create_app()"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=30, check=True).stdout  # from any folder
    settings = dict(re.findall(r"^(\w+)\s+= (.*)$", printed, re.MULTILINE))
    assert settings["bind"] == "['[::1]:8123']"
    assert (settings["workers"], settings["threads"], settings["worker_class"]) == ("3", "5", "gthread")
    assert (settings["accesslog"], settings["errorlog"], settings["preload_app"]) == ("-", "-", "False")
    assert "%(M)sms" in settings["access_log_format"]
    assert settings["chdir"] == str(ROOT)
    # Forwarded headers are the app's business (ARCHIVE_TRUST_PROXY), not gunicorn's.
    assert (settings["secure_scheme_headers"], settings["forwarder_headers"]) == ("{}", "[]")
    assert settings["control_socket_disable"] == "True"


# --- The real stack: nginx (the sample config) -> make serve (nginx front -> gunicorn) -> the app -----

NEW_ARTICLE = """COMPANIES
Quuxwidget maker opens intranet showroom
Published: Mar 04, 2024 09:30 AM
By Test Desk

The quuxwidget, a device nobody else has written about, went on show on Monday.

Its makers said the quuxwidget would be sold from next year.
"""
NEW_WORD = "quuxwidget"
SITE = {"Host": "intranet.example"}
BASE_URL = f"http://intranet.example{PREFIX}"


def server_blocks(upstream_port: int, listen_port: int) -> str:
    """Return the sample's server blocks, listening on loopback and proxying to the test's `make serve`."""
    text = "\n".join(line.split("#", 1)[0].rstrip() for line in NGINX_SAMPLE.read_text().splitlines())
    blocks = []
    for start in re.finditer(r"^server\s*\{", text, re.MULTILINE):
        depth = 0
        for end in range(start.end() - 1, len(text)):
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            if depth == 0:
                break
        blocks.append(text[start.start() : end + 1])
    assert len(blocks) == 2, f"{NGINX_SAMPLE}: a default server that refuses other Hosts, and the site"
    text = "\n".join(blocks)
    assert text.count("127.0.0.1:5000") == 1, "the sample should proxy to make serve on 127.0.0.1:5000 once"
    text = text.replace("127.0.0.1:5000", f"127.0.0.1:{upstream_port}")
    text, listens = re.subn(r"^(\s*)listen\s+80(\s+default_server)?;", rf"\1listen 127.0.0.1:{listen_port}\2;", text,
                            flags=re.MULTILINE)
    assert listens == 2, "the test replaces the sample's two listen directives"
    return text


def nginx_conf(folder: Path, upstream_port: int, listen_port: int) -> str:
    # As root the workers would switch to user nobody, who cannot enter pytest's private tmp folder.
    user = "user root;\n" if os.geteuid() == 0 else ""
    kinds = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    temp = "\n".join(f"    {kind}_temp_path {folder / kind};" for kind in kinds)
    return f"""{user}worker_processes 1;
pid {folder / 'nginx.pid'};
error_log {folder / 'nginx-error.log'} notice;
events {{ worker_connections 256; }}
http {{
    access_log {folder / 'nginx-access.log'};
{temp}
{server_blocks(upstream_port, listen_port)}
}}
"""


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    if NGINX is None:
        pytest.skip("nginx is not installed (.ci/run installs Debian's nginx)")
    folder = tmp_path_factory.mktemp("stack")
    corpus = copy_small_corpus(folder / "corpus")
    index = folder / "index"
    build_index(corpus, index, progress=False)
    serve_port, nginx_port = free_port(), free_port()

    # `make serve` as the sample says: one proxy before it, the public address as ARCHIVE_BASE_URL.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ARCHIVE_", "GUNICORN_", "FORWARDED_ALLOW"))}
    env.update(ARCHIVE_INDEX_DIR=str(index), ARCHIVE_TRUST_PROXY="1", ARCHIVE_WORKERS="2", ARCHIVE_THREADS="4",
               ARCHIVE_HOST="127.0.0.1", ARCHIVE_PORT=str(serve_port), ARCHIVE_RUN_DIR=str(folder / "run"),
               ARCHIVE_BASE_URL=BASE_URL)
    services = []
    try:
        # deploy/serve.py, as `make serve` runs it: its own nginx front and gunicorn (whose logs are in its output).
        gunicorn = Service("serve", [sys.executable, str(ROOT / "deploy" / "serve.py")], folder, cwd=ROOT, env=env)
        services.append(gunicorn)
        gunicorn.wait_until(lambda: fetch(serve_port, "/healthz", timeout=2)[0] == 200, "/healthz", timeout=30)

        conf = folder / "nginx.conf"
        conf.write_text(nginx_conf(folder, serve_port, nginx_port))
        nginx = Service("nginx", [NGINX, "-p", str(folder), "-e", str(folder / "nginx-error.log"), "-c", str(conf),
                                  "-g", "daemon off;"], folder)
        services.append(nginx)
        nginx.wait_until(lambda: fetch(nginx_port, f"{PREFIX}/healthz", SITE, timeout=2)[0] == 200, f"{PREFIX}/healthz",
                         logs=nginx.logs(folder / "nginx-error.log", conf) + "\n" + gunicorn.logs())
        yield {"port": nginx_port, "gunicorn": gunicorn, "nginx": nginx, "corpus": corpus, "index": index,
               "folder": folder}
    finally:
        for service in reversed(services):
            service.stop()


def stack_logs(stack) -> str:
    folder = stack["folder"]
    return stack["nginx"].logs(folder / "nginx-error.log") + "\n" + stack["gunicorn"].logs()


def through_nginx(stack, path: str, headers: dict | None = None):
    """A request to the sample's site (Host: intranet.example, its server_name)."""
    return fetch(stack["port"], path, {**SITE, **(headers or {})})


def test_search_page_through_nginx(stack):
    status, headers, html = through_nginx(stack, f"{PREFIX}/?q=ByteDance")
    assert status == 200, stack_logs(stack)
    assert SEED_HEADLINE in text(html)
    assert "no-cache" in headers["cache-control"]
    paths = own_paths(html, {"intranet.example"})
    assert len(paths) > 10 and outside_prefix(paths) == []

    status, headers, _ = through_nginx(stack, PREFIX)  # without the slash: nginx redirects
    assert status == 301 and urlsplit(headers["location"]).path == f"{PREFIX}/"


def test_static_files_through_nginx_are_cached_for_a_year(stack):
    html = through_nginx(stack, f"{PREFIX}/?q=ByteDance")[2]
    statics = [v for t, n, v in url_attributes(html)
               if (t, n) in (("link", "href"), ("script", "src")) and "/static/" in v]
    assert len(statics) == 3, statics  # the stylesheet, htmx and page.js
    for url in statics:
        status, headers, body = through_nginx(stack, url)
        assert status == 200 and body, url
        cache = headers["cache-control"]
        assert "immutable" in cache and "max-age=31536000" in cache, (url, cache)
        assert headers["content-type"].split(";")[0] in ("text/css", "text/javascript", "application/javascript")


def test_htmx_fragment_and_article_through_nginx(stack):
    status, headers, fragment = through_nginx(stack, f"{PREFIX}/?q=ByteDance&sort=relevance", {"HX-Request": "true"})
    assert status == 200
    assert headers["hx-push-url"] == f"{PREFIX}/?q=ByteDance"
    assert "<html" not in fragment and SEED_HEADLINE in text(fragment)

    article = first_article_path(fragment)
    assert article.startswith(f"{PREFIX}/article/")
    status, _, page = through_nginx(stack, article)
    assert status == 200 and SEED_HEADLINE in text(page)
    assert outside_prefix(own_paths(page, {"intranet.example"})) == []


def test_feeds_and_opensearch_through_nginx(stack):
    for path in FEED_PATHS:
        status, _, body = through_nginx(stack, PREFIX + path)
        assert status == 200, (path, stack_logs(stack))
        urls = own_absolute_urls(body, "intranet.example")
        assert all(url.startswith(f"{BASE_URL}/") for url in urls), (path, urls)
        assert urls or path.startswith("/suggest"), path


def test_healthz_through_nginx(stack):
    status, headers, body = through_nginx(stack, f"{PREFIX}/healthz")
    assert status == 200 and headers["content-type"].startswith("application/json")
    assert json.loads(body)["documents"] == 1 + SMALL_CORPUS_RECORDS


def workers_that_found_it(gunicorn: Service, baseline: int) -> set[str]:
    """Return the pids of the workers whose access log shows a search for the new word with a hit
    (a page at least 500 bytes longer than the one that said "no articles")."""
    log = gunicorn.stdout_path.read_text()
    lines = re.findall(rf'"GET /\?q={NEW_WORD} HTTP/1\.[01]" 200 (\d+) .*pid=<(\d+)>', log)
    return {pid for size, pid in lines if int(size) > baseline + 500}


def found(html: str) -> bool:
    return "Quuxwidget maker opens intranet showroom" in text(html)


def test_rebuilt_index_is_served_without_restart_or_failed_requests(stack):
    gunicorn = stack["gunicorn"]
    status, headers, html = through_nginx(stack, f"{PREFIX}/?q={NEW_WORD}")
    assert status == 200 and not found(html)
    baseline = int(headers["content-length"])  # the size of "no articles"

    results: list[tuple[float, float, int | str]] = []  # (start, end, status or error)
    stop = threading.Event()

    def keep_searching():
        queries = ["ByteDance", NEW_WORD, "police"]
        n = 0
        while not stop.is_set():
            started = time.monotonic()
            try:
                outcome = through_nginx(stack, f"{PREFIX}/?q={queries[n % 3]}")[0]
            except OSError as exc:
                outcome = repr(exc)
            results.append((started, time.monotonic(), outcome))
            n += 1

    client = threading.Thread(target=keep_searching)
    client.start()
    try:
        time.sleep(0.3)
        (stack["corpus"] / "global-times" / "2024-03-04-quuxwidget-showroom.txt").write_text(NEW_ARTICLE)
        build_started = time.monotonic()
        report = build_index(stack["corpus"], stack["index"], progress=False)
        build_ended = time.monotonic()
        assert report.documents == 2 + SMALL_CORPUS_RECORDS

        # Every request from now on sees the new build, whichever worker answers it; go on until both
        # workers are seen answering it (the access log has each response's size and worker pid).
        deadline, done = time.monotonic() + 10, 0
        while done < 20 or (len(workers_that_found_it(gunicorn, baseline)) < 2 and time.monotonic() < deadline):
            status, _, html = through_nginx(stack, f"{PREFIX}/?q={NEW_WORD}")
            assert status == 200 and found(html), stack_logs(stack)
            done += 1
        time.sleep(0.2)
    finally:
        stop.set()
        client.join(10)

    failures = [outcome for _, _, outcome in results if outcome != 200]
    assert failures == [], f"{len(failures)} of {len(results)} requests failed: {failures[:5]}\n{stack_logs(stack)}"
    during = [r for r in results if r[0] < build_ended and r[1] > build_started]
    assert len(results) > 20 and during, (len(results), len(during))
    assert gunicorn.process.poll() is None  # the same gunicorn, never restarted
    assert len(workers_that_found_it(gunicorn, baseline)) == 2, gunicorn.stdout_path.read_text()[-3000:]
    assert json.loads(through_nginx(stack, f"{PREFIX}/healthz")[2])["documents"] == 2 + SMALL_CORPUS_RECORDS


def test_gunicorn_access_log_has_the_requests(stack):
    html = through_nginx(stack, f"{PREFIX}/?q=ByteDance")[2]
    stylesheet = next(v for t, n, v in url_attributes(html) if t == "link" and "style.css" in v)
    assert through_nginx(stack, stylesheet)[0] == 200
    # gunicorn writes the line once the response is sent: give it a moment. It sees paths without the prefix.
    line = re.compile(r'^127\.0\.0\.1 - \[[^]]+\] "GET /static/style\.css\?v=\w+ HTTP/1\.[01]" 200 \d+ \d+ms '
                      r'"[^"]*" "[^"]*" pid=<\d+>$', re.MULTILINE)
    deadline = time.monotonic() + 5
    while not line.search(log := stack["gunicorn"].stdout_path.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert line.search(log), log[-3000:]
    assert re.search(r'"GET /\?q=ByteDance HTTP/1\.[01]" 200 \d+ \d+ms', log)
    assert re.search(r'"GET /healthz HTTP/1\.[01]" 200 \d+ \d+ms', log)
    nginx_log = (stack["folder"] / "nginx-access.log").read_text()
    assert f'"GET {PREFIX}/?q=ByteDance HTTP/1.1" 200' in nginx_log
    errors = stack["gunicorn"].stderr_path.read_text()
    assert errors.count("Booting worker") >= 2 and "Traceback" not in errors, errors


def test_hup_reloads_workers_without_failed_requests(stack):
    gunicorn = stack["gunicorn"]
    booted = gunicorn.stderr_path.read_text().count("Booting worker")
    results: list[int | str] = []
    stop = threading.Event()

    def keep_searching():
        while not stop.is_set():
            try:
                results.append(through_nginx(stack, f"{PREFIX}/?q=ByteDance")[0])
            except OSError as exc:
                results.append(repr(exc))

    client = threading.Thread(target=keep_searching)
    client.start()
    try:
        gunicorn.process.send_signal(signal.SIGHUP)
        gunicorn.wait_until(lambda: gunicorn.stderr_path.read_text().count("Booting worker") >= booted + 2,
                            "two new workers after HUP")
        time.sleep(0.5)
    finally:
        stop.set()
        client.join(10)
    failures = [outcome for outcome in results if outcome != 200]
    assert results and failures == [], f"{failures[:5]}\n{stack_logs(stack)}"
    assert gunicorn.process.poll() is None


def test_the_sample_refuses_other_hosts_and_bounds_slow_clients(stack):
    status, _, _ = fetch(stack["port"], f"{PREFIX}/?q=ByteDance", {"Host": "evil.example"})
    assert status == 421
    assert through_nginx(stack, f"{PREFIX}/?q=ByteDance")[0] == 200
    sample = NGINX_SAMPLE.read_text()
    for directive in ("client_header_timeout", "client_body_timeout", "send_timeout", "client_max_body_size",
                      "large_client_header_buffers", "proxy_request_buffering on", "proxy_buffering on",
                      "proxy_read_timeout", "listen 80 default_server"):
        assert re.search(rf"^\s*{directive}\b", sample, re.MULTILINE), directive
