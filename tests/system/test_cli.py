"""The command line, run as a user runs it: `python -m search index` and `python -m search query`."""

import json
import subprocess
import sys

from tests.support.paths import ROOT


def run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "search", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env=env)


def test_index_then_query(corpus_copy, tmp_path):
    (corpus_copy / "bad.jsonl").write_text(
        '{"title": "An undated notice", "body": "The quokka census."}\n{oops\n{"body": "untitled"}\n', encoding="utf-8")
    index = tmp_path / "index"
    built = run("index", "--corpus", str(corpus_copy), "--index", str(index))
    assert built.returncode == 0, built.stderr
    assert "Indexed 42 articles from 3 files" in built.stdout
    assert ("Skipped 2 (" in built.stdout and "bad.jsonl:3: no title" in built.stdout
            and "bad.jsonl:2: invalid JSON" in built.stdout)
    assert built.stderr == ""  # no progress bar when not on a terminal

    found = run("query", "ByteDance", "--index", str(index), "--json")
    data = json.loads(found.stdout)
    assert data["total"] == 1 and data["hits"][0]["title"] == "ByteDance denies report of selling AI technology"

    # An article without a date is kept: found by its words, shown as undated, outside every date filter.
    undated = run("query", "quokka", "--index", str(index))
    assert "An undated notice  [Unknown, undated]" in undated.stdout
    assert run("query", "quokka", "--year", "2021", "--index", str(index)).stdout.startswith("0 articles")
    newest = run("query", "--sort", "newest", "--per-page", "100", "--index", str(index)).stdout
    assert newest.startswith("42 articles") and "An undated notice" in newest

    listed = run("query", "--index", str(index), "--company", "TikTok")
    assert listed.returncode == 0 and "1 articles" in listed.stdout and "ByteDance denies report" in listed.stdout


def test_progress_bar_on_request(corpus_copy, tmp_path):
    built = run("index", "--corpus", str(corpus_copy), "--index", str(tmp_path / "index"), "--progress")
    assert built.returncode == 0 and "file" in built.stderr and "per_s=" in built.stderr


def test_errors_are_messages_not_tracebacks(tmp_path):
    missing = run("index", "--corpus", str(tmp_path / "nowhere"), "--index", str(tmp_path / "index"))
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    no_index = run("query", "x", "--index", str(tmp_path / "empty"))
    assert no_index.returncode == 2 and "make index" in no_index.stderr
    bad_map = run("index", "--corpus", str(ROOT / "corpus"), "--index", str(tmp_path / "i"), "--map", "text")
    assert bad_map.returncode == 2 and "their_name=our_name" in bad_map.stderr
    assert "Traceback" not in missing.stderr + no_index.stderr + bad_map.stderr


def test_parse_prints_what_the_indexer_makes_of_a_file(tmp_path):
    """`python -m search parse` on a WARC and on a page-text file, as text and as JSON Lines."""
    from tests.support.warcs import Crawl, generated_page

    crawl = Crawl(tmp_path / "corpus" / "crawl.warc.gz")
    crawl.response("https://news.example/a", generated_page(1))
    crawl.response("https://news.example/b", generated_page(2))
    crawl.response("https://news.example/old", b"", status="301 Moved Permanently")
    crawl.response("https://news.example/logo.png", bytes(100), content_type="image/png")
    crawl.response("https://news.example/a", generated_page(3), date="2019-11-19T00:00:00Z")  # older: skipped
    path = crawl.save()
    text = run("parse", str(path))
    assert text.returncode == 0, text.stderr
    assert text.stdout.count("\narticle ") + text.stdout.startswith("article ") == 2
    assert "  url: https://news.example/a\n" in text.stdout and "Generated story 3" not in text.stdout
    assert "skipped: crawl.warc.gz (record at byte " in text.stdout and ": redirect (HTTP 301): " in text.stdout
    assert text.stdout.rstrip().endswith("crawl.warc.gz: 2 articles, 3 skipped, 0 warnings")
    lines = [json.loads(line) for line in run("parse", "--json", str(path)).stdout.splitlines()]
    assert [next(iter(line)) for line in lines] == ["article", "article", "skipped", "skipped", "skipped"]
    assert [line["skipped"]["kind"] for line in lines[2:]] == ["redirect", "not HTML", "older capture"]
    first = lines[0]["article"]
    assert first["published"] == "2020-01-02T08:00:00+00:00" and first["title"] == "Generated story 1"

    seed = ROOT / "corpus" / "global-times" / "2021-07-05-bytedance-denies-report-of-selling-ai-technology.txt"
    page = run("parse", str(seed))
    assert page.returncode == 0 and page.stdout.startswith("article 1: ByteDance denies report of selling AI")
    assert "  source: Global Times\n" in page.stdout and page.stdout.rstrip().endswith("0 skipped, 0 warnings")
    record = json.loads(run("parse", "--json", str(seed), "--corpus", str(ROOT / "corpus")).stdout)
    assert record["article"]["path"] == "global-times/" + seed.name and "TikTok" in record["article"]["companies"]
    missing = run("parse", str(tmp_path / "nothing.warc"))
    assert missing.returncode == 2 and "no such file" in missing.stderr
