"""The app with one more route, /_test/hang, whose request never ends (it waits on an event nobody sets):
what a hung search looks like to gunicorn. Served by tests/system/test_serve.py's watchdog test as
`gunicorn -c gunicorn.conf.py "tests.support.hanging:create_app()"`."""

from __future__ import annotations

import threading

_never = threading.Event()


def create_app():
    from web import create_app as create_web_app

    app = create_web_app()

    @app.get("/_test/hang")
    def hang():
        _never.wait()
        return "never"

    return app
