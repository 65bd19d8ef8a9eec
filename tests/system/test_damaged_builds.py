"""A damaged or missing build never takes the site down (issue 16). ``current`` pointing at a corrupt
build gave a generic 500 on every route, /healthz included, though the previous good build was still
open; a byte changed in a segment file left /healthz "ok" while /suggest and some searches failed.

Now a build is checked when it is published (opened as a server opens it, its article count against
its manifest's) and the checksums of its files are recorded in its manifest; a server checks them when
it opens the build and refuses one whose files changed: it keeps serving the build it had, and /healthz
says "degraded", why, and which build serves. With no build to fall back on, every page is a 503 that
says why, never a 500.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from search.engines import flow
from search.index.build import BuildFailed, build_index
from search.index.store import MANIFEST_NAME, TMP_PREFIX, IndexStore
from web import create_app

MARKER = "zorblax"
# Every kind of page: search, JSON, suggestions, an article, a facet's list, the feed, a company.
URLS = ["/", "/?q=bytedance", "/api/search?q=bytedance", "/suggest?q=byt", "/facet/company?q=tiktok",
        "/search.atom?q=bytedance", "/company/bytedance", "/api/facet/source"]


def largest(build: Path, pattern: str) -> Path:
    return max(build.glob(pattern), key=lambda p: p.stat().st_size)


def flip_a_byte(build: Path) -> None:
    """One byte changed in the middle of the postings: opening and most searches still work, so only the
    checksum tells (found by the review: /healthz "ok", /suggest a 500)."""
    path = largest(build, "*.pst")
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def flip_a_stored_byte(build: Path) -> None:
    path = largest(build, "*_stored.col")
    data = bytearray(path.read_bytes())
    data[len(data) // 3] ^= 0x20
    path.write_bytes(bytes(data))


def truncate_postings(build: Path) -> None:
    path = largest(build, "*.pst")
    os.truncate(path, path.stat().st_size // 2)


def truncate_stored(build: Path) -> None:
    path = largest(build, "*_stored.col")
    os.truncate(path, path.stat().st_size // 2)


def remove_the_table_of_contents(build: Path) -> None:
    next(build.glob("_MAIN_*.toc")).unlink()


def cut_the_manifest(build: Path) -> None:
    path = build / MANIFEST_NAME
    os.truncate(path, path.stat().st_size // 2)


def remove_the_build(build: Path) -> None:
    shutil.rmtree(build)


DAMAGES: dict[str, Callable[[Path], None]] = {
    "a byte changed in the postings": flip_a_byte,
    "a byte changed in the stored articles": flip_a_stored_byte,
    "the postings truncated": truncate_postings,
    "the stored articles truncated": truncate_stored,
    "the table of contents removed": remove_the_table_of_contents,
    "the manifest cut short": cut_the_manifest,
    "the build folder removed": remove_the_build,
}


def add_marked_article(corpus: Path) -> None:
    path = corpus / "extra" / "marked.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"id": "marked", "title": f"The {MARKER} story", "published": "2022-02-02",
                                "body": f"A {MARKER} was seen."}) + "\n", encoding="utf-8")


@pytest.fixture()
def no_retry(monkeypatch):
    """A refused build is tried again at once (not after 30 s), so that each request checks it anew."""
    monkeypatch.setattr(flow, "RETRY_SECONDS", 0.0)


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_build_made_current_leaves_the_previous_one_serving(corpus_copy, tmp_path, damage, request):
    root = tmp_path / "index"
    store = IndexStore(root)
    build_index(corpus_copy, root, progress=False)
    good = store.current().name
    app = create_app({"INDEX_DIR": str(root), "TESTING": True})
    request.addfinalizer(app.extensions["archive"].close)
    client = app.test_client()
    assert client.get("/?q=bytedance").status_code == 200  # the first build is open

    add_marked_article(corpus_copy)
    build_index(corpus_copy, root, progress=False)
    refused = store.current().name
    DAMAGES[damage](store.current())
    for url in URLS + [f"/?q={MARKER}"]:
        response = client.get(url)
        assert response.status_code == 200, (damage, url, response.get_data(as_text=True)[:300])
    assert client.get(f"/api/search?q={MARKER}").get_json()["total"] == 0  # the previous build answers
    health = client.get("/healthz")
    assert health.status_code == 200
    data = health.get_json()
    assert data["status"] == "degraded" and data["build"] == good and data["refused_build"] == refused, data
    assert refused in data["problem"]

    build_index(corpus_copy, root, progress=False)  # a good build again
    data = client.get("/healthz").get_json()
    assert data["status"] == "ok" and data["build"] == store.current().name and "problem" not in data
    assert client.get(f"/api/search?q={MARKER}").get_json()["total"] == 1


@pytest.mark.parametrize("damage", DAMAGES)
def test_an_app_with_only_a_damaged_build_answers_503_with_the_reason(corpus_copy, tmp_path, damage, request,
                                                                      no_retry):
    root = tmp_path / "index"
    build_index(corpus_copy, root, progress=False)
    build = IndexStore(root).current()
    DAMAGES[damage](build)
    app = create_app({"INDEX_DIR": str(root), "TESTING": True})
    request.addfinalizer(app.extensions["archive"].close)
    client = app.test_client()
    for url in URLS + ["/healthz", "/article/x"]:
        response = client.get(url)
        assert response.status_code == 503, (damage, url, response.status_code, response.get_data(as_text=True)[:300])
    error = client.get("/api/search?q=x").get_json()["error"]
    assert build.name in error["message"] and "rebuild" in error["message"], error
    health = client.get("/healthz").get_json()
    assert health["status"] == "unavailable" and build.name in health["problem"], health
    page = client.get("/?q=x").get_data(as_text=True)
    assert build.name in page


def test_a_refused_build_is_not_checked_again_at_every_request(corpus_copy, tmp_path, request, monkeypatch):
    root = tmp_path / "index"
    build_index(corpus_copy, root, progress=False)
    app = create_app({"INDEX_DIR": str(root), "TESTING": True})
    request.addfinalizer(app.extensions["archive"].close)
    client = app.test_client()
    client.get("/healthz")
    build_index(corpus_copy, root, progress=False)
    flip_a_byte(IndexStore(root).current())
    checks = []
    real = IndexStore.verify
    monkeypatch.setattr(IndexStore, "verify", lambda self, *args: checks.append(1) or real(self, *args))
    for _ in range(5):
        assert client.get("/?q=bytedance").status_code == 200
    assert len(checks) == 1
    assert client.get("/healthz").get_json()["status"] == "degraded"


def test_the_manifest_records_a_checksum_of_every_file(corpus_copy, tmp_path):
    root = tmp_path / "index"
    build_index(corpus_copy, root, progress=False)
    build = IndexStore(root).current()
    checksums = IndexStore(root).manifest()["checksums"]
    assert set(checksums) == {p.name for p in build.iterdir() if p.name != MANIFEST_NAME
                              and not p.name.endswith("_WRITELOCK")}


@pytest.mark.parametrize("damage", [truncate_postings, remove_the_table_of_contents, truncate_stored])
def test_a_build_damaged_before_it_is_published_is_not_published(corpus_copy, tmp_path, damage):
    """The check at publication: a build that cannot be opened as a server opens it is not published."""
    root = tmp_path / "index"
    build_index(corpus_copy, root, progress=False)
    served = IndexStore(root).generation()
    with pytest.raises(BuildFailed, match="the new build cannot be opened"):
        build_index(corpus_copy, root, progress=False, before_publish=lambda build, manifest, old: damage(build))
    assert IndexStore(root).generation() == served
    assert not list(root.glob(TMP_PREFIX + "*"))
