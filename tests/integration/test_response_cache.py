"""The response cache and conditional requests (web/responsecache.py): repeated answers come from the cache,
an ETag gives a 304, a rebuild changes answers and ETags at once, htmx and full-page answers never mix,
errors are never kept, and the cache stays within its bytes. Real indexes on disk, Flask's test client."""

from __future__ import annotations

import json

import pytest

from search.index.build import build_index
from tests.support.paths import copy_small_corpus
from web import create_app
from web.responsecache import ResponseCache

MARKER = "zqxcachemarker"
SEARCH = "/?q=police"
HX = {"HX-Request": "true"}


@pytest.fixture()
def served(tmp_path):
    """A small corpus, its index, and an app on it: (corpus, index root, app)."""
    corpus = copy_small_corpus(tmp_path / "corpus")
    root = tmp_path / "index"
    build_index(corpus, root, progress=False)
    app = create_app({"INDEX_DIR": str(root), "TESTING": True})
    yield corpus, root, app
    app.extensions["archive"].close()


def cache_of(app) -> ResponseCache:
    return app.extensions["response_cache"]["cache"]


def test_a_repeated_search_is_served_from_the_cache(served):
    _, _, app = served
    client, cache = app.test_client(), cache_of(app)
    first = client.get(SEARCH, headers=HX)
    assert first.status_code == 200 and first.headers["ETag"].startswith('"')
    assert first.headers["Cache-Control"] == "no-cache"
    stores, hits = cache.stores, cache.hits
    archive = app.extensions["archive"]
    searched = []
    original = archive.search
    archive.search = lambda *a, **k: searched.append(a) or original(*a, **k)  # counts, still searches
    try:
        again = client.get(SEARCH, headers=HX)
    finally:
        del archive.search
    assert searched == []  # the engine was not asked
    assert cache.hits == hits + 1 and cache.stores == stores
    assert again.get_data() == first.get_data() and again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
    assert again.headers["HX-Push-Url"] == first.headers["HX-Push-Url"]


def test_etag_round_trip_is_a_304_without_body_with_the_headers_that_matter(served):
    _, _, app = served
    client = app.test_client()
    for path, headers in ((SEARCH, HX), (SEARCH, {}), ("/api/search?q=police", {}), ("/search.atom?q=police", {}),
                          ("/facet/source?q=police", {}), ("/suggest?q=pol", {})):
        first = client.get(path, headers=headers)
        assert first.status_code == 200, path
        etag = first.headers["ETag"]
        not_modified = client.get(path, headers={**headers, "If-None-Match": etag})
        assert not_modified.status_code == 304, path
        assert not_modified.get_data() == b""
        assert not_modified.headers["ETag"] == etag
        assert not_modified.headers["Cache-Control"] == "no-cache"
        for name in ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options"):
            assert not_modified.headers[name] == first.headers[name], (path, name)
        assert set(not_modified.vary) == set(first.vary), path
        # A weak form of the same tag, or one of several, matches too (RFC 9110's weak comparison).
        assert client.get(path, headers={**headers, "If-None-Match": f'"other", W/{etag}'}).status_code == 304
        assert client.get(path, headers={**headers, "If-None-Match": '"other"'}).status_code == 200


def test_a_304_needs_no_cached_copy(served):
    """The ETag is a hash of the request and the build: a worker that never rendered the answer confirms it."""
    _, root, app = served
    etag = app.test_client().get(SEARCH, headers=HX).headers["ETag"]
    other = create_app({"INDEX_DIR": str(root), "TESTING": True})  # another worker: an empty cache
    try:
        answer = other.test_client().get(SEARCH, headers={**HX, "If-None-Match": etag})
        assert answer.status_code == 304
        assert cache_of(other).stores == 0
    finally:
        other.extensions["archive"].close()


def test_a_published_rebuild_changes_the_answer_and_the_etag_at_once(served):
    corpus, root, app = served
    client = app.test_client()
    before = client.get(f"/api/search?q={MARKER}")
    assert before.json["total"] == 0
    html_before = client.get(f"/?q={MARKER}", headers=HX)
    (corpus / "wikinews" / "marker.jsonl").write_text(json.dumps({
        "id": "cache-marker", "title": f"Rebuilt index {MARKER}", "published": "2021-07-05",
        "body": f"An article that only the second build holds: {MARKER}.", "source": "Wikinews"}) + "\n")
    build_index(corpus, root, progress=False)
    after = client.get(f"/api/search?q={MARKER}")
    assert after.json["total"] == 1
    assert after.headers["ETag"] != before.headers["ETag"]
    # The old ETag is no longer confirmed: a client that had the empty answer gets the new one.
    revalidated = client.get(f"/?q={MARKER}", headers={**HX, "If-None-Match": html_before.headers["ETag"]})
    assert revalidated.status_code == 200 and MARKER in revalidated.get_data(as_text=True).lower()


def test_htmx_and_full_page_answers_never_mix(served):
    _, _, app = served
    client = app.test_client()
    fragment = client.get(SEARCH, headers=HX)
    page = client.get(SEARCH)
    restore = client.get(SEARCH, headers={**HX, "HX-History-Restore-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True)
    assert "<html" in page.get_data(as_text=True) and "<html" in restore.get_data(as_text=True)
    assert len({fragment.headers["ETag"], page.headers["ETag"], restore.headers["ETag"]}) == 3
    for answer in (fragment, page, restore):
        assert {"HX-Request", "HX-History-Restore-Request"} <= set(answer.vary)
    # Again, now from the cache: each still gets its own.
    assert "<html" not in client.get(SEARCH, headers=HX).get_data(as_text=True)
    assert "<html" in client.get(SEARCH).get_data(as_text=True)
    # The page's ETag does not confirm the fragment.
    assert client.get(SEARCH, headers={**HX, "If-None-Match": page.headers["ETag"]}).status_code == 200


def test_errors_and_uncached_endpoints_are_never_kept(served):
    _, _, app = served
    client, cache = app.test_client(), cache_of(app)
    for path in ("/?q=police&page=abc", "/api/search?q=police&sort=sideways", "/article/no-such-article",
                 "/facet/nothing"):
        stores = cache.stores
        for _ in range(2):
            answer = client.get(path)
            assert answer.status_code in (400, 404), path
            assert "ETag" not in answer.headers and answer.headers["Cache-Control"] == "no-store", path
        assert cache.stores == stores, path
    for path in ("/healthz", "/search.csv?q=police"):
        answer = client.get(path)
        assert answer.status_code == 200 and "ETag" not in answer.headers, path
        answer.close()


def test_a_hard_reload_renders_afresh(served):
    _, _, app = served
    client, cache = app.test_client(), cache_of(app)
    client.get(SEARCH)
    hits, stores = cache.hits, cache.stores
    client.get(SEARCH, headers={"Cache-Control": "no-cache"})
    assert cache.hits == hits and cache.stores == stores + 1


def test_the_cache_keeps_within_its_bytes(served):
    _, _, app = served
    client, cache = app.test_client(), cache_of(app)
    cache.clear()
    cache.max_bytes, cache.max_entry = 60_000, 30_000
    for word in ("police", "government", "election", "court", "minister", "water", "fire", "school", "health",
                 "china", "president", "war"):
        assert client.get(f"/?q={word}", headers=HX).status_code == 200
        assert cache.bytes <= cache.max_bytes
    assert 0 < len(cache) < 12


def test_least_recently_used_goes_first():
    cache = ResponseCache(3 * 1200)
    cache.max_entry = 2000
    for name in "abc":
        assert cache.put(name, [], b"x" * 1000)
    assert cache.get("a") is not None  # a is now the most recent
    cache.put("d", [], b"x" * 1000)
    assert cache.get("b") is None and cache.get("a") is not None and cache.get("d") is not None
    assert cache.bytes <= cache.max_bytes
    assert not cache.put("big", [], b"x" * 5000)  # larger than one entry may be
