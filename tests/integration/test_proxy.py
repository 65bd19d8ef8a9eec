"""The app under a path prefix behind a reverse proxy, through Flask's test client: X-Forwarded-* headers
are ignored unless ARCHIVE_TRUST_PROXY says a proxy sets them, and then every URL the pages contain
starts with the prefix. The real stack (nginx in front of gunicorn): tests/system/test_proxy.py.
"""

from __future__ import annotations

import re

import pytest
from flask import url_for

from tests.support.proxy import (
    FEED_PATHS,
    FORWARDED,
    PREFIX,
    SEED_HEADLINE,
    first_article_path,
    outside_prefix,
    own_absolute_urls,
    own_paths,
    text,
    url_attributes,
)
from web import create_app


@pytest.fixture(scope="module")
def trusting_app(bundled_index):
    # No ARCHIVE_BASE_URL: absolute URLs come from the trusted proxy's headers.
    app = create_app({"INDEX_DIR": str(bundled_index), "TRUST_PROXY": 1, "TESTING": True, "BASE_URL": ""})
    yield app
    app.extensions["archive"].close()


@pytest.fixture(scope="module")
def untrusting_app(bundled_index):
    app = create_app({"INDEX_DIR": str(bundled_index), "TRUST_PROXY": 0, "TESTING": True})
    yield app
    app.extensions["archive"].close()


def html_pages(app) -> list[str]:
    """The pages to check: the search page in its states, an article, errors, and every other page
    the app serves without path arguments (so pages added later are checked as well)."""
    client = app.test_client()
    article_id = first_article_path(client.get("/?q=ByteDance").text).split("?")[0].rsplit("/", 1)[1]
    pages = [
        "/", "/?q=ByteDance", "/?q=ByteDance&company=TikTok&year=2021",  # facets, chips, dates
        "/?q=police&page=2",  # pager
        "/?q=bytedanse",  # did you mean
        "/?q=ByteDance&page=abc",  # a 400 page
        "/article/no-such-article",  # a 404 page
        "/no-such-page",
    ]
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint == "static" or rule.rule in ("/", "/api/search", "/healthz"):
                continue
            if not rule.arguments:
                pages += [rule.rule, rule.rule + "?q=ByteDance"]
            elif rule.arguments == {"article_id"}:  # the article page and its embedded form
                path = url_for(rule.endpoint, article_id=article_id)
                pages += [path, path + "?q=ByteDance"]
            elif rule.arguments == {"name"}:  # a facet's full list, paged
                path = url_for(rule.endpoint, name="company")
                pages += [path + "?q=police", path + "?q=police&facet_limit=5&facet_offset=5"]
    return pages


def test_forwarded_headers_are_ignored_unless_trusted(untrusting_app):
    client = untrusting_app.test_client()
    for page in html_pages(untrusting_app):
        response = client.get(page, headers=FORWARDED)
        if response.mimetype != "text/html":
            continue
        paths = own_paths(response.text, {"localhost"})
        prefixed = [item for item in paths if item[2].startswith(PREFIX)]
        assert prefixed == [], f"{page}: the untrusted X-Forwarded-Prefix was used: {prefixed}"
        assert "intranet.example" not in response.text, f"{page}: the untrusted X-Forwarded-Host was used"
    response = client.get("/?q=ByteDance", headers={**FORWARDED, "HX-Request": "true"})
    assert response.headers["HX-Push-Url"] == "/?q=ByteDance"
    html = client.get("/?q=ByteDance", headers=FORWARDED).text
    assert first_article_path(html).startswith("/article/")
    stylesheet = [v for t, n, v in url_attributes(html) if t == "link" and n == "href" and "style.css" in v]
    assert stylesheet and stylesheet[0].startswith("/static/style.css?v=")


def test_trusted_prefix_is_on_every_url_of_every_page(trusting_app):
    client = trusting_app.test_client()
    own_hosts = {"intranet.example", "intranet.example:443"}
    checked = 0
    for page in html_pages(trusting_app):
        response = client.get(page, headers=FORWARDED)
        if response.mimetype != "text/html":
            continue
        paths = own_paths(response.text, own_hosts)
        assert outside_prefix(paths) == [], f"{page} ({response.status_code}): URLs outside {PREFIX}/"
        checked += len(paths)
    assert checked > 50  # the check did look at the pages' links


def test_trusted_prefix_on_htmx_push_url_static_files_and_article_links(trusting_app):
    client = trusting_app.test_client()
    fragment = client.get("/?q=ByteDance&sort=relevance", headers={**FORWARDED, "HX-Request": "true"})
    assert fragment.status_code == 200
    assert fragment.headers["HX-Push-Url"] == f"{PREFIX}/?q=ByteDance"
    assert outside_prefix(own_paths(fragment.text, {"intranet.example"})) == []

    html = client.get("/?q=ByteDance", headers=FORWARDED).text
    attributes = url_attributes(html)
    assert [v for t, n, v in attributes if t == "form" and n == "action"] == [f"{PREFIX}/"]
    assert any(t == "form" and n == "hx-get" and v == f"{PREFIX}/" for t, n, v in attributes)
    statics = [v for t, n, v in attributes if (t, n) in (("link", "href"), ("script", "src")) and "/static/" in v]
    # the stylesheet, htmx and page.js
    assert len(statics) == 3 and all(re.match(rf"{PREFIX}/static/.+\?v=[0-9a-f]+$", v) for v in statics), statics

    article = first_article_path(html)
    assert article.startswith(f"{PREFIX}/article/")
    page = client.get(article.removeprefix(PREFIX), headers=FORWARDED)  # nginx strips the prefix
    assert page.status_code == 200 and SEED_HEADLINE in text(page.text)
    back = [v for t, n, v in url_attributes(page.text) if n == "href" and "q=ByteDance" in v]
    assert back and all(v.startswith(f"{PREFIX}/") for v in back)


def test_trusted_prefix_in_feeds_exports_and_opensearch(trusting_app):
    client = trusting_app.test_client()
    found = 0
    for path in FEED_PATHS:
        response = client.get(path, headers=FORWARDED)
        assert response.status_code == 200, path
        urls = own_absolute_urls(response.get_data(as_text=True), "intranet.example")
        assert all(url.startswith(f"https://intranet.example{PREFIX}/") for url in urls), (path, urls)
        found += len(urls)
    assert found >= 5 + 4 + 1  # the description's 5 URLs, the feed's ids and links, the CSV's article URL
