"""A gunicorn worker renders the search page and a results fragment once before it serves (gunicorn.conf.py
``_warm_pages``): the templates are compiled, and the warm-up is not taken for the first reader's request
(web/first_request.py still marks that one, which `make bench` and `make loadtest` report)."""

import importlib.util
import logging
import types

from tests.support.paths import ROOT
from web import create_app


def load_gunicorn_conf():
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_worker_renders_its_pages_before_serving_without_counting_it_as_the_first_request(bundled_index):
    app = create_app({"INDEX_DIR": str(bundled_index), "TESTING": True})
    try:
        assert not app.jinja_env.cache  # nothing compiled yet
        worker = types.SimpleNamespace(wsgi=app, pid=0, log=logging.getLogger("test-warmup"))
        load_gunicorn_conf()._warm_pages(worker)
        compiled = {name for (_, name) in app.jinja_env.cache.keys()}
        assert {"search.html", "_partials/_results.html"} <= compiled, compiled
        assert app.extensions["first_request"]["generation"] is None  # the warm-up was not a reader
        with app.test_request_context("/?q=police"):
            from flask import request

            from web import first_request

            first_request.before_request()
            assert request.environ.get(first_request.ENVIRON_KEY, "").startswith("after start")
    finally:
        app.extensions["archive"].close()
