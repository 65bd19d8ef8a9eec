"""Marks the first request a worker answers on each build (after it starts, after a rebuild is published),
for gunicorn.conf.py to log how long it took: that request opens the build, and `make bench` and
`make loadtest` report it per worker (docs/benchmarks.md)."""

from __future__ import annotations

import threading
from pathlib import Path

from flask import Flask, current_app, request

ENVIRON_KEY = "archive.first_request"  # read by gunicorn.conf.py's post_request


WARMUP_KEY = "archive.warmup"  # set by gunicorn.conf.py's page warm-up: not a reader's request


def before_request():
    if request.environ.get(WARMUP_KEY):
        return
    state = current_app.extensions["first_request"]
    store = getattr(current_app.extensions["archive"], "store", None)
    generation = store.generation() if store is not None else ""
    if generation == state["generation"]:
        return
    with state["lock"]:
        if generation == state["generation"]:
            return
        kind = "after start" if state["generation"] is None else "after a rebuild"
        state["generation"] = generation
    request.environ[ENVIRON_KEY] = f"{kind}, build {Path(generation).name or '(none)'}"


def init_app(app: Flask) -> None:
    app.extensions["first_request"] = {"generation": None, "lock": threading.Lock()}
    app.before_request(before_request)
