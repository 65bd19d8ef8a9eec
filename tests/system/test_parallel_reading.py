"""Reading a corpus in worker processes (issue 19, search/ingest/parallel.py) gives exactly what reading it in
one process gives: the same articles in the same order with the same ids and companies, the same problems
(file, line, reason) and duplicates, the same promoted organisations and counts, the same field counts and
the same parse-cache entries, byte for byte in content; with the cache off, cold and warm.

The corpus: the bundled one, the malformed one of test_malformed_corpus (every format, bad encodings, broken
records, a corrupt .gz ...), and a JSON Lines file of many parts (more lines than a task takes) with bad
lines, blank lines, duplicate ids within and across files, mapped fields and organisations named with
evidence in articles of different parts, gzipped and not, and a Windows-1252 one."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

from search.ingest import parallel
from search.ingest.corpus import CorpusReader, FileResult, list_corpus_files
from search.ingest.parse_cache import ParseCache
from tests.support.paths import CORPUS
from tests.system.test_malformed_corpus import build_malformed_corpus


def many_parts(count: int) -> list[str]:
    lines = []
    for number in range(count):
        if number % 97 == 5:
            lines.append('{"title": "broken", ')
        elif number % 89 == 7:
            lines.append("")
        elif number % 83 == 3:
            lines.append(json.dumps({"headline": "no date", "date": "the 45th of Smarch", "text": "x"}))
        else:
            company = ["Zorblax Holdings Inc", "Quentaro Ltd", "Amber Velt Corp"][number % 3]
            key = f"a{number % 400}"  # ids repeat: duplicates within the file
            lines.append(json.dumps({
                "key": key, "headline": f"Story {number} of {company.split()[0]}",
                "date": f"2020-0{1 + number % 9}-1{number % 10}",
                "text": f"{company} said on Monday its profit rose.\n\nShares of {company.split()[0]} fell.",
                "topics": ["crude", "ship"][: 1 + number % 2],
            }, ensure_ascii=False))
    return lines


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("parallel") / "corpus"
    shutil.copytree(CORPUS, root)
    build_malformed_corpus(root / "malformed")
    feed = root / "wire"
    feed.mkdir()
    lines = many_parts(3 * parallel.LINES_PER_TASK + 17)
    (feed / "a-many.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (feed / "b-many.jsonl.gz").write_bytes(gzip.compress("\n".join(reversed(lines)).encode("utf-8")))
    (feed / "c-cp1252.jsonl").write_bytes("\n".join(lines[:250]).replace("Story", "Café “Story”").encode("cp1252"))
    with open(root / "corpus.toml", "a", encoding="utf-8") as settings:
        settings.write('\n[[mapping]]\nfiles = "wire/*"\nfields = { key = "id", topics = "section" }\n')
    return root


def read(corpus: Path, procs: int, cache: Path | None) -> dict:
    reader = CorpusReader(corpus, cache=ParseCache(cache), procs=procs)
    files = list(list_corpus_files(corpus))
    promoted = reader.promoted_companies()
    read_files = []
    with reader.reading(files):
        for path, relative in files:
            result = FileResult(relative, "")
            articles = list(reader.iter_file(path, relative, result))
            read_files.append((relative, result.checksum, articles, result.problems))
    stats = reader.cache.stats
    return {"files": read_files, "promoted": promoted, "fields": reader.fields.lines(),
            "candidates": reader.candidates.state(),
            "stats": (stats.hits, stats.misses, sorted(stats.parsed), sorted(stats.cached), stats.count_hits)}


def cache_entries(folder: Path) -> dict[str, list]:
    cache = ParseCache(folder)
    return {path.name: cache.load(path.name) for path in sorted(folder.glob("*/*"))}


def test_the_corpus_has_files_of_several_parts(corpus):
    lines = (corpus / "wire" / "a-many.jsonl").read_text(encoding="utf-8").count("\n")
    assert lines > 3 * parallel.LINES_PER_TASK


@pytest.mark.parametrize("cached", [False, True])
def test_workers_read_what_one_process_reads(corpus, tmp_path, cached):
    one_cache, many_cache = (tmp_path / "one", tmp_path / "many") if cached else (None, None)
    one = read(corpus, 1, one_cache)
    many = read(corpus, 3, many_cache)
    assert sum(len(articles) for _, _, articles, _ in one["files"]) > 1000
    assert any("duplicate id" in problem.reason for _, _, _, problems in one["files"] for problem in problems)
    assert one["promoted"] and one["fields"]
    for (relative, checksum, articles, problems), theirs in zip(one["files"], many["files"], strict=True):
        assert (relative, checksum) == theirs[:2]
        assert articles == theirs[2], relative
        assert problems == theirs[3], relative
    assert one == many
    if cached:
        assert cache_entries(one_cache) == cache_entries(many_cache)
        warm = read(corpus, 3, many_cache)  # everything from the cache: the drafts, evidence and counts
        assert warm["files"] == one["files"] and warm["promoted"] == one["promoted"]
        assert warm["fields"] == one["fields"] and not warm["stats"][2]
        assert cache_entries(one_cache) == cache_entries(many_cache)
