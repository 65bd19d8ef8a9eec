"""Building the index: atomic publication, failures that leave the old index serving, incremental updates,
each on a small copy of the bundled corpus built again and again. The bundled index itself:
tests/integration/test_indexer.py."""

import json
from collections import Counter
from pathlib import Path

import pytest

from search.engines.whoosh.archive import WhooshArchive
from search.index import build as indexer
from search.index.build import build_index, update_index
from search.index.store import BuildBusy, IndexStore
from search.ingest.corpus import CorpusReader
from search.request import SearchRequest


def add_article(corpus: Path, name: str, title: str, body: str, published: str = "2022-02-02") -> Path:
    path = corpus / "extra" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"id": name, "title": title, "published": published, "body": body}) + "\n",
                    encoding="utf-8")
    return path


def assert_facets_match_the_corpus(archive: WhooshArchive, corpus: Path) -> None:
    """The facet counts of an incrementally updated index equal a brute-force count over the corpus."""
    articles = [a for result in CorpusReader(corpus).read_all() for a in result.articles]
    results = archive.search(SearchRequest())
    assert results.total == len(articles)
    expected = Counter(c for a in articles for c in a.companies)
    assert {v.value: v.count for v in results.facets["company"]} == {
        v.value: expected[v.value] for v in results.facets["company"]
    }
    assert {v.value: v.count for v in results.facets["source"]} == dict(Counter(a.source for a in articles))
    assert {v.value: v.count for v in results.facets["date"]} == dict(Counter(str(a.published.year) for a in articles))


def total(archive: WhooshArchive, q: str = "") -> int:
    return archive.search(SearchRequest(q=q)).total


def test_failed_build_leaves_the_previous_index_serving(corpus_copy, tmp_path, monkeypatch, request):
    root = tmp_path / "index"
    build_index(corpus_copy, root, progress=False)
    archive = WhooshArchive(root)
    request.addfinalizer(archive.close)
    before, generation = total(archive), IndexStore(root).generation()

    add_article(corpus_copy, "new.jsonl", "Zorblax makers merge", "Two zorblax makers merged.")
    calls = {"n": 0}
    real = indexer.article_to_document

    def failing(article):
        calls["n"] += 1
        if calls["n"] == 30:
            raise OSError(28, "No space left on device")
        return real(article)

    monkeypatch.setattr(indexer, "article_to_document", failing)
    with pytest.raises(OSError, match="No space left"):
        build_index(corpus_copy, root, progress=False)

    assert IndexStore(root).generation() == generation
    assert total(archive) == before
    assert total(archive, "zorblax") == 0
    assert not list(root.glob(".tmp-*")), "the failed build's folder is removed"

    monkeypatch.setattr(indexer, "article_to_document", real)
    build_index(corpus_copy, root, progress=False)
    assert total(archive) == before + 1  # the app notices the new build without a restart
    assert total(archive, "zorblax") == 1


def test_stale_build_folders_from_killed_builds_are_removed(corpus_copy, tmp_path):
    root = tmp_path / "index"
    stale = root / ".tmp-20200101T000000000-999"
    stale.mkdir(parents=True)
    (stale / "half-written.seg").write_bytes(b"\0" * 100)
    build_index(corpus_copy, root, progress=False)
    assert not stale.exists()


def test_a_second_build_is_refused_while_one_runs(corpus_copy, tmp_path):
    store = IndexStore(tmp_path / "index")
    with store.lock():
        with pytest.raises(BuildBusy):
            build_index(corpus_copy, tmp_path / "index", progress=False)
    build_index(corpus_copy, tmp_path / "index", progress=False)  # the lock is free again


def test_only_two_builds_are_kept(corpus_copy, tmp_path):
    root = tmp_path / "index"
    for _ in range(3):
        build_index(corpus_copy, root, progress=False)
    assert len(list(root.glob("build-*"))) == 2


def test_incremental_add_change_delete(corpus_copy, tmp_path, request):
    root = tmp_path / "index"
    build_index(corpus_copy, root, progress=False)
    archive = WhooshArchive(root)
    request.addfinalizer(archive.close)
    base = total(archive)

    first = add_article(corpus_copy, "one.jsonl", "Wumpusine crossing rules", "New wumpusine crossing rules.")
    add_article(corpus_copy, "two.jsonl", "Snarfwidget census", "A snarfwidget census by TikTok.", "2023-03-03")
    report = update_index(corpus_copy, root, progress=False)
    assert (report.mode, report.files_added, report.files_changed, report.files_removed) == ("incremental", 2, 0, 0)
    assert report.summary.articles == 2  # only the new files were read
    assert total(archive) == base + 2
    assert_facets_match_the_corpus(archive, corpus_copy)

    first.write_text(json.dumps({"id": "one.jsonl", "title": "Quibbleton crossing rules", "published": "2022-02-02",
                                 "body": "New quibbleton rules."}) + "\n", encoding="utf-8")
    before = (root / "current").resolve()
    report = update_index(corpus_copy, root, progress=False)
    assert (report.files_added, report.files_changed, report.files_removed) == (0, 1, 0)
    assert total(archive, "wumpusine") == 0 and total(archive, "quibbleton") == 1
    # The vocabulary for 'did you mean' follows: the changed article's old words go, its new ones come,
    # and the previous build's file (hard-linked into the update) is left as it was.
    assert archive.search(SearchRequest(q="quibbletom")).suggestion == "quibbleton"
    assert archive.search(SearchRequest(q="wumpusinee")).suggestion != "wumpusine"
    assert "wumpusine\t1" in (before / "vocabulary.tsv").read_text()
    assert "wumpusine" not in (root / "current" / "vocabulary.tsv").read_text()

    (corpus_copy / "extra" / "two.jsonl").unlink()
    report = update_index(corpus_copy, root, progress=False)
    assert report.files_removed == 1
    assert total(archive, "snarfwidget") == 0
    assert total(archive) == base + 1
    assert report.documents == base + 1
    assert_facets_match_the_corpus(archive, corpus_copy)


def test_credits_follow_the_articles_through_incremental_updates(corpus_copy, tmp_path, request):
    """The manifest counts each source's articles per licence (the footer's credits): per file, so that an
    incremental update adds a new file's and drops a deleted one's, and the build's are their sum."""
    root = tmp_path / "index"
    build_index(corpus_copy, root, progress=False)
    archive = WhooshArchive(root)
    request.addfinalizer(archive.close)
    wikinews = sum(1 for result in CorpusReader(corpus_copy).read_all() for a in result.articles
                   if a.source == "Wikinews")
    assert [(c.source, c.license, c.articles, c.site) for c in archive.credits()] == [
        ("Wikinews", "CC BY 2.5", wikinews, "https://en.wikinews.org/"), ("Global Times", "", 1, "")]
    wire = corpus_copy / "wire" / "wire.jsonl"
    wire.parent.mkdir()
    wire.write_text("".join(json.dumps({"title": f"Wire story {n}", "published": f"2022-01-0{n}", "body": "Zinc.",
                                        "source": "Wire", "license": "CC BY 4.0", "url": f"https://wire.example/{n}"})
                            + "\n" for n in range(1, 4)) + json.dumps(
        {"title": "Old wire story", "published": "2022-01-05", "body": "Tin.", "source": "Wire",
         "license": "CC BY 2.0"})
        + "\n", encoding="utf-8")
    assert update_index(corpus_copy, root, progress=False).mode == "incremental"
    assert [(c.source, c.license, c.articles, c.site) for c in archive.credits()] == [
        ("Wikinews", "CC BY 2.5", wikinews, "https://en.wikinews.org/"), ("Wire", "CC BY 4.0", 3, "https://wire.example/"),
        ("Global Times", "", 1, ""), ("Wire", "CC BY 2.0", 1, "")]
    wire.unlink()
    assert update_index(corpus_copy, root, progress=False).mode == "incremental"
    assert [c.source for c in archive.credits()] == ["Wikinews", "Global Times"]
    assert IndexStore(root).manifest()["credits"][0] == {"source": "Wikinews", "license": "CC BY 2.5",
                                                          "articles": wikinews, "site": "https://en.wikinews.org/"}


def test_a_build_of_the_schema_before_date_only_is_served_and_rebuilt_in_full(corpus_copy, tmp_path, monkeypatch,
                                                                             request):
    """Schema 5 records whether the source gave a time (date_only). A build of schema 4 has no such field: it
    is still served (its articles as having a time, as before), and --incremental rebuilds it in full."""
    from search.index.schema import SCHEMA_VERSION, document_to_article

    assert SCHEMA_VERSION == 5
    root = tmp_path / "index"
    with monkeypatch.context() as patch:
        patch.setattr(indexer, "SCHEMA_VERSION", 4)
        build_index(corpus_copy, root, progress=False)
    assert IndexStore(root).manifest()["schema_version"] == 4
    old = document_to_article({"id": "x", "published_local": "2019-01-04T00:00:00+00:00"})
    assert old.date_only is False and old.published.hour == 0
    report = update_index(corpus_copy, root, progress=False)
    assert report.mode == "full" and "schema changed" in report.note
    archive = WhooshArchive(root)
    request.addfinalizer(archive.close)
    hits = archive.search(SearchRequest(sources=("Wikinews",), per_page=100)).hits
    assert hits and all(hit.date_only for hit in hits)


def test_incremental_rebuilds_in_full_when_the_gazetteer_changes(corpus_copy, tmp_path):
    root = tmp_path / "index"
    build_index(corpus_copy, root, progress=False)
    with open(corpus_copy / "companies.csv", "a", encoding="utf-8") as handle:
        handle.write("Magnitogorsk Iron and Steel Works,,,,\n")
    report = update_index(corpus_copy, root, progress=False)
    assert report.mode == "full" and "rebuilt in full" in report.note


def test_incremental_rebuilds_in_full_when_a_new_file_promotes_an_organisation(corpus_copy, tmp_path):
    """An unknown organisation counts everywhere once 2 articles name it with evidence: the article already
    indexed that names it bare (in a file that did not change) must get it too, which takes a full build."""
    from search.engines.whoosh.archive import WhooshArchive
    from search.request import SearchRequest

    def story(n: int, suffix: str = " Inc") -> str:
        return json.dumps({"id": f"zq{n}", "title": f"Quarterly results {n}", "published": f"2021-0{n}-01T09:00:00Z",
                           "body": f"Zorblax Quantum Widgets{suffix} reported higher sales this quarter."})

    (corpus_copy / "extra").mkdir()
    (corpus_copy / "extra" / "one.jsonl").write_text(story(1, suffix="") + "\n" + story(2) + "\n", encoding="utf-8")
    root = tmp_path / "index"
    build_index(corpus_copy, root, progress=False)
    with WhooshArchive(root) as archive:  # one article with evidence: counted there only, a candidate
        assert archive.search(SearchRequest(companies=("Zorblax Quantum Widgets",))).total == 1
    (corpus_copy / "extra" / "two.jsonl").write_text(story(3) + "\n", encoding="utf-8")
    report = update_index(corpus_copy, root, progress=False)
    assert report.mode == "full" and "companies changed" in report.note
    with WhooshArchive(root) as archive:  # accepted: the bare mention in zq1 counts too
        assert archive.search(SearchRequest(companies=("Zorblax Quantum Widgets",))).total == 3
    # Nothing changed since: the next update is incremental again.
    assert update_index(corpus_copy, root, progress=False).mode == "incremental"
