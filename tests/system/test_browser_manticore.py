"""The search page in headless Chromium over real HTTP, answered by a real searchd cluster.

The web layer does not know which engine answers; this checks it in the browser: typing a
query, narrowing by a facet, opening an article, and the notice a reader sees when a data node
stops answering.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.browser import serve
from tests.support.cluster import cluster_settings, load_into_cluster, start_cluster
from tests.support.paths import CORPUS
from web import create_app


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    started = start_cluster(tmp_path_factory.mktemp("browser-cluster"))
    yield started
    started.stop()


@pytest.fixture(scope="module")
def server(cluster, tmp_path_factory):
    root = tmp_path_factory.mktemp("browser-manticore-index")
    settings = cluster_settings(cluster, timeout=5)
    load_into_cluster(CORPUS, root, settings)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ARCHIVE_MANTICORE_HOST", settings.head.host)
        patch.setenv("ARCHIVE_MANTICORE_PORT", str(settings.head.port))
        app = create_app({"INDEX_DIR": str(root), "SEARCH_BACKEND": "manticore"})
    url, stop = serve(app)
    yield url
    stop()
    app.extensions["archive"].close()


def test_search_facet_and_article_on_the_cluster(page, server):
    page.goto(server + "/")
    page.fill("#q", "ByteDance")
    expect(page.locator("#result-count")).to_contain_text("1 article for ByteDance")
    assert page.inner_text(".hit-title") == "ByteDance denies report of selling AI technology"
    assert page.inner_html(".hit .snippet").count("<mark>ByteDance</mark>") >= 1
    names = {text.rsplit(None, 1)[0] for text in page.locator("#facet-company label").all_inner_texts()}
    assert {"ByteDance", "TikTok", "BytePlus", "Financial Times", "Goat"} <= names

    page.goto(server + "/?q=police")
    before = page.inner_text("#result-count")
    page.locator("#facet-company input").first.check()
    expect(page.locator("#facet-company input").first).to_be_checked()
    expect(page.locator("#result-count")).not_to_have_text(before)
    assert int(page.inner_text("#result-count").split()[0]) < int(before.split()[0])
    page.locator(".hit-title a").first.click()
    expect(page.locator("article h1")).to_be_visible()
    assert page.problems == []


def test_a_reader_is_told_when_part_of_the_archive_did_not_answer(page, server, cluster):
    page.goto(server + "/?q=china")
    whole = int(page.inner_text("#result-count").split()[0])
    assert page.locator(".notice.partial").count() == 0
    cluster.nodes[1].kill()
    try:
        page.goto(server + "/?q=china")
        expect(page.locator(".notice.partial")).to_contain_text("Part of the archive did not answer")
        assert int(page.inner_text("#result-count").split()[0]) < whole
    finally:
        cluster.nodes[1].start()
    page.goto(server + "/?q=china")
    assert int(page.inner_text("#result-count").split()[0]) == whole
    assert page.locator(".notice.partial").count() == 0
