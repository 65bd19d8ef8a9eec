"""The client's Host header never reaches an answer (issue 16, item 2): absolute URLs (Atom ids and links,
OpenSearch templates, the CSV's article_url, the embed fragment) start with ARCHIVE_BASE_URL, or, when it is
unset, with the address `make serve` listens on (or, behind a trusted proxy, what that proxy says); redirects
are relative."""

from __future__ import annotations

import csv
import io
import re

import pytest

from web import create_app

EVIL = "evil.example"
# Every answer that writes an absolute URL of the app, and redirects (merged slashes, a stale static version).
ABSOLUTE = ["/search.atom?q=ByteDance", "/opensearch.xml", "/search.csv?q=ByteDance", "/embed/fragment?q=ByteDance",
            "/embed/fragment?q=police&company=TikTok", "/?q=ByteDance", "/embed?q=ByteDance",
            "/facet/company?q=police", "/suggest?q=byte", "/api/search?q=ByteDance", "/nothing-here",
            "/?q=ByteDance&page=0"]
REDIRECTS = ["//embed", "/embed//fragment", "/api//search?q=x", "/static//style.css", "//search.atom?q=x",
             "/static/style.css?v=old"]
HOSTILE_HEADERS = [
    {"Host": EVIL},
    {"Host": f"{EVIL}:8443"},
    {"Host": EVIL, "X-Forwarded-Host": EVIL, "X-Forwarded-Proto": "https", "X-Forwarded-Prefix": "/evil"},
]


def answers(client, headers) -> dict[str, tuple[int, dict, str]]:
    result = {}
    for path in ABSOLUTE + REDIRECTS:
        response = client.get(path, headers=headers)
        result[path] = (response.status_code, dict(response.headers), response.get_data(as_text=True))
        response.close()
    return result


def leaks(result, trust_proxy: bool) -> list[str]:
    """The answers that name the client's host (or, where no proxy is trusted, the prefix it sent)."""
    words = (EVIL,) if trust_proxy else (EVIL, "/evil")
    return [f"{path}: {status} {headers.get('Location', '')} {body[:200]!r}"
            for path, (status, headers, body) in result.items()
            if any(word in body or any(word in value for value in headers.values()) for word in words)]


@pytest.fixture(scope="module")
def apps(bundled_index):
    made = {
        "default": create_app({"INDEX_DIR": str(bundled_index), "TESTING": True, "BASE_URL": ""}),
        "base": create_app({"INDEX_DIR": str(bundled_index), "TESTING": True,
                            "BASE_URL": "https://news.example/tools/news-search/"}),
        "base+proxy": create_app({"INDEX_DIR": str(bundled_index), "TESTING": True, "TRUST_PROXY": 1,
                                  "BASE_URL": "https://news.example/tools/news-search"}),
    }
    yield made
    for app in made.values():
        app.extensions["archive"].close()


@pytest.mark.parametrize("name", ["default", "base", "base+proxy"])
@pytest.mark.parametrize("headers", HOSTILE_HEADERS)
def test_no_answer_carries_the_clients_host(apps, name, headers):
    result = answers(apps[name].test_client(), headers)
    assert leaks(result, bool(apps[name].config["TRUST_PROXY"])) == []
    for path in REDIRECTS:
        status, response_headers, _ = result[path]
        assert status in (301, 302, 307, 308), (path, status)
        assert response_headers["Location"].startswith("/") and not response_headers["Location"].startswith("//")


def absolute_urls(text: str) -> list[str]:
    return re.findall(r"https?://[^\s\"'<>,]+", text)


def test_absolute_urls_start_with_the_base_url(apps):
    client = apps["base"].test_client()
    for path in ("/search.atom?q=ByteDance", "/opensearch.xml", "/search.csv?q=ByteDance", "/embed/fragment?q=police"):
        body = client.get(path, headers={"Host": EVIL}).get_data(as_text=True)
        own = [url for url in absolute_urls(body) if "news.example" in url or "localhost" in url]
        assert own and all(url.startswith("https://news.example/tools/news-search/") for url in own), (path, own)


def test_csv_article_urls_come_from_the_base_url(apps, seed_id):
    body = apps["base"].test_client().get("/search.csv?q=ByteDance", headers={"Host": EVIL}).get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert f"https://news.example/tools/news-search/article/{seed_id}" in [row["article_url"] for row in rows]


def test_without_a_base_url_absolute_urls_are_where_make_serve_listens(bundled_index, monkeypatch):
    monkeypatch.setenv("ARCHIVE_HOST", "0.0.0.0")
    monkeypatch.setenv("ARCHIVE_PORT", "8080")
    monkeypatch.delenv("ARCHIVE_BASE_URL", raising=False)
    app = create_app({"INDEX_DIR": str(bundled_index), "TESTING": True})
    try:
        body = app.test_client().get("/opensearch.xml", headers={"Host": EVIL}).get_data(as_text=True)
    finally:
        app.extensions["archive"].close()
    assert 'template="http://localhost:8080/?q={searchTerms}"' in body, body


def test_behind_a_trusted_proxy_without_a_base_url_the_proxys_host_is_used(bundled_index):
    app = create_app({"INDEX_DIR": str(bundled_index), "TESTING": True, "TRUST_PROXY": 1, "BASE_URL": ""})
    try:
        body = app.test_client().get("/opensearch.xml", headers={
            "Host": "127.0.0.1:5000", "X-Forwarded-Host": "intranet.example", "X-Forwarded-Proto": "https",
            "X-Forwarded-Prefix": "/tools/news-search"}).get_data(as_text=True)
    finally:
        app.extensions["archive"].close()
    assert 'template="https://intranet.example/tools/news-search/?q={searchTerms}"' in body, body


@pytest.mark.parametrize("bad", ["intranet.example", "ftp://intranet.example", "https://", "https://a.example/?q=1",
                                 "https://a.example/#top", "https://user@a.example", "https://a.example/x y"])
def test_a_base_url_that_is_not_one_is_refused(bundled_index, bad):
    with pytest.raises(ValueError, match="ARCHIVE_BASE_URL"):
        create_app({"INDEX_DIR": str(bundled_index), "BASE_URL": bad})
