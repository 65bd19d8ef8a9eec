"""Helpers of the tests in a real headless Chromium (tests/system): where Chromium and axe-core are, a
WSGI app served on loopback, the intranet host pages on other origins, and a page's recorded problems.

The fixtures built on these (``browser``, ``page``, ``phone``, ``server``, ``intranet``) are in
tests/system/conftest.py.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import threading
from urllib.parse import parse_qs

from tests.support.paths import JS_DIR

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Flags for a root sandbox with no network beyond loopback (see the machine notes).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
NO_CHROMIUM = "Debian's chromium is not installed (.ci/run installs it)"

AXE = JS_DIR / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOT_DIR = os.environ.get("ARCHIVE_SCREENSHOT_DIR")  # `make screenshots` sets it to docs/

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def serve(wsgi_app):
    """Serve a WSGI app on a free loopback port in a thread; return (url, stop)."""
    from werkzeug.serving import make_server

    httpd = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
    url = f"http://127.0.0.1:{httpd.server_port}"
    # The app's absolute URLs (the embed fragment's, the feeds') come from its configured base URL, never
    # from the Host header (web/baseurl.py): while served here, that is this address.
    config = getattr(wsgi_app, "config", None)
    saved = config.get("BASE_URL") if config is not None else None
    if config is not None and "BASE_URL" in config:
        config["BASE_URL"] = url
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()

    def stop():
        httpd.shutdown()
        thread.join(5)
        httpd.server_close()
        if config is not None and "BASE_URL" in config:
            config["BASE_URL"] = saved

    return url, stop


def intranet_page(environ, start_response):
    """A host page on another origin: ``/iframe?src=URL`` frames URL, ``/htmx?app=URL`` pulls in its fragment."""
    params = parse_qs(environ.get("QUERY_STRING", ""))
    if environ["PATH_INFO"] not in ("/iframe", "/htmx"):
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
    if environ["PATH_INFO"] == "/iframe":
        body = f'<iframe src="{html.escape(params["src"][0])}" title="News archive" width="900" height="600"></iframe>'
    else:
        app = html.escape(params["app"][0])
        config = html.escape(json.dumps({"selfRequestsOnly": False}))
        body = (f'<meta name="htmx-config" content="{config}">'
                f'<script src="{app}/static/vendor/htmx-2.0.11.min.js"></script>'
                f'<h1>Intranet</h1><div hx-get="{app}/embed/fragment?q=ByteDance" '
                'hx-trigger="load" hx-swap="outerHTML">'
                'Loading…</div>')
    page = (f"<!doctype html><html lang=en><head><title>Intranet</title><link rel=icon href='data:,'></head>"
            f"<body>{body}</body></html>")
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
    return [page.encode()]


def watch(page):
    """Record console errors, uncaught exceptions and CSP violations (in any frame) in ``page.problems``."""
    page.problems = []
    page.on("console", lambda message: message.type == "error" and page.problems.append(message.text))
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    # Init scripts run through the DevTools protocol, so the page's CSP does not block this listener.
    page.add_init_script("""document.addEventListener('securitypolicyviolation', e =>
        console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));""")
