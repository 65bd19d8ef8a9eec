"""Reading a corpus folder: format detection per file, and every bad file reported with its reason."""

import gzip
import json
import os
from pathlib import Path

import pytest

from search.ingest.corpus import CorpusReader, ReadSummary, list_corpus_files

GOOD_PAGE = "WORLD / ASIA\nTencent opens office\nPublished: Jan 02, 2022 09:00 AM\n\nTencent opened an office.\n"


def write(path: Path, content) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


@pytest.fixture()
def messy_corpus(tmp_path: Path) -> Path:
    """Good articles mixed with every kind of bad file and record."""
    corpus = tmp_path / "corpus"
    write(corpus / "pages" / "good.txt", GOOD_PAGE)
    write(corpus / "pages" / "no-date.txt", "Headline only\nBody without a date line.\n")
    write(corpus / "pages" / "empty.txt", "")
    write(corpus / "pages" / "junk.bin", bytes(range(256)) * 4)
    write(corpus / "pages" / "latin1.txt", GOOD_PAGE.replace("Tencent opened", "Café Tencent opened").encode("cp1252"))
    lines = [
        json.dumps({"id": "a", "title": "Alpha", "published": "2021-05-01", "body": "One."}),
        '{"id": "b", "title": "Broken", "published": ',  # truncated JSON
        json.dumps({"id": "c", "title": "Gamma", "published": "not a date", "body": "Three."}),
        json.dumps({"id": "d", "published": "2021-05-04", "body": "No title."}),
        "",
        json.dumps({"id": "e", "title": "Epsilon", "published": "2021-05-05", "body": "Five."}),
        json.dumps(["a", "list"]),
        json.dumps({"id": "a", "title": "Alpha again", "published": "2021-05-01", "body": "Duplicate id."}),
    ]
    write(corpus / "feed.jsonl", "\n".join(lines) + "\n")
    write(corpus / "feed2.jsonl.gz",
          gzip.compress(json.dumps({"title": "Zeta", "published": "2021-06-01", "body": "Six."}).encode()))
    write(corpus / "broken.json", '[{"title": "x", ')
    write(corpus / "README.md", "# not an article")
    write(corpus / "notes.dat", "just some text without any date line")
    os.symlink(corpus, corpus / "pages" / "loop")  # a directory loop
    return corpus


def read(corpus: Path):
    summary = ReadSummary()
    results = list(CorpusReader(corpus).read_all())
    for result in results:
        summary.add(result)
    return summary, results


def test_every_good_article_is_read(messy_corpus):
    summary, results = read(messy_corpus)
    titles = sorted(a.title for r in results for a in r.articles)
    assert titles == ["Alpha", "Epsilon", "Tencent opens office", "Tencent opens office", "Zeta"]
    assert summary.articles == 5


def test_every_bad_file_and_record_is_reported(messy_corpus):
    summary, _ = read(messy_corpus)
    reported = sorted(str(p) for p in summary.problems)
    assert reported == sorted([
        "broken.json: invalid JSON: Expecting property name enclosed in double quotes (line 1, column 17)",
        "feed.jsonl:2: invalid JSON: Expecting value (column 45)",
        "feed.jsonl:3: bad date: no date in 'not a date'",
        "feed.jsonl:4: no title",
        "feed.jsonl:7: expected a JSON object, got list",
        f"feed.jsonl:8: duplicate id: {next(p for p in summary.problems if p.line == 8).reason.split(': ')[1]}",
        "notes.dat: unknown format: not JSON, JSON Lines or page text with a 'Published:' line",
        "pages/empty.txt: empty file",
        "pages/junk.bin: binary file: not text",
        "pages/latin1.txt: warning: not UTF-8: read as Windows-1252",
        "pages/no-date.txt: no 'Published:' line under the headline",
    ])
    assert summary.skipped_count == 10
    assert dict(summary.warnings) == {"not UTF-8": 1}


def test_symlink_loop_is_followed_once(messy_corpus):
    paths = [relative for _, relative in list_corpus_files(messy_corpus)]
    assert len(paths) == len(set(paths))
    assert not any(p.startswith("pages/loop/") for p in paths)
    assert "README.md" not in paths


def test_cp1252_file_is_decoded(messy_corpus):
    _, results = read(messy_corpus)
    (latin,) = [r for r in results if r.path == "pages/latin1.txt"]
    assert "Café Tencent opened an office." in latin.articles[0].body


def test_javascript_url_is_never_kept(tmp_path):
    write(tmp_path / "a.jsonl", json.dumps({"title": "T", "published": "2021-01-01", "url": "javascript:alert(1)"}))
    (result,) = CorpusReader(tmp_path).read_all()
    assert result.articles[0].url == ""


def test_json_lines_saved_as_json_are_read_as_json_lines(tmp_path):
    records = [{"title": f"T{i}", "published": "2021-01-01", "body": "x"} for i in range(3)]
    write(tmp_path / "export.json", "\n".join(json.dumps(r) for r in records) + "\n")
    (result,) = CorpusReader(tmp_path).read_all()
    assert [a.title for a in result.articles] == ["T0", "T1", "T2"] and result.problems == []
