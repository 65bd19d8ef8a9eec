"""The Manticore/Sphinx deployment under failure: nodes that stop, loads that fail or are
interrupted, rebuilds that send only what changed, and the command line that drives it.

Each test starts its own real cluster (two ``searchd`` data nodes and a head, on loopback ports)
and loads the small copy of the bundled corpus (the seed and 40 Wikinews articles).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pymysql
import pytest

from search.engines.manticore import loader as loader_module
from search.engines.manticore.archive import ManticoreArchive
from search.engines.manticore.nodes import Address, free_port, searchd_path
from search.engines.manticore.sphinxql import Settings
from search.engines.whoosh.archive import WhooshArchive
from search.errors import IndexMissing, NotFound, SearchUnavailable
from search.index import build as indexer
from search.index.build import build_index
from search.index.store import IndexStore
from search.request import SearchRequest
from search.results import PARTIAL
from tests.support.cluster import cluster_settings, load_into_cluster, start_cluster
from tests.support.paths import ROOT
from web import create_app


@pytest.fixture()
def cluster(tmp_path):
    started = start_cluster(tmp_path / "cluster")
    yield started
    started.stop()


@pytest.fixture()
def settings(cluster) -> Settings:
    return cluster_settings(cluster, timeout=5)


def load(corpus: Path, root: Path, settings: Settings, incremental: bool = False) -> dict:
    return load_into_cluster(corpus, root, settings, incremental)


def app_for(root: Path, settings: Settings, monkeypatch):
    monkeypatch.setenv("ARCHIVE_MANTICORE_HOST", settings.head.host)
    monkeypatch.setenv("ARCHIVE_MANTICORE_PORT", str(settings.head.port))
    return create_app({"INDEX_DIR": str(root), "SEARCH_BACKEND": "manticore", "TESTING": True})


def test_a_stopped_node_gives_flagged_partial_results_then_full_ones_when_it_is_back(
        cluster, settings, corpus_copy, tmp_path, monkeypatch):
    root = tmp_path / "index"
    report = load(corpus_copy, root, settings)
    client = app_for(root, settings, monkeypatch).test_client()
    whole = client.get("/api/search?q=").get_json()
    assert whole["total"] == report["documents"] and whole["partial"] is False

    cluster.nodes[0].kill()
    answer = client.get("/api/search?q=")
    assert answer.status_code == 200
    degraded = answer.get_json()
    assert degraded["partial"] is True
    assert degraded["total"] == report["per_node"][1] < whole["total"]
    assert sum(v["count"] for v in degraded["facets"]["source"]) == degraded["total"]
    page = client.get("/?q=")
    assert page.status_code == 200 and PARTIAL.encode() in page.data
    assert client.get("/healthz").get_json()["partial"] is True
    facet = client.get("/api/facet/source?q=").get_json()  # a facet's full list says so too
    assert facet["partial"] is True and sum(v["count"] for v in facet["values"]) == degraded["total"]
    listed = client.get("/facet/source?q=")
    assert listed.status_code == 200 and PARTIAL.encode() in listed.data

    cluster.nodes[0].start()  # same ports and data folder: its articles come back from its binlog
    again = client.get("/api/search?q=").get_json()
    assert again["partial"] is False and again["total"] == whole["total"]
    assert client.get("/api/facet/source?q=").get_json()["partial"] is False


def test_with_no_data_node_or_no_head_the_pages_say_search_is_unavailable(
        cluster, settings, corpus_copy, tmp_path, monkeypatch):
    root = tmp_path / "index"
    load(corpus_copy, root, settings)
    client = app_for(root, settings, monkeypatch).test_client()
    for node in cluster.nodes:
        node.kill()
    response = client.get("/api/search?q=china")
    assert response.status_code == 503
    assert "no search node answered" in response.get_json()["error"]["message"]
    html = client.get("/?q=china")
    assert html.status_code == 503 and b"Search unavailable" in html.data

    cluster.head.kill()
    response = client.get("/api/search?q=china")
    assert response.status_code == 503
    assert f"{settings.head} cannot be reached" in response.get_json()["error"]["message"]
    with pytest.raises(SearchUnavailable):
        ManticoreArchive(root, settings).search(SearchRequest(q="china"))


def test_a_failed_load_publishes_nothing_and_the_served_build_keeps_answering(cluster, settings, corpus_copy, tmp_path):
    root = tmp_path / "index"
    first = load(corpus_copy, root, settings)
    served = IndexStore(root).current()
    engine = ManticoreArchive(root, settings)
    before = engine.search(SearchRequest(q="")).total

    unreachable = Settings(head=settings.head, data_nodes=(settings.data_nodes[0], Address("127.0.0.1", 9)), timeout=2)
    with pytest.raises(SearchUnavailable):
        load(corpus_copy, root, unreachable)
    assert IndexStore(root).current() == served
    assert engine.search(SearchRequest(q="")).total == before == first["documents"]
    assert not engine.search(SearchRequest(q="")).partial


def test_an_interrupted_load_publishes_nothing_and_the_next_load_repairs_the_set(
        cluster, settings, corpus_copy, tmp_path, monkeypatch):
    root = tmp_path / "index"
    first = load(corpus_copy, root, settings)
    served = IndexStore(root).current()
    engine = ManticoreArchive(root, settings)
    real_write = loader_module.Loader.write
    calls = []

    def write_then_interrupt(self, node, index, rows):
        real_write(self, node, index, rows[: len(rows) // 2])  # half of it reaches the node
        calls.append(index)
        indexer.request_stop()  # as Ctrl-C does (cli.py's signal handler)

    monkeypatch.setattr(loader_module.Loader, "write", write_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        load(corpus_copy, root, settings)
    indexer._stop_requested.clear()
    monkeypatch.setattr(loader_module.Loader, "write", real_write)
    assert calls and calls[0] != first["index"]  # it wrote to the other set, never to the one served
    assert IndexStore(root).current() == served
    assert engine.search(SearchRequest(q="")).total == first["documents"]

    second = load(corpus_copy, root, settings)
    assert second["index"] != first["index"] and second["documents"] == first["documents"]
    assert 0 < second["kept"] < second["documents"]  # the half written before is kept, the rest written
    assert engine.search(SearchRequest(q="")).total == first["documents"]


def test_rebuilds_send_only_what_changed_and_deletions_disappear(cluster, settings, corpus_copy, tmp_path):
    root = tmp_path / "index"
    first = load(corpus_copy, root, settings)  # into set a
    second = load(corpus_copy, root, settings)  # into set b: empty before
    assert (second["written"], second["deleted"]) == (first["documents"], 0)

    wikinews = next(corpus_copy.rglob("*.jsonl"))
    lines = wikinews.read_text(encoding="utf-8").splitlines(keepends=True)
    removed = json.loads(lines[-1])  # the last line: the others keep their line numbers, so their content
    wikinews.write_text("".join(lines[:-1]), encoding="utf-8")
    with WhooshArchive(root) as whoosh_before:
        removed_id = next(a.id for a in whoosh_before.iter_matches(SearchRequest(q="")) if a.title == removed["title"])

    third = load(corpus_copy, root, settings, incremental=True)  # back into set a, which holds the first build
    assert third["index"] == first["index"]
    assert third["deleted"] == 1 and third["documents"] == first["documents"] - 1
    assert third["written"] == 0 and third["kept"] == third["documents"], third  # unchanged rows stay
    assert third["renumbered"] > 0  # the changed file was indexed again under new document numbers: updated in place

    engine = ManticoreArchive(root, settings)
    with pytest.raises(NotFound):
        engine.article(removed_id)
    with WhooshArchive(root) as whoosh:
        assert (engine.search(SearchRequest(q="")).total == whoosh.search(SearchRequest(q="")).total
                == third["documents"])
        assert [a.id for a in engine.iter_matches(SearchRequest(q="", sort="newest"))] == \
            [a.id for a in whoosh.iter_matches(SearchRequest(q="", sort="newest"))]


def test_a_build_without_manticore_is_not_served_by_it(cluster, settings, corpus_copy, tmp_path):
    root = tmp_path / "index"
    build_index(corpus_copy, root, progress=False)
    with pytest.raises(IndexMissing) as refused:
        ManticoreArchive(root, settings).search(SearchRequest(q="china"))
    assert "--backend manticore" in str(refused.value)


def run_cli(*args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "search", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300)


def test_the_command_line_loads_and_queries_the_cluster(cluster, settings, corpus_copy, tmp_path):
    root = tmp_path / "index"
    env = {"ARCHIVE_MANTICORE_HOST": settings.head.host, "ARCHIVE_MANTICORE_PORT": str(settings.head.port),
           "ARCHIVE_MANTICORE_NODES": " ".join(str(a) for a in settings.data_nodes)}
    built = run_cli("index", "--backend", "manticore", "--corpus", str(corpus_copy), "--index", str(root), env=env)
    assert built.returncode == 0, built.stderr
    assert "Manticore: " in built.stdout and "on 2 node(s)" in built.stdout
    manifest = IndexStore(root).manifest()
    assert manifest["manticore"]["documents"] == manifest["documents"]

    asked = run_cli("query", "china", "--json", "--index", str(root),
                    env={**env, "ARCHIVE_SEARCH_BACKEND": "manticore"})
    assert asked.returncode == 0, asked.stderr
    whoosh = run_cli("query", "china", "--json", "--index", str(root), env={"ARCHIVE_SEARCH_BACKEND": "whoosh"})
    assert json.loads(asked.stdout)["total"] == json.loads(whoosh.stdout)["total"] > 0

    down = run_cli("index", "--backend", "manticore", "--corpus", str(corpus_copy), "--index", str(root),
                   env={**env, "ARCHIVE_MANTICORE_NODES": "127.0.0.1:9"})
    assert down.returncode == 2 and "cannot be reached" in down.stderr and "Traceback" not in down.stderr
    assert IndexStore(root).manifest()["built_at"] == manifest["built_at"]

    wrong = run_cli("index", "--corpus", str(corpus_copy), "--index", str(root), env={"ARCHIVE_SEARCH_BACKEND": "solr"})
    assert wrong.returncode == 2 and "ARCHIVE_SEARCH_BACKEND must be one of whoosh, manticore" in wrong.stderr


def test_the_node_configuration_printed_for_operators_starts_a_real_node(tmp_path):
    data = run_cli("manticore-config", "--data-dir", str(tmp_path / "d"), "--listen", "127.0.0.1:19306",
                   "--api-port", "19312")
    assert (data.returncode == 0 and data.stdout.count("type = rt") == 2
            and "rt_attr_multi_64 = company_ids" in data.stdout)
    head = run_cli("manticore-config", "--data-dir", str(tmp_path / "h"), "--agents", "10.0.0.1:9312", "10.0.0.2:9312")
    assert head.stdout.count("type = distributed") == 2
    assert "agent_persistent = 10.0.0.1:9312:articles_a" in head.stdout
    assert "agent_persistent = 10.0.0.2:9312:articles_b" in head.stdout
    # The printed configuration itself starts a node that answers SphinxQL.
    sql, api = free_port(), free_port()
    printed = run_cli("manticore-config", "--data-dir", str(tmp_path / "p"), "--listen", f"127.0.0.1:{sql}",
                      "--api-port", str(api))
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "sphinx.conf").write_text(printed.stdout)
    process = subprocess.Popen([searchd_path(), "--config", str(tmp_path / "p" / "sphinx.conf"), "--nodetach"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                connection = pymysql.connect(host="127.0.0.1", port=sql, connect_timeout=1)
                break
            except pymysql.err.OperationalError:
                assert process.poll() is None and time.monotonic() < deadline, (
                    "searchd did not start on the printed config")
                time.sleep(0.1)
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM articles_a")
            assert cursor.fetchall() == ((0,),)
        connection.close()
    finally:
        process.terminate()
        process.wait(30)
