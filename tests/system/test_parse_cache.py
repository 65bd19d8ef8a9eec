"""The parse cache (issue 18): a rebuild reads unchanged files from the cache instead of parsing them, and
gives exactly the index a build without the cache gives; a changed gazetteer gives the new companies without
parsing anything again; a changed file is parsed again; a damaged entry is parsed again, never a failed
build; a parser version bump parses every file again; entries of deleted files are dropped. Real corpus
copies and real indexes, built again and again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from search.index.build import build_index, update_index
from search.ingest import corpus as corpus_module
from tests.system.test_incremental_equals_full import documents


@pytest.fixture()
def cache_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "parse-cache"
    monkeypatch.setenv("ARCHIVE_PARSE_CACHE", str(folder))
    return folder


def entries(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*/*") if not p.name.startswith(".tmp-"))


def corpus_files(corpus: Path) -> int:
    return len(list(corpus_module.list_corpus_files(corpus)))


def test_a_warm_rebuild_holds_what_a_cold_one_and_a_build_without_the_cache_hold(corpus_copy, tmp_path, cache_dir,
                                                                                    monkeypatch):
    cold = build_index(corpus_copy, tmp_path / "cold", progress=False)
    assert len(cold.cache.parsed) == corpus_files(corpus_copy) and not cold.cache.cached - cold.cache.parsed
    assert "0 files read from the cache" in "\n".join(cold.lines())
    warm = build_index(corpus_copy, tmp_path / "warm", progress=False)
    assert not warm.cache.parsed and len(warm.cache.cached) == corpus_files(corpus_copy)
    assert f"Parse cache: {corpus_files(corpus_copy)} files read from the cache, 0 parsed." in warm.lines()
    monkeypatch.setenv("ARCHIVE_PARSE_CACHE", "off")
    plain = build_index(corpus_copy, tmp_path / "plain", progress=False)
    assert not plain.cache.parsed and not plain.cache.cached
    expected = documents(tmp_path / "plain")
    assert documents(tmp_path / "cold") == expected
    assert documents(tmp_path / "warm") == expected  # ids, companies, every stored field
    assert warm.summary.problems == plain.summary.problems
    assert warm.fields.lines() == plain.fields.lines()


def test_a_changed_gazetteer_gives_the_new_companies_without_parsing_again(corpus_copy, tmp_path, cache_dir,
                                                                          monkeypatch):
    root = tmp_path / "index"
    build_index(corpus_copy, root, progress=False)
    before = documents(root)
    # A word of some article's headline becomes a company's name.
    article = next(fields for fields in before.values() if "Zorblax" not in fields.get("company_facet", ""))
    name = max(article["title"].replace(",", " ").split(), key=len).strip(".:'\"")
    with open(corpus_copy / "companies.csv", "a", encoding="utf-8") as gazetteer:
        gazetteer.write(f"Zorblax Holdings,{name},,,\n")
    report = update_index(corpus_copy, root, progress=False)  # the gazetteer changed: a full build
    assert report.mode == "full" and not report.cache.parsed, report.cache
    assert "Zorblax Holdings" in documents(root)[article["id"]]["company_facet"]
    monkeypatch.setenv("ARCHIVE_PARSE_CACHE", "off")
    build_index(corpus_copy, tmp_path / "no-cache", progress=False)
    assert documents(tmp_path / "no-cache") == documents(root)


def test_a_changed_file_is_parsed_again_and_the_others_are_not(corpus_copy, tmp_path, cache_dir):
    build_index(corpus_copy, tmp_path / "first", progress=False)
    extra = corpus_copy / "extra" / "new.jsonl"
    extra.parent.mkdir(parents=True)
    extra.write_text(json.dumps({"id": "n1", "title": "Zorblax makers merge", "published": "2022-02-02",
                                 "body": "Two zorblax makers merged."}) + "\n", encoding="utf-8")
    report = build_index(corpus_copy, tmp_path / "second", progress=False)
    assert report.cache.parsed == {"extra/new.jsonl"}
    extra.write_text(json.dumps({"id": "n1", "title": "Zorblax makers merge, corrected", "published": "2022-02-02",
                                 "body": "Two zorblax makers merged."}) + "\n", encoding="utf-8")
    report = build_index(corpus_copy, tmp_path / "third", progress=False)
    assert report.cache.parsed == {"extra/new.jsonl"}
    assert "Zorblax makers merge, corrected" in {f["title"] for f in documents(tmp_path / "third").values()}


def test_a_damaged_entry_is_parsed_again_never_a_failed_build(corpus_copy, tmp_path, cache_dir):
    build_index(corpus_copy, tmp_path / "first", progress=False)
    damaged = entries(cache_dir)
    assert damaged
    for number, path in enumerate(damaged):  # cut short, bytes flipped, emptied, garbage
        data = path.read_bytes()
        path.write_bytes([data[: len(data) // 2], data[:-9] + b"x" * 9, b"", b"not an entry"][number % 4])
    report = build_index(corpus_copy, tmp_path / "second", progress=False)
    assert report.cache.damaged >= len(damaged) // 2 and report.cache.parsed
    assert "damaged" in report.cache.line()
    assert documents(tmp_path / "second") == documents(tmp_path / "first")
    again = build_index(corpus_copy, tmp_path / "third", progress=False)  # the entries were written again
    assert not again.cache.parsed and not again.cache.damaged


def test_a_parser_version_bump_parses_every_file_again(corpus_copy, tmp_path, cache_dir, monkeypatch):
    build_index(corpus_copy, tmp_path / "first", progress=False)
    monkeypatch.setattr(corpus_module, "PARSER_VERSION", corpus_module.PARSER_VERSION + 1)
    report = build_index(corpus_copy, tmp_path / "second", progress=False)
    assert len(report.cache.parsed) == corpus_files(corpus_copy)


def test_entries_of_deleted_files_are_dropped(corpus_copy, tmp_path, cache_dir):
    extra = corpus_copy / "extra" / "gone.jsonl"
    extra.parent.mkdir(parents=True)
    extra.write_text(json.dumps({"id": "g1", "title": "A story soon gone", "body": "Gone."}) + "\n", encoding="utf-8")
    build_index(corpus_copy, tmp_path / "first", progress=False)
    with_it = len(entries(cache_dir))
    extra.unlink()
    report = build_index(corpus_copy, tmp_path / "second", progress=False)
    assert report.cache.pruned == 3  # its drafts, its counts of organisations, the evidence in its texts
    assert len(entries(cache_dir)) == with_it - 3


def test_the_cache_lives_beside_the_index_by_default(corpus_copy, tmp_path, monkeypatch):
    monkeypatch.delenv("ARCHIVE_PARSE_CACHE", raising=False)
    build_index(corpus_copy, tmp_path / "index", progress=False)
    assert entries(tmp_path / "index" / ".parse-cache")
    report = update_index(corpus_copy, tmp_path / "index", progress=False)
    assert report.mode == "incremental" and not report.cache.parsed
