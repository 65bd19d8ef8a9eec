"""A corpus with malformed files mixed in (issue 5): every good article is indexed, every bad file and
record is reported with its path, line and a readable reason, nothing is lost, and a symlink loop
neither hangs the build nor reads a folder twice. Counts are exact.

The corpus is built in a temporary folder: good articles in every format (page text, JSON Lines,
a JSON array, gzipped JSON Lines, Windows-1252 and Latin-1 bytes), each with its own marker word,
next to bad encodings, truncated JSON, records without a title or with a bad date, binary junk,
empty and whitespace-only files, an empty and a corrupt .gz, huge lines, a dangling symlink and
two directory loops.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from search.engines.whoosh.archive import WhooshArchive
from search.index.build import INDEX_NAME, build_index
from search.index.store import IndexStore
from search.ingest.corpus import CorpusReader, list_corpus_files
from search.request import SearchRequest
from tests.support.paths import ROOT

BUILD_TIME_BOUND = 120.0  # seconds: a generous bound, the build takes a few
WALK_TIME_BOUND = 10.0
PNG_HEADER = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00\x1f\xf3\xffa"
HUGE = 1_000_000  # characters in a huge line
# The counts the corpus below must give (each also derived from what the corpus builder recorded).
GOOD_ARTICLES = 22
BAD_FILES_AND_RECORDS = 37
WARNINGS = 6


@dataclass
class Expected:
    """What the build must report: the good articles by marker, the problems by (path, line)."""

    good: dict[str, tuple[str, int, bool]] = field(default_factory=dict)  # marker -> (path, line, dated)
    # (path, line) -> [(part of the reason, skipped)]: a file read as Latin-1 may also be unusable
    problems: dict[tuple[str, int], list[tuple[str, bool]]] = field(default_factory=dict)
    files: set[str] = field(default_factory=set)  # every file the build reads
    ignored: set[str] = field(default_factory=set)  # files that are not articles: neither read nor reported


class CorpusBuilder:
    def __init__(self, root: Path):
        self.root = root
        self.expected = Expected()
        self._markers = (f"qz{a}{b}mark" for a in "bcdfghjklmnpqrtvwxz" for b in "bcdfghjklmnpqrtvwxz")

    def marker(self) -> str:
        return next(self._markers)

    def write(self, relative: str, content: str | bytes, read: bool = True) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        (self.expected.files if read else self.expected.ignored).add(relative)
        return path

    def good(self, path: str, line: int, marker: str, dated: bool = True) -> None:
        self.expected.good[marker] = (path, line, dated)

    def problem(self, path: str, line: int, reason: str, skipped: bool = True) -> None:
        self.expected.problems.setdefault((path, line), []).append((reason, skipped))

    def record(self, marker: str, **fields) -> dict:
        return {"title": f"The {marker} report", "published": "2021-05-04", "body": f"Text about {marker}.", **fields}

    def page(self, marker: str, published: str = "Jan 02, 2022 09:00 AM", body: str = "") -> str:
        return (f"WORLD / ASIA\nTencent opens the {marker} office\nPublished: {published}\n\n"
                f"Tencent opened the {marker} office.\n{body}")


def random_bytes(seed: int, size: int, low: int) -> bytes:
    """``size`` random bytes from ``low`` to 255 (low=1: no NUL, so the file is decoded as text)."""
    rng = random.Random(seed)
    return bytes(rng.randrange(low, 256) for _ in range(size))


def build_malformed_corpus(root: Path) -> Expected:
    c = CorpusBuilder(root)

    # Page text: good, Windows-1252, Latin-1 (bytes cp1252 leaves undefined), with a BOM; then bad ones.
    m = c.marker(); c.write("pages/good.txt", c.page(m)); c.good("pages/good.txt", 0, m)
    m = c.marker(); c.write("pages/good.text", c.page(m, "2019-03-01")); c.good("pages/good.text", 0, m)
    m = c.marker(); c.write("pages/bom.txt", "\ufeff" + c.page(m)); c.good("pages/bom.txt", 0, m)
    m = c.marker(); c.write("pages/cp1252.txt", c.page(m, body="Café “quoted” – dash\n").encode("cp1252"))
    c.good("pages/cp1252.txt", 0, m); c.problem("pages/cp1252.txt", 0, "not UTF-8: read as Windows-1252", skipped=False)
    m = c.marker(); c.write("pages/latin1.txt", c.page(m, body="Caf\xe9 \x81\x8d\n").encode("latin-1"))
    c.good("pages/latin1.txt", 0, m); c.problem("pages/latin1.txt", 0, "not UTF-8: read as Latin-1", skipped=False)
    c.write("pages/no-date.txt", "Headline only\nA body without any date line.\n")
    c.problem("pages/no-date.txt", 0, "no 'Published:' line")
    c.write("pages/bad-date.txt", c.page("unseen", published="the 45th of Smarch"))
    c.problem("pages/bad-date.txt", 0, "bad date")
    c.write("pages/empty.txt", "")
    c.problem("pages/empty.txt", 0, "empty file")
    c.write("pages/whitespace.txt", "  \n\t\n\r\n   ")
    c.problem("pages/whitespace.txt", 0, "empty file")
    c.write("pages/photo.txt", PNG_HEADER + bytes(range(256)))
    c.problem("pages/photo.txt", 0, "binary file")
    c.write("pages/junk.txt", random_bytes(5, 4000, 1))  # no NUL: decoded
    c.problem("pages/junk.txt", 0, "not UTF-8: read as Latin-1", skipped=False)
    c.problem("pages/junk.txt", 0, "")  # whatever the page-text parser makes of it, it is reported
    c.write("pages/utf16.txt", c.page("unseen").encode("utf-16"))
    c.problem("pages/utf16.txt", 0, "binary file")

    # JSON Lines: good records among bad ones; every line is either indexed or reported.
    lines: list[str] = []

    def add(line: str) -> int:
        lines.append(line)
        return len(lines)

    for _ in range(3):
        m = c.marker(); c.good("feed.jsonl", add(json.dumps(c.record(m))), m)
    c.problem("feed.jsonl", add('{"title": "Truncated", "published": "2021-05-0'), "invalid JSON")
    c.problem("feed.jsonl", add(json.dumps({"published": "2021-05-04", "body": "No title."})), "no title")
    c.problem("feed.jsonl", add(json.dumps({"title": "   ", "published": "2021-05-04"})), "no title")
    c.problem("feed.jsonl", add(json.dumps({"title": {"nested": 1}})), "expected text")
    m = c.marker(); c.good("feed.jsonl", add(json.dumps(c.record(m, published=None))), m, dated=False)
    m = c.marker(); number = add(json.dumps({k: v for k, v in c.record(m).items() if k != "published"}))
    c.good("feed.jsonl", number, m, dated=False)
    m = c.marker(); c.good("feed.jsonl", add(json.dumps(c.record(m, published=""))), m, dated=False)
    c.problem("feed.jsonl", add(json.dumps(c.record("unseen", published="not a date"))), "bad date")
    c.problem("feed.jsonl", add(json.dumps(c.record("unseen", published="2021-02-30"))), "bad date")
    c.problem("feed.jsonl", add(json.dumps(c.record("unseen", published="1700-01-01"))), "bad date")
    c.problem("feed.jsonl", add(json.dumps(c.record("unseen", published=12345))), "bad date")
    c.problem("feed.jsonl", add(json.dumps(c.record("unseen", published="x" * 100_000))), "bad date")
    add("")
    add("   ")
    c.problem("feed.jsonl", add(json.dumps(["a", "list"])), "expected a JSON object")
    c.problem("feed.jsonl", add('"just a string"'), "expected a JSON object")
    c.problem("feed.jsonl", add("\x7f\x80 not json"), "invalid JSON")
    m = c.marker(); c.good("feed.jsonl",
                           add(json.dumps(c.record(m, body=f"{'lorem ipsum dolor ' * (HUGE // 18)} {m}"))), m)
    c.problem("feed.jsonl", add('{"title": "cut", "body": "' + "y" * HUGE), "invalid JSON")
    m = c.marker(); c.good("feed.jsonl", add(json.dumps(c.record(m, id="same"))), m)
    c.problem("feed.jsonl", add(json.dumps(c.record("unseen", id="same"))), "duplicate id")
    c.write("feed.jsonl", "\r\n".join(lines) + "\r\n")

    m1, m2 = c.marker(), c.marker()
    c.write("cp1252.jsonl", "\n".join(json.dumps(c.record(m, body="Café “déjà” vu"), ensure_ascii=False)
                                      for m in (m1, m2)).encode("cp1252"))
    c.good("cp1252.jsonl", 1, m1); c.good("cp1252.jsonl", 2, m2)
    c.problem("cp1252.jsonl", 0, "not UTF-8: read as Windows-1252", skipped=False)
    c.write("binary.jsonl", random_bytes(7, 5000, 0) + b"\x00")
    c.problem("binary.jsonl", 0, "binary file")
    c.write("invalid-utf8.jsonl", b'{"title": "\x81\x8d\x8f\x90\x9d"\n\xff\xfe\xfd\n')  # not even Windows-1252
    c.problem("invalid-utf8.jsonl", 0, "not UTF-8: read as Latin-1", skipped=False)
    c.problem("invalid-utf8.jsonl", 1, "invalid JSON"); c.problem("invalid-utf8.jsonl", 2, "invalid JSON")
    c.write("whitespace.jsonl", " \n\n\t \n")
    c.problem("whitespace.jsonl", 0, "empty file")
    c.write("huge-junk.jsonl", "z" * HUGE)
    c.problem("huge-junk.jsonl", 1, "invalid JSON")

    # JSON documents: a good array, {"articles": [...]}, one object; a truncated array; a bad record.
    m1, m2 = c.marker(), c.marker()
    c.write("array.json", json.dumps([c.record(m1), c.record(m2)], indent=1))
    c.good("array.json", 1, m1); c.good("array.json", 2, m2)
    m = c.marker(); c.write("wrapped.json", json.dumps({"articles": [c.record(m)]}))
    c.good("wrapped.json", 0, m)
    text = json.dumps([c.record("unseen"), c.record("unseen"), c.record("unseen")], indent=1)
    c.write("truncated.json", text[: len(text) // 2])
    c.problem("truncated.json", 0, "invalid JSON")
    m = c.marker(); c.write("mixed.json", json.dumps([c.record(m), {"body": "untitled"}, 7]))
    c.good("mixed.json", 1, m); c.problem("mixed.json", 2, "no title")
    c.problem("mixed.json", 3, "expected a JSON object")
    c.write("empty.json", "")
    c.problem("empty.json", 0, "empty file")
    c.write("junk.json", random_bytes(9, 3000, 1))
    c.problem("junk.json", 0, "not UTF-8: read as Latin-1", skipped=False)
    c.problem("junk.json", 0, "invalid JSON")

    # gzip: good, empty (zero bytes), corrupt, truncated.
    m1, m2 = c.marker(), c.marker()
    c.write("gz/feed.jsonl.gz", gzip.compress("\n".join(json.dumps(c.record(m)) for m in (m1, m2)).encode()))
    c.good("gz/feed.jsonl.gz", 1, m1); c.good("gz/feed.jsonl.gz", 2, m2)
    c.write("gz/empty.jsonl.gz", b"")
    c.problem("gz/empty.jsonl.gz", 0, "empty file")
    c.write("gz/corrupt.jsonl.gz", b"\x1f\x8b" + random_bytes(3, 500, 1))
    c.problem("gz/corrupt.jsonl.gz", 0, "not a readable gzip file")
    c.write("gz/truncated.jsonl.gz", gzip.compress(json.dumps(c.record("unseen")).encode() * 50)[:40])
    c.problem("gz/truncated.jsonl.gz", 0, "not a readable gzip file")
    c.write("gz/not-gzip.json.gz", json.dumps(c.record("unseen")))
    c.problem("gz/not-gzip.json.gz", 0, "not a readable gzip file")

    # Files with an unknown format, and files that are not articles at all (neither read nor reported).
    c.write("notes.dat", "just some text without any date line")
    c.problem("notes.dat", 0, "unknown format")
    c.write("README.md", f"# {c.marker()} is documentation", read=False)
    c.write(".hidden.jsonl", json.dumps(c.record("unseen")), read=False)
    c.write("_draft.jsonl", json.dumps(c.record("unseen")), read=False)
    c.write(".cache/feed.jsonl", json.dumps(c.record("unseen")), read=False)

    # Symlinks: a dangling one, a folder linking to its parent, a folder linking to itself; the
    # article inside the loop is read once.
    os.symlink(root / "nowhere.jsonl", root / "dangling.jsonl")
    c.expected.files.add("dangling.jsonl")
    c.problem("dangling.jsonl", 0, "unreadable")
    os.symlink("..", root / "pages" / "up")
    m = c.marker(); c.write("loop/inside.jsonl", json.dumps(c.record(m))); c.good("loop/inside.jsonl", 1, m)
    os.symlink(root / "loop", root / "loop" / "again")
    return c.expected


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, Expected]:
    root = tmp_path_factory.mktemp("malformed") / "corpus"
    root.mkdir()
    return root, build_malformed_corpus(root)


@pytest.fixture(scope="module")
def built(corpus, tmp_path_factory):
    root, _ = corpus
    index_root = tmp_path_factory.mktemp("malformed-index")
    started = time.perf_counter()
    report = build_index(root, index_root, progress=False)
    seconds = time.perf_counter() - started
    assert seconds < BUILD_TIME_BOUND
    with WhooshArchive(index_root) as archive:
        yield report, archive, index_root, seconds


def problems_by_place(report) -> dict[tuple[str, int], list]:
    places: dict[tuple[str, int], list] = {}
    for problem in report.summary.problems:
        places.setdefault((problem.path, problem.line), []).append(problem)
    return places


def test_the_corpus_walk_follows_each_folder_once_and_ends(corpus):
    root, expected = corpus
    found: list[str] = []
    walker = threading.Thread(target=lambda: found.extend(rel for _, rel in list_corpus_files(root)), daemon=True)
    walker.start()
    walker.join(WALK_TIME_BOUND)
    assert not walker.is_alive(), "list_corpus_files did not finish: a symlink loop is followed forever"
    assert sorted(found) == sorted(expected.files)
    assert len(found) == len(set(found))


def test_every_good_article_is_indexed_exactly_once(corpus, built):
    _, expected = corpus
    report, archive, index_root, _ = built
    assert report.summary.articles == len(expected.good) == GOOD_ARTICLES
    assert report.documents == len(expected.good)
    assert report.summary.files == len(expected.files)
    assert archive.search(SearchRequest()).total == len(expected.good)
    # The index holds exactly the expected articles: by file and line...
    ix = whoosh_index.open_dir(str(IndexStore(index_root).current()), indexname=INDEX_NAME)
    with ix.searcher() as searcher:
        stored = sorted((doc["path"], doc["line"]) for doc in searcher.all_stored_fields())
    ix.close()
    assert stored == sorted((path, line) for path, line, _ in expected.good.values())
    # ... and each one is found by its own marker word, once, dated or undated as written.
    for marker, (path, line, dated) in expected.good.items():
        results = archive.search(SearchRequest(q=marker))
        assert results.total == 1, marker
        (hit,) = results.hits
        assert marker in hit.title
        assert (hit.published is not None) == dated, (marker, path, line)


def test_undated_records_are_findable_but_outside_date_filters(corpus, built):
    _, expected = corpus
    _, archive, _, _ = built
    undated = [marker for marker, (_, _, dated) in expected.good.items() if not dated]
    assert len(undated) == 3
    for marker in undated:
        assert archive.search(SearchRequest(q=marker)).total == 1
        assert archive.search(SearchRequest(q=marker, year=2021)).total == 0
    dated_2021 = sum(1 for marker in expected.good if archive.search(SearchRequest(q=marker, year=2021)).total)
    assert dated_2021 == archive.search(SearchRequest(year=2021)).total


def test_every_bad_file_and_record_is_reported_with_a_readable_reason(corpus, built):
    _, expected = corpus
    report, _, _, _ = built
    places = problems_by_place(report)
    assert sorted(places) == sorted(expected.problems)
    for place, wanted in expected.problems.items():
        problems = sorted(places[place], key=lambda p: p.skipped)
        assert len(problems) == len(wanted), (place, [str(p) for p in problems])
        for problem, (reason, skipped) in zip(problems, sorted(wanted, key=lambda w: w[1])):
            assert reason in problem.reason, (place, problem.reason)
            assert problem.skipped == skipped, place
            assert problem.reason and problem.reason.isprintable(), (place, problem.reason[:200])
            assert str(problem).startswith(f"{place[0]}:{place[1]}: " if place[1] else f"{place[0]}: ")
    wanted = [w for ws in expected.problems.values() for w in ws]
    assert report.summary.skipped_count == sum(1 for _, skipped in wanted if skipped) == BAD_FILES_AND_RECORDS
    assert sum(report.summary.warnings.values()) == sum(1 for _, skipped in wanted if not skipped) == WARNINGS
    assert set(report.summary.warnings) == {"not UTF-8"}
    reported_paths = {problem.path for problem in report.summary.problems}
    assert not reported_paths & expected.ignored


def test_reasons_are_short(built):
    report, _, _, _ = built
    longest = max(report.summary.problems, key=lambda p: len(p.reason))
    assert len(longest.reason) < 500, (str(longest)[:200], len(longest.reason))


def test_nothing_is_lost(corpus, built):
    """Every file read either gave articles or is reported; every JSON Lines line is indexed or reported."""
    root, expected = corpus
    report, _, _, _ = built
    indexed = {(path, line) for path, line, _ in expected.good.values()}
    reported = set(problems_by_place(report))
    for relative in expected.files:
        assert any(p == relative for p, _ in indexed | reported), relative
    for relative in ("feed.jsonl", "cp1252.jsonl"):
        text = (root / relative).read_bytes().decode("utf-8", errors="replace")
        lines = {n for n, line in enumerate(text.splitlines(), start=1) if line.strip()}
        accounted = {n for p, n in indexed | reported if p == relative and n}
        assert accounted == lines, relative


def test_the_latin1_and_windows1252_articles_keep_their_letters(built):
    _, archive, _, _ = built
    view = archive.search(SearchRequest(q="café"))
    titles = sorted(hit.title for hit in view.hits)
    assert view.total == 4, titles  # pages/cp1252.txt, pages/latin1.txt, cp1252.jsonl (2)
    assert archive.search(SearchRequest(q='"déjà vu"')).total == 2


def test_the_command_line_lists_every_problem_and_succeeds(corpus, tmp_path):
    root, expected = corpus
    started = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "search", "index", "--corpus", str(root), "--index", str(tmp_path / "index")],
        check=False, cwd=ROOT, capture_output=True, text=True, timeout=BUILD_TIME_BOUND,
    )
    seconds = time.perf_counter() - started
    assert run.returncode == 0, run.stderr[-2000:]
    assert "Traceback" not in run.stderr
    out = run.stdout
    assert f"Indexed {len(expected.good)} articles from {len(expected.files)} files" in out
    assert f"the index holds {len(expected.good)} articles" in out
    assert f"Skipped {BAD_FILES_AND_RECORDS} (" in out and f"Warnings {WARNINGS} (not UTF-8: {WARNINGS})" in out
    listed = [line.strip() for line in out.splitlines() if line.startswith("  ")]
    for (path, line), wanted in expected.problems.items():
        where = f"{path}:{line}: " if line else f"{path}: "
        for reason, _ in wanted:
            assert any(entry.startswith(where) and reason in entry for entry in listed), (where, reason)
    assert len(listed) == BAD_FILES_AND_RECORDS + WARNINGS
    assert seconds < BUILD_TIME_BOUND


# --- Known gaps: kept out of the corpus above (the first one stops the whole build) ---------------

def test_a_gzip_file_with_corrupt_data_is_reported_not_fatal(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.jsonl").write_text(json.dumps({"title": "Kept", "published": "2021-01-01"}), encoding="utf-8")
    data = gzip.compress(b'{"title": "x", "published": "2021-01-01"}\n' * 20)
    (corpus / "corrupt.jsonl.gz").write_bytes(data[:10] + bytes(range(200, 250)) + data[60:])
    report = build_index(corpus, tmp_path / "index", progress=False, procs=1)
    assert report.summary.articles == 1
    (problem,) = report.summary.problems
    assert problem.path == "corrupt.jsonl.gz" and "gzip" in problem.reason


def test_json_lines_records_with_unicode_line_separators_are_kept(tmp_path):
    records = [{"title": f"Title{sep}with a separator", "published": "2021-01-01", "body": f"one{sep}two"}
               for sep in ("\u2028", "\u2029", "\x85")]
    (tmp_path / "feed.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    (result,) = CorpusReader(tmp_path).read_all()
    assert [str(p) for p in result.problems] == []
    assert [a.line for a in result.articles] == [1, 2, 3]
