"""The system tier: what tests/integration has (the bundled index and the app on it, from
tests/support/index.py), plus the fixtures shared by its modules: a headless Chromium with its pages,
the app served on loopback beside two intranet origins (tests/support/browser.py), and the hostile
corpus indexed and served (tests/support/hostile.py), and a local SolrCloud once per session
(tests/support/solr.py).

Module-scoped fixtures here are, as before, one per test module that uses them.
"""

from __future__ import annotations

import pytest

from tests.support import index, solr
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, PHONE, intranet_page, serve, watch
from tests.support.hostile import build_hostile

bundled_index = index.bundled_index
archive = index.archive
app = index.app
client = index.client
http = index.http
parser_and_reader = index.parser_and_reader
corpus_copy = index.corpus_copy
solr_cluster = solr.solr_cluster
solr_build = solr.solr_build


@pytest.fixture(scope="module")
def intranet():
    """Two intranet origins: (allowed, other)."""
    allowed, stop_allowed = serve(intranet_page)
    other, stop_other = serve(intranet_page)
    yield allowed, other
    stop_allowed()
    stop_other()


@pytest.fixture(scope="module")
def server(bundled_index, intranet):
    from web import create_app

    app = create_app({"INDEX_DIR": str(bundled_index), "EMBED_ALLOWED_ORIGINS": intranet[0]})
    url, stop = serve(app)
    yield url
    stop()
    app.extensions["archive"].close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    watch(page)
    yield page
    context.close()


@pytest.fixture()
def phone(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    watch(page)
    yield page
    context.close()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The hostile corpus (164 payloads in every field of 492 articles) indexed beside a small copy of the
    bundled corpus, the app on it and the benign baseline; one per module (test_hostile.py, test_hostile_feeds.py)."""
    yield from build_hostile(tmp_path_factory)


@pytest.fixture(scope="session")
def real_index(tmp_path_factory):
    """Reuters-21578 + BBC News + Wikinews (23,357 articles) imported as `make bench` imports them and indexed,
    once per session (about two minutes): what the cost and contention tests run against."""
    from bench.corpus import import_real_corpus
    from search.index.build import build_index
    from tests.support.paths import SHARED

    work = tmp_path_factory.mktemp("real")
    import_real_corpus(SHARED, work / "corpus", log=lambda line: None)
    build_index(work / "corpus", work / "index", progress=False)
    return work / "index"
