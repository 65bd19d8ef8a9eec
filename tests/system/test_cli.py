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
