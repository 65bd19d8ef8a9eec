"""The search page in headless Chromium over real HTTP, answered by a real SolrCloud cluster.

The web layer does not know which engine answers; this checks it in the browser on the Solr engine
(the session cluster of tests/support/solr.py, the bundled corpus loaded by ``solr_build``: 2 shards x
2 replicas): typing a query, narrowing by a facet, opening an article, the results staying complete with
one node down (another replica answers), and the notice a reader sees when a shard has no live replica.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.support.browser import serve
from tests.support.solr import restart
from web import create_app


@pytest.fixture(scope="module")
def server(solr_build, solr_cluster):
    root, alias = solr_build
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ARCHIVE_SOLR_URLS", ",".join(solr_cluster.urls))
        patch.setenv("ARCHIVE_SOLR_ALIAS", alias)
        app = create_app({"INDEX_DIR": str(root), "SEARCH_BACKEND": "solr"})
    url, stop = serve(app)
    yield url
    stop()
    app.extensions["archive"].close()


@pytest.fixture(scope="module")
def shards(solr_build, solr_cluster) -> list[list]:
    """[[the node of each replica] of each shard] of the loaded collection."""
    root, _alias = solr_build
    collection = json.loads((root / "current" / "manifest.json").read_text())["solr"]["collection"]
    by_name = {node.node_name: node for node in solr_cluster.nodes}
    return [[by_name[name] for name in names] for names in solr_cluster.placement(collection).values()]


def _count(page) -> int:
    return int(page.inner_text("#result-count").split()[0].replace(",", ""))


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
    assert _count(page) < int(before.split()[0].replace(",", ""))
    page.locator(".hit-title a").first.click()
    expect(page.locator("article h1")).to_be_visible()
    assert page.problems == []


def test_one_node_down_the_reader_sees_every_result(page, server, solr_cluster, shards):
    page.goto(server + "/?q=china")
    whole = _count(page)
    victim = shards[0][0]
    assert all(any(node is not victim for node in nodes) for nodes in shards)
    victim.kill()
    try:
        page.goto(server + "/?q=china")
        assert _count(page) == whole
        assert page.locator(".notice.partial").count() == 0
    finally:
        restart(solr_cluster, victim)


def test_a_reader_is_told_when_part_of_the_archive_did_not_answer(page, server, solr_cluster, shards):
    page.goto(server + "/?q=china")
    whole = _count(page)
    assert page.locator(".notice.partial").count() == 0
    down = shards[0]  # both replicas of one shard
    for node in down:
        node.kill()
    try:
        page.goto(server + "/?q=china")
        expect(page.locator(".notice.partial")).to_contain_text("Part of the archive did not answer")
        assert 0 < _count(page) < whole
    finally:
        for node in down[:-1]:
            node.start()
        restart(solr_cluster, down[-1])  # waits for every node live and every replica active
    page.goto(server + "/?q=china")
    assert _count(page) == whole
    assert page.locator(".notice.partial").count() == 0
