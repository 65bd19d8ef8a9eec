"""List fields mapped to a facet (issue 13), through the commands: the import and index commands (run as a
user runs them, in a child process) say what they did with each mapped field. Parsing alone:
tests/unit/test_list_fields.py; the index and the app: tests/integration/test_list_fields.py; both
engines on a multi-section article: test_backend_contract.py."""

from __future__ import annotations

import subprocess
import sys

from search.engines.whoosh.archive import WhooshArchive
from search.request import SearchRequest
from tests.support.list_fields import REUTERS, write_jsonl
from tests.support.paths import ROOT


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "search", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def test_the_import_command_says_what_it_does_with_each_mapped_field(tmp_path):
    export = write_jsonl(tmp_path / "reuters.jsonl", REUTERS)
    done = run("import", str(export), "--corpus", str(tmp_path / "corpus"), "--name", "reuters", "--source", "Reuters",
               "--map", "newid=id,topics=section")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Added 1 file(s) to ") and "field mapping for reuters/*" in lines[0]
    assert lines[-2:] == ["  newid -> id: the article's own id",
                          "  topics -> section: a list becomes one section value per item (facet)"]

    built = run("index", "--corpus", str(tmp_path / "corpus"), "--index", str(tmp_path / "index"))
    assert built.returncode == 0, built.stderr
    lines = built.stdout.splitlines()
    assert "Indexed 8 articles from 1 files" in built.stdout
    fields = [line for line in lines if line.startswith("Field ")]
    assert fields == [
        "Field newid -> id (reuters/*): 8 records; numbers; 0 records without it",
        "Field topics -> section (reuters/*): 6 records; 5 lists of 1-3 values (one section value each); "
        "1 texts (one section value each); 2 records without it",
    ]
    assert lines.index(fields[0]) > max(i for i, line in enumerate(lines) if line.startswith(("Indexed", "Skipped")))
    assert lines[-1].startswith("Serving from ")


def test_the_index_command_names_a_command_line_mapping(tmp_path):
    corpus = tmp_path / "corpus"
    write_jsonl(corpus / "feed" / "items.jsonl", [
        {"headline": "Oil rises", "when": "2021-01-01", "tags": ["energy", "oil"]},
        {"headline": "Oil falls", "when": "2021-01-02", "tags": ["oil"]},
        {"headline": "Markets calm", "when": "2021-01-03"},
    ])
    built = run("index", "--corpus", str(corpus), "--index", str(tmp_path / "index"),
                "--map", "tags=section,when=published")
    assert built.returncode == 0, built.stderr
    fields = [line for line in built.stdout.splitlines() if line.startswith("Field ")]
    assert fields == [
        "Field tags -> section (--map): 2 records; lists of 1-2 values (one section value each); 1 records without it",
        "Field when -> published (--map): 3 records; texts; 0 records without it",
    ]
    with WhooshArchive(tmp_path / "index") as archive:
        facet = {v.value: v.count for v in archive.search(SearchRequest()).facets["section"]}
    assert facet == {"oil": 2, "energy": 1}
