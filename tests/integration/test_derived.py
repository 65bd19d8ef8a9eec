"""The derived arrays a build writes for the Whoosh engine (engines/whoosh/derived.py): written and checksummed
by every build, memory-mapped at open instead of read through Whoosh, the same answers either way, an older
build without them still served, and an incremental build that never changes the served build's files."""

from __future__ import annotations

import json

import numpy as np
import pytest

from search.engines.whoosh import archive as whoosh_archive
from search.engines.whoosh import columns, derived, facets
from search.engines.whoosh.archive import WhooshArchive
from search.index.build import build_index, update_index
from search.index.store import CHECKSUMS, IndexStore, file_sha256
from search.request import SearchRequest
from tests.support.index import without_derived

QUERIES = ["police", "government", "oil prices", "ByteDance", "twitter OR facebook", "election -trump",
           '"prime minister"', "court", "said", "the", "fire -forest", "title:earthquake", "compan*", "polise",
           "company:TikTok", "source:wikinews police", ""]
REQUESTS = [{}, {"sort": "newest"}, {"per_page": 50}, {"page": 2}, {"sources": ("Wikinews",)}, {"year": 2023},
            {"companies": ("TikTok", "ByteDance")}, {"match": "any"}]


def test_a_build_writes_its_derived_arrays_and_checksums_them(bundled_index):
    store = IndexStore(bundled_index)
    build = store.current()
    manifest = store.manifest()
    meta = json.loads((build / derived.META).read_text(encoding="utf-8"))
    assert meta["version"] == derived.VERSION and meta["suggest"]
    assert set(meta["fields"]) == {"title", "captions", "body", "dateline"}
    assert manifest["derived"]["bytes"] > 0
    files = sorted(p.name for p in build.glob("derived.*"))
    assert "derived.body.docs.npy" in files and "derived.live.npy" in files
    assert set(files) <= set(manifest[CHECKSUMS])  # a changed array is refused like a changed segment


def test_the_mapped_arrays_equal_what_whoosh_gives(archive, lazy_archive):
    with archive._using() as mapped, lazy_archive._using() as read:
        assert mapped.derived_arrays is not None and read.derived_arrays is None
        for name in ("live", "year", "month", "day", "published"):
            assert np.array_equal(getattr(mapped.facets, name), getattr(read.facets, name)), name
        for facet, column in mapped.facets.columns.items():
            other = read.facets.columns[facet]
            assert column.values == other.values
            assert all(np.array_equal(a, b) for a, b in zip(column.postings, other.postings)), facet
        reader = read.searcher().reader()
        for field in mapped.scorer.fields:
            assert np.array_equal(mapped.scorer.lengths[field], read.scorer.lengths[field]), field
            for btext in list(reader.lexicon(field))[::7]:  # every 7th term of each field
                text = reader.schema[field].from_bytes(btext)
                got, expected = mapped.scorer.postings(None, field, text), read.scorer.postings(reader, field, text)
                assert np.array_equal(got[0], expected[0]) and np.array_equal(got[1], expected[1]), (field, text)
        assert mapped.scorer.postings(None, "body", "nosuchwordanywhere")[0].size == 0


@pytest.mark.parametrize("params", REQUESTS)
def test_searches_answer_the_same_with_or_without_the_arrays(archive, lazy_archive, params):
    for q in QUERIES:
        request = SearchRequest(q=q, **params)
        got, expected = archive.search(request), lazy_archive.search(request)
        assert got.total == expected.total, q
        assert [(h.id, h.score, h.snippet) for h in got.hits] == [(h.id, h.score, h.snippet) for h in expected.hits]
        assert got.facets == expected.facets, q
        assert got.suggestion == expected.suggestion, q


def test_completions_are_the_same_with_or_without_the_arrays(archive, lazy_archive):
    for typed in ["b", "byte", "tik ban", "police", "ö", "zzzz", "the world"]:
        assert archive.complete(typed) == lazy_archive.complete(typed), typed


def test_opening_and_the_first_search_read_nothing_through_whoosh(bundled_index, tmp_path, monkeypatch):
    """What used to be built at open and on first use (facet postings, columns, field lengths, term postings,
    the completions' headlines) comes from the mapped arrays: none of the lazy readers is called."""
    calls = []

    def counted(name, function):
        def wrapper(*args, **kwargs):
            calls.append(name)
            return function(*args, **kwargs)
        return wrapper

    for module in (columns, facets, derived):
        for name in ("numeric_column", "field_lengths", "postings"):
            if hasattr(module, name):
                monkeypatch.setattr(module, name, counted(name, getattr(module, name)))
    monkeypatch.setattr(facets, "read_postings", counted("postings", facets.read_postings))
    monkeypatch.setattr("search.engines.whoosh.scoring.read_postings", counted("postings", columns.postings))
    monkeypatch.setattr("search.engines.whoosh.scoring.field_lengths", counted("field_lengths", columns.field_lengths))
    monkeypatch.setattr(whoosh_archive, "completion_candidates",
                        counted("completions", whoosh_archive.completion_candidates))
    with WhooshArchive(bundled_index) as fresh:
        fresh.search(SearchRequest(q="police government"))
        fresh.search(SearchRequest(q="oil", sources=("Wikinews",)))
        fresh.complete("byte")
    assert calls == []
    with WhooshArchive(without_derived(bundled_index, tmp_path)) as older:
        older.search(SearchRequest(q="police government"))
        older.complete("byte")
    assert {"postings", "numeric_column", "field_lengths", "completions"} <= set(calls)


def test_arrays_of_other_segments_are_not_used(tmp_path, corpus_copy, caplog):
    root = tmp_path / "index"
    build_index(corpus_copy, root, progress=False)
    build = IndexStore(root).current()
    meta_path = build / derived.META
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["segments"] = ["someothersegment"]
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    manifest = IndexStore(root).manifest()
    manifest[CHECKSUMS][derived.META] = file_sha256(meta_path)
    (build / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with WhooshArchive(root) as opened, opened._using() as served:
        assert served.derived_arrays is None
        assert opened.search(SearchRequest(q="police")).total > 0
    assert "do not match its segments" in caplog.text


def test_an_incremental_build_rewrites_the_arrays_and_leaves_the_served_ones_alone(tmp_path, corpus_copy):
    root = tmp_path / "index"
    build_index(corpus_copy, root, progress=False)
    served = IndexStore(root).current()
    before = {p.name: file_sha256(p) for p in served.glob("derived.*")}
    with WhooshArchive(root) as opened:
        total = opened.search(SearchRequest(q="wumpus")).total
        (corpus_copy / "added.jsonl").write_text(
            '{"title": "A wumpus sighting", "body": "The wumpus was seen.", "published": "2024-01-02"}\n',
            encoding="utf-8")
        update_index(corpus_copy, root, progress=False)
        assert {p.name: file_sha256(p) for p in served.glob("derived.*")} == before
        results = opened.search(SearchRequest(q="wumpus"))
        assert results.total == total + 1 and results.hits[0].title == "A wumpus sighting"
        with opened._using() as fresh:
            assert fresh.derived_arrays is not None and fresh.path != served
        assert opened.complete("wumpus si") == ["A wumpus sighting"]


def test_prepare_opens_and_warms_each_new_build_before_a_request_needs_it(tmp_path, corpus_copy):
    root = tmp_path / "index"
    build_index(corpus_copy, root, progress=False)
    with WhooshArchive(root) as archive:
        assert archive.prepare() > 0 and archive._build is not None
        first = archive._build
        assert archive.prepare() == 0.0 and archive._build is first  # nothing new
        (corpus_copy / "added.jsonl").write_text('{"title": "A wumpus sighting", "body": "The wumpus."}\n',
                                                 encoding="utf-8")
        update_index(corpus_copy, root, progress=False)
        assert archive.prepare() > 0  # opened while `first` still served, then swapped
        assert archive._build is not first and archive._build.path == IndexStore(root).current()
        assert first._retired
        assert archive.search(SearchRequest(q="wumpus")).total == 1


def test_watch_swaps_a_published_build_in_without_a_request(tmp_path, corpus_copy):
    import time

    root = tmp_path / "index"
    build_index(corpus_copy, root, progress=False)
    with WhooshArchive(root) as archive:
        archive.prepare()
        first = archive._build
        thread = archive.watch(interval=0.05)
        (corpus_copy / "added.jsonl").write_text('{"title": "A wumpus sighting", "body": "The wumpus."}\n',
                                                 encoding="utf-8")
        update_index(corpus_copy, root, progress=False)
        deadline = time.monotonic() + 30
        while archive._build is first and time.monotonic() < deadline:
            time.sleep(0.05)
        assert archive._build is not first
    thread.join(timeout=5)
    assert not thread.is_alive()  # close() stops it


TOP_K_QUERIES = ["said", "the police", "government OR minister", "oil OR gas OR energy", "court -trump", "people",
                 '"prime minister"', "twitter OR facebook OR tiktok", "new", "year OR years", "fire"]


@pytest.mark.parametrize("text", TOP_K_QUERIES)
def test_the_best_first_page_is_the_page_of_every_match_sorted(archive, text):
    """Only the documents scoring at least the page's last score are sorted: the same ids in the same order
    as sorting every match, ties (near-duplicates score alike) included, for every page depth and filter."""
    with archive._using() as opened:
        for any_words in (False, True):
            evaluated, matches = opened._match(opened.parse(text, any_words=any_words), any_words=any_words)
            if evaluated is None:
                continue
            filters = [matches, matches & (opened.facets.year >= 2020), matches & (opened.facets.day == 0)]
            for selected in filters:
                every_id, every_score = whoosh_archive._best_first(evaluated, selected)
                for limit in (0, 1, 10, 11, 20, 50, 1000):
                    ids, scores = whoosh_archive._best_first(evaluated, selected, limit)
                    assert ids.tolist() == every_id[:limit].tolist(), (text, limit)
                    assert scores.tolist() == every_score[:limit].tolist()


@pytest.mark.parametrize("text", TOP_K_QUERIES)
def test_an_or_merged_densely_scores_as_one_merged_by_sorting(archive, text, monkeypatch):
    from search.engines.whoosh import scoring

    with archive._using() as opened:
        reader = opened.searcher().reader()
        query = opened.parse(text, any_words=True).query
        monkeypatch.setattr(scoring, "DENSE_OR", 10**9)  # always dense
        dense = opened.scorer.evaluate(query, reader)
        monkeypatch.setattr(scoring, "DENSE_OR", 0)  # never
        sparse = opened.scorer.evaluate(query, reader)
    assert dense.ids.tolist() == sparse.ids.tolist()
    assert dense.scores.tolist() == sparse.scores.tolist()  # the same sums, to the last bit


def _positions_agree(opened, reader, step: int) -> int:
    """Compare the mapped positions of every ``step``-th term of the text fields with Whoosh's; return how many."""
    compared = 0
    for field in ("title", "body", "dateline"):
        stored = opened.scorer.stored[field]
        assert stored.has_positions, field
        for btext in list(reader.lexicon(field))[::step]:
            docs, _ = stored.get(btext)
            owner, position = stored.positions_in(btext, np.asarray(docs))
            expected = columns.positions(reader, field, btext, np.asarray(docs))
            got: dict[int, list[int]] = {}
            for index, pos in zip(owner.tolist(), position.tolist()):
                got.setdefault(int(docs[index]), []).append(pos)
            assert got == expected, (field, btext)
            compared += 1
    return compared


def test_the_mapped_positions_equal_whoosh_positions(archive):
    with archive._using() as opened:
        assert _positions_agree(opened, opened.searcher().reader(), step=5) > 500


def test_positions_of_several_segments_are_merged_in_docnum_order(tmp_path, corpus_copy):
    root = tmp_path / "index"
    build_index(corpus_copy, root, progress=False)
    (corpus_copy / "added.jsonl").write_text(
        '{"title": "Prime minister said the wumpus was seen", "body": "The prime minister said police saw the '
        'wumpus. Police said the prime minister was right.", "published": "2024-01-02"}\n', encoding="utf-8")
    update_index(corpus_copy, root, progress=False)
    with WhooshArchive(root) as opened, opened._using() as served:
        reader = served.searcher().reader()
        assert len(list(reader.leaf_readers())) > 1  # the added article is a segment of its own
        assert _positions_agree(served, reader, step=3) > 500
        results = opened.search(SearchRequest(q='"prime minister said"'))
        assert "Prime minister said the wumpus was seen" in [hit.title for hit in results.hits]
        assert results.total == len(set(served.searcher().docs_for_query(served.parse('"prime minister said"').query)))
