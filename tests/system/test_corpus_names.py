"""File and folder names that are not UTF-8 (issue 16): a Latin-1 ``é`` byte in a corpus file's name
made every build fail ("the index holds 0 of the 23 articles read"). Any name the filesystem allows is
indexed, in full and incremental builds, and shown as text (``caf\\xe9.jsonl``) in the report, the
manifest, the stored fields and the ids: never a surrogate escape that breaks JSON, Whoosh or a log.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from whoosh import index as whoosh_index

from search.engines.whoosh.archive import WhooshArchive
from search.index.build import INDEX_NAME, build_index, update_index
from search.index.store import MANIFEST_NAME, IndexStore
from search.request import SearchRequest
from tests.support.paths import ROOT, SMALL_CORPUS_RECORDS

MARKER = "zorblax"


def write_named(folder: Path, name: bytes, data: bytes) -> bytes:
    """Write ``data`` to the file of that exact byte name in ``folder``; return its full path in bytes."""
    os.makedirs(os.fsencode(folder), exist_ok=True)
    target = os.fsencode(folder) + b"/" + name
    with open(target, "wb") as handle:
        handle.write(data)
    return target


def record(title: str, **fields) -> bytes:
    return (json.dumps({"title": title, "published": "2022-02-02", "body": f"{title}. A {MARKER} story.",
                        **fields}) + "\n").encode("utf-8")


def page(title: str) -> bytes:
    return f"WORLD\n{title}\nPublished: Jan 02, 2022 09:00 AM\n\n{title}: a {MARKER} page.\n".encode()


def stored_documents(root: Path) -> list[dict]:
    ix = whoosh_index.open_dir(str(IndexStore(root).current()), indexname=INDEX_NAME)
    try:
        with ix.searcher() as searcher:
            return [dict(fields) for fields in searcher.all_stored_fields()]
    finally:
        ix.close()


def encodable(value) -> bool:
    """True when every string in ``value`` (a JSON-like structure) is strict UTF-8 text (no surrogates)."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def odd_corpus(corpus: Path) -> dict[str, str]:
    """Add articles under names that are not UTF-8 to ``corpus``; return title -> the path shown for it."""
    extra = corpus / "extra"
    write_named(extra, b"caf\xe9.jsonl", record("Latin-1 cafe named file"))  # keyed by its path: no id, no url
    write_named(extra, b"caf\\xe9.jsonl", record("Backslash named file"))  # the text the name above is shown as
    write_named(extra, b"invalid-\xff\xfe.jsonl", record("Invalid bytes named file", id="own-id-1"))
    write_named(extra, "été-ok.jsonl".encode(), record("UTF-8 named file"))
    # Lone surrogates in JSON text (escapes that are no character): replaced when the record is read.
    write_named(extra, b"surrogates.jsonl", b'{"title": "Lone \\udce9 surrogate", "body": "\\ud800 a %s story."}\n'
                % MARKER.encode())
    folder = Path(os.fsdecode(os.fsencode(corpus) + b"/d\xe9p\xeaches"))
    write_named(folder, b"r\xe9sum\xe9.txt", page("Latin-1 folder page"))
    return {
        # Its backslash doubled: the text of the name with one backslash is the next file's own name.
        "Latin-1 cafe named file": "extra/caf\\\\xe9.jsonl",
        "Backslash named file": "extra/caf\\xe9.jsonl",
        "Invalid bytes named file": "extra/invalid-\\xff\\xfe.jsonl",
        "UTF-8 named file": "extra/été-ok.jsonl",
        "Latin-1 folder page": "d\\xe9p\\xeaches/r\\xe9sum\\xe9.txt",
        "Lone \ufffd surrogate": "extra/surrogates.jsonl",
    }


def marked(root: Path) -> dict[str, dict]:
    return {fields["title"]: fields for fields in stored_documents(root) if MARKER in fields.get("body", "")}


def test_names_that_are_not_utf8_are_indexed_by_a_full_build(corpus_copy, tmp_path, request):
    shown = odd_corpus(corpus_copy)
    root = tmp_path / "index"
    report = build_index(corpus_copy, root, progress=False)
    assert report.summary.skipped_count == 0, report.lines()
    assert report.documents == 1 + SMALL_CORPUS_RECORDS + 6  # the seed, the Wikinews records, the six above
    found = marked(root)
    assert set(found) == {"Latin-1 cafe named file", "Backslash named file", "Invalid bytes named file",
                          "UTF-8 named file", "Latin-1 folder page", "Lone \ufffd surrogate"}
    for title, path in shown.items():
        assert found[title]["path"] == path
    assert all(encodable(fields) for fields in stored_documents(root))
    raw = (IndexStore(root).current() / MANIFEST_NAME).read_bytes()
    manifest = json.loads(raw.decode("utf-8"))
    assert encodable(manifest) and "\\udc" not in raw.decode("utf-8")
    assert set(shown.values()) <= set(manifest["files"])
    archive = WhooshArchive(root)
    request.addfinalizer(archive.close)
    assert archive.search(SearchRequest(q=MARKER)).total == 6
    article = archive.article(found["Latin-1 cafe named file"]["id"]).article
    assert article.path == shown["Latin-1 cafe named file"]


def test_names_that_are_not_utf8_follow_incremental_builds(corpus_copy, tmp_path):
    odd_corpus(corpus_copy)
    root = tmp_path / "index"
    build_index(corpus_copy, root, progress=False)
    before = marked(root)

    unchanged = update_index(corpus_copy, root, progress=False)
    assert unchanged.mode == "incremental" and unchanged.files_added == unchanged.files_changed == 0
    assert marked(root) == before

    write_named(corpus_copy / "extra", b"caf\xe9.jsonl", record("Latin-1 cafe named file, corrected"))
    changed = update_index(corpus_copy, root, progress=False)
    assert changed.mode == "incremental" and changed.files_changed == 1 and changed.summary.skipped_count == 0
    titles = set(marked(root))
    assert "Latin-1 cafe named file, corrected" in titles and "Latin-1 cafe named file" not in titles

    os.unlink(os.fsencode(corpus_copy) + b"/d\xe9p\xeaches/r\xe9sum\xe9.txt")
    removed = update_index(corpus_copy, root, progress=False)
    assert removed.files_removed == 1 and "Latin-1 folder page" not in marked(root)
    assert len(marked(root)) == 5
    assert all(encodable(fields) for fields in stored_documents(root))


def test_the_command_line_reports_a_bad_file_by_its_name_shown_as_text(corpus_copy, tmp_path):
    """A problem in a file whose name is not UTF-8 is printed with its name shown as text, on a strict
    UTF-8 terminal (a surrogate escape would stop the print, the build already published)."""
    write_named(corpus_copy / "extra", b"mal\xe9.jsonl", b'{"title": "cut", "body": \n' + record("After the cut"))
    env = {**os.environ, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONUTF8": "0", "PYTHONIOENCODING": "utf-8:strict"}
    done = subprocess.run([sys.executable, "-m", "search", "index", "--corpus", str(corpus_copy),
                           "--index", str(tmp_path / "index"), "--no-progress"],
                          cwd=ROOT, env=env, capture_output=True, timeout=300)
    out = done.stdout.decode("utf-8") + done.stderr.decode("utf-8")
    assert done.returncode == 0, out
    assert "extra/mal\\xe9.jsonl:1: invalid JSON" in out
    assert "Skipped 1 (invalid JSON: 1)" in out
