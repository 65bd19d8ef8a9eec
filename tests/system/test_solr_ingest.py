"""``python -m search index --backend solr`` against a real SolrCloud (the session's 3 nodes): direct ingest,
no Whoosh staging (search/engines/solr/loader.py).

A full load holds what the Whoosh build of the same corpus holds (documents, facet counts, term totals, the
vocabulary, near-duplicate groups, BM25F's average lengths); a rebuild swaps the alias; a load that fails,
is interrupted or loses a node publishes nothing; an incremental load sends only what changed.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh.query import Term

from search.engines.solr import build_files, fields, loader
from search.engines.solr.cluster import SolrCluster
from search.index.build import INDEX_NAME, BuildFailed
from search.index.store import IndexStore
from search.index.vocabulary import Vocabulary
from search.ingest.corpus import CorpusReader, list_corpus_files
from search.text.analysis import text_terms
from tests.support import solr
from tests.support.paths import CORPUS

pytestmark = pytest.mark.usefixtures("solr_cluster")
WORDS = ("company", "said", "market", "china", "billion", "technology")


def _cluster(solr_cluster) -> SolrCluster:
    return SolrCluster(solr_cluster.urls)


def _count(cluster: SolrCluster, collection: str, q: str = "*:*") -> int:
    return int(cluster.call(f"{collection}/select", {"q": q, "rows": 0})["response"]["numFound"])


def _facets(cluster: SolrCluster, collection: str) -> dict[str, dict[str, int]]:
    found = {}
    for facet, solr_field in fields.FACET_FIELDS.items():
        answer = cluster.call(f"{collection}/select", {"q": "*:*", "rows": 0, "facet": "true",
                                                       "facet.field": solr_field, "facet.limit": -1,
                                                       "facet.mincount": 1})
        pairs = answer["facet_counts"]["facet_fields"][solr_field]
        found[facet] = dict(zip(pairs[::2], pairs[1::2], strict=True))
    return found


def _parsed_facets(corpus: Path) -> dict[str, dict[str, int]]:
    """Articles per company, source and section, by brute force over the parsed corpus (first id wins)."""
    reader = CorpusReader(corpus)
    counts = {facet: Counter() for facet in fields.FACET_FIELDS}
    seen = set()
    for result in reader.read_all():
        for article in result.articles:
            if article.id in seen:
                continue
            seen.add(article.id)
            counts["company"].update(set(article.companies))
            counts["section"].update(set(article.sections))
            if article.source:
                counts["source"][article.source] += 1
    return {facet: dict(values) for facet, values in counts.items()}


def _whoosh_totals(index_root: Path) -> tuple[int, dict[str, int], dict[str, float]]:
    ix = whoosh_index.open_dir(str(IndexStore(index_root).current()), indexname=INDEX_NAME)
    try:
        with ix.searcher() as searcher:
            totals = {}
            for word in WORDS:
                term = text_terms(word)[0][2]
                totals[term] = len(searcher.search(Term("body", term), limit=None))
            lengths = {name: searcher.avg_field_length(name) for name in fields.SCORED_FIELDS}
            return searcher.doc_count(), totals, lengths
    finally:
        ix.close()


def test_a_full_load_holds_what_the_whoosh_build_holds(solr_cluster, solr_build, bundled_index):
    index_root, alias = solr_build
    cluster = _cluster(solr_cluster)
    manifest = IndexStore(index_root).manifest()
    entry = manifest["solr"]
    collection = entry["collection"]
    documents, totals, lengths = _whoosh_totals(bundled_index)

    assert cluster.aliases()[alias] == collection
    assert _count(cluster, alias) == _count(cluster, collection) == documents == manifest["documents"]
    assert entry["doc_count"] == entry["doc_count_all"] == documents
    for term, total in totals.items():
        assert total > 0 and _count(cluster, alias, f"{fields.text_field('body')}:{term}") == total, term
    assert entry["avg_length"] == pytest.approx(lengths)
    assert _facets(cluster, alias) == _parsed_facets(CORPUS)

    # The same manifest entries and build files as the Whoosh build's, computed from the stream.
    whoosh = IndexStore(bundled_index).manifest()
    assert manifest["files"] == whoosh["files"] and manifest["credits"] == whoosh["credits"]
    assert manifest["problems"] == whoosh["problems"]
    build = IndexStore(index_root).current()
    assert Vocabulary.load(build).counts == Vocabulary.load(IndexStore(bundled_index).current()).counts
    groups = json.loads((build / "duplicates.json").read_text())["groups"]
    whoosh_groups = json.loads((IndexStore(bundled_index).current() / "duplicates.json").read_text())["groups"]
    assert groups == whoosh_groups
    names, doc_count_all = build_files.load_names(build)
    assert {facet: names[facet] for facet in fields.FACET_FIELDS} == _parsed_facets(CORPUS)
    assert doc_count_all == documents
    completions = build_files.load_completions(build)
    assert completions[:len(names["company"])] == sorted(names["company"], key=lambda n: (-names["company"][n], n))


def test_stored_fields_rebuild_the_article(solr_cluster, solr_build):
    from search.index.schema import document_to_article

    _root, alias = solr_build
    reader = CorpusReader(CORPUS)
    path, relative = next(iter(list_corpus_files(CORPUS)))
    article = reader.read_file(path, relative).articles[0]
    answer = _cluster(solr_cluster).call(f"{alias}/select", {"q": f'id:"{article.id}"', "fl": "*"})
    document = answer["response"]["docs"][0]
    assert document_to_article(json.loads(document[fields.STORED])) == article
    assert document[fields.DOCNUM] == 0  # the first article read


def test_a_rebuild_swaps_the_alias_and_deletes_older_collections(solr_cluster, tmp_path):
    cluster = _cluster(solr_cluster)
    corpus = _small_corpus(tmp_path)
    loaded = [solr.load_into(solr_cluster, corpus, tmp_path / "index", alias="rebuild").solr["collection"]
              for _ in range(3)]
    assert len(set(loaded)) == 3
    assert cluster.aliases()["rebuild"] == loaded[2]
    held = [name for name in cluster.collections() if name.startswith("rebuild_")]
    assert held == loaded[1:]  # the one served before is the standby; the one before it is gone
    assert IndexStore(tmp_path / "index").manifest()["solr"]["standby"] == loaded[1]


def _small_corpus(tmp_path: Path) -> Path:
    from tests.support.index import copy_small_corpus

    return copy_small_corpus(tmp_path / "corpus")


def _served_state(cluster: SolrCluster, index_root: Path, alias: str) -> tuple:
    store = IndexStore(index_root)
    return cluster.aliases().get(alias), store.generation(), store.manifest().get("documents")


@pytest.mark.parametrize("failure", ["refused", "interrupted"])
def test_a_failed_load_publishes_nothing(solr_cluster, tmp_path, monkeypatch, failure):
    cluster = _cluster(solr_cluster)
    corpus = _small_corpus(tmp_path)
    alias = f"failed_{failure}"
    first = solr.load_into(solr_cluster, corpus, tmp_path / "index", alias=alias)
    served = _served_state(cluster, tmp_path / "index", alias)
    before = set(cluster.collections())
    monkeypatch.setattr(loader, "BATCH_SIZE", 5)
    monkeypatch.setattr(loader, "CHUNK", 5)
    real_post = loader._post_batch
    posted = []

    def failing(*args):
        posted.append(1)
        if len(posted) == 3:
            raise KeyboardInterrupt if failure == "interrupted" else BuildFailed("Solr refused a batch (test)")
        return real_post(*args)

    monkeypatch.setattr(loader, "_post_batch", failing)
    with pytest.raises((KeyboardInterrupt, BuildFailed)):
        solr.load_into(solr_cluster, corpus, tmp_path / "index", alias=alias)
    assert _served_state(cluster, tmp_path / "index", alias) == served
    assert set(cluster.collections()) == before  # the half-loaded collection was deleted
    assert _count(cluster, alias) == first.documents
    assert not list((tmp_path / "index").glob(".tmp-*"))


def test_a_node_killed_mid_load_publishes_all_or_nothing(solr_cluster, tmp_path, monkeypatch):
    cluster = _cluster(solr_cluster)
    corpus = _small_corpus(tmp_path)
    solr.load_into(solr_cluster, corpus, tmp_path / "index", alias="killed")
    served = _served_state(cluster, tmp_path / "index", "killed")
    monkeypatch.setattr(loader, "BATCH_SIZE", 5)
    monkeypatch.setattr(loader, "CHUNK", 5)
    real_post = loader._post_batch
    posted = []
    victim = solr_cluster.nodes[1]

    def killing(*args):
        posted.append(1)
        if len(posted) == 3:
            victim.kill()
        return real_post(*args)

    monkeypatch.setattr(loader, "_post_batch", killing)
    try:
        try:
            report = solr.load_into(solr_cluster, corpus, tmp_path / "index", alias="killed")
        except BuildFailed:
            assert _served_state(cluster, tmp_path / "index", "killed") == served
        else:  # every shard kept a live replica: a complete load, published
            assert cluster.aliases()["killed"] == report.solr["collection"]
            assert _count(cluster, "killed") == report.documents == served[2]
    finally:
        solr.restart(solr_cluster, victim)


def test_an_incremental_load_sends_only_the_added_file(solr_cluster, tmp_path):
    cluster = _cluster(solr_cluster)
    corpus = _small_corpus(tmp_path)
    index_root = tmp_path / "index"
    solr.load_into(solr_cluster, corpus, index_root, alias="incr")
    solr.load_into(solr_cluster, corpus, index_root, alias="incr")  # a standby to update
    added = corpus / "global-times" / "2021-07-06-added.txt"
    shutil.copy(next(corpus.glob("global-times/*.txt")), added)
    text = added.read_text(encoding="utf-8")
    added.write_text(text.replace("ByteDance", "ByteDance Added", 1), encoding="utf-8")
    new_articles = CorpusReader(corpus).read_file(added, "global-times/2021-07-06-added.txt").articles

    report = solr.load_into(solr_cluster, corpus, index_root, alias="incr", incremental=True)
    assert report.mode == "incremental" and report.files_added == 1
    assert report.solr["sent"] == len(new_articles) >= 1
    assert report.solr["deleted"] == 0
    full = solr.load_into(solr_cluster, corpus, tmp_path / "full-index", alias="incr_full")
    assert report.documents == full.documents == _count(cluster, "incr")
    for term in ("bytedanc", "technolog", "said"):
        query = f"{fields.text_field('body')}:{term}"
        assert _count(cluster, "incr", query) == _count(cluster, "incr_full", query), term
    assert _facets(cluster, "incr") == _facets(cluster, "incr_full")
    assert report.solr["avg_length"] == pytest.approx(full.solr["avg_length"])

    # Files removed: the standby (the collection served before, which never had the added file) loses
    # the seed's article and is sent nothing.
    seed = next(corpus.glob("global-times/2021-07-05-*.txt"))
    seed_articles = CorpusReader(corpus).read_file(seed, "global-times/" + seed.name).articles
    added.unlink()
    seed.unlink()
    report = solr.load_into(solr_cluster, corpus, index_root, alias="incr", incremental=True)
    assert (report.solr["sent"], report.solr["deleted"]) == (0, len(seed_articles))
    assert _count(cluster, "incr") == full.documents - len(new_articles) - len(seed_articles) == report.documents
