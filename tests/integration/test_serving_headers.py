"""Headers that keep caches and clients honest (issue 16): Vary names every header an answer depends on,
and only the exact current version of a static file is cached for a year."""

from __future__ import annotations

import re

import pytest

from web.assets import file_digest

HTMX_DEPENDENT = ["/?q=tiktok", "/embed?q=tiktok", "/facet/company?q=police", "/suggest?q=byte"]


@pytest.mark.parametrize("path", HTMX_DEPENDENT)
def test_vary_names_the_history_restore_header(client, path):
    # is_fragment_request reads HX-History-Restore-Request: a cache keyed on HX-Request alone would give a
    # history restore (which needs the whole page) the fragment cached for an ordinary htmx request.
    for headers in ({}, {"HX-Request": "true"}, {"HX-Request": "true", "HX-History-Restore-Request": "true"}):
        response = client.get(path, headers=headers)
        vary = {name.strip().lower() for name in response.headers.get("Vary", "").split(",")}
        assert {"hx-request", "hx-history-restore-request"} <= vary, (path, headers, response.headers.get("Vary"))


def current_static_urls(client) -> list[str]:
    page = client.get("/").get_data(as_text=True)
    return re.findall(r'(?:href|src)="(/static/[^"?]+\?v=[0-9a-f]{12})"', page)


def test_the_current_version_of_a_static_file_is_immutable(client):
    urls = current_static_urls(client)
    assert len(urls) == 3, urls
    for url in urls:
        response = client.get(url)
        response.close()
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable", url


@pytest.mark.parametrize("version", ["0", "anything", "0123456789ab", "", "%00", "a" * 200])
def test_any_other_version_is_redirected_to_the_current_one_and_not_cached(client, version):
    digest = file_digest("style.css")
    response = client.get(f"/static/style.css?v={version}")
    response.close()
    assert response.status_code == 302, (version, response.status_code)
    assert "immutable" not in response.headers.get("Cache-Control", "")
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["Location"] == f"/static/style.css?v={digest}"  # relative: no Host in it


def test_two_versions_or_a_stale_one_beside_the_right_one_are_not_immutable(client):
    digest = file_digest("style.css")
    for query in (f"v={digest}&v=other", f"v=other&v={digest}"):
        response = client.get(f"/static/style.css?{query}")
        response.close()
        assert "immutable" not in response.headers.get("Cache-Control", ""), query


def test_static_without_version_or_missing_is_not_immutable(client):
    plain = client.get("/static/style.css")
    plain.close()
    assert plain.status_code == 200 and "immutable" not in plain.headers.get("Cache-Control", "")
    missing = client.get("/static/nothing-here.css?v=0123456789ab")
    missing.close()
    assert missing.status_code == 404 and missing.headers["Cache-Control"] == "no-store"  # an error: never kept
    outside = client.get("/static/../__init__.py?v=0123456789ab")
    outside.close()
    assert outside.status_code == 404 and "immutable" not in outside.headers.get("Cache-Control", "")
