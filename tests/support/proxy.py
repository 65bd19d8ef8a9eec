"""What the URLs of the app's pages are when it runs under a path prefix behind a reverse proxy: the
headers nginx sends, every URL-valued attribute of a page, those pointing into the app, and those
outside the prefix. Shared by tests/integration/test_proxy.py (Flask's test client) and
tests/system/test_proxy.py (nginx in front of gunicorn)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

PREFIX = "/tools/news-search"
SEED_HEADLINE = "ByteDance denies report of selling AI technology"
# What nginx sends for a client that asked https://intranet.example/tools/news-search/...
FORWARDED = {
    "X-Forwarded-For": "10.20.30.40",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "intranet.example",
    "X-Forwarded-Port": "443",
    "X-Forwarded-Prefix": PREFIX,
}
# Attributes whose value is a URL the browser fetches or navigates to.
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "hx-get", "hx-post", "hx-put", "hx-patch", "hx-delete",
                  "hx-push-url", "hx-replace-url", "data-url", "poster"}


class _Attributes(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in URL_ATTRIBUTES and value is not None:
                self.found.append((tag, name, value))


def url_attributes(html: str) -> list[tuple[str, str, str]]:
    """Return (tag, attribute, value) for every URL-valued attribute of the page."""
    parser = _Attributes()
    parser.feed(html)
    parser.close()
    return parser.found


def own_paths(html: str, own_hosts: set[str]) -> list[tuple[str, str, str]]:
    """Return (tag, attribute, path) for every URL in the page that points into the app itself.

    Fragments (#main), data: URLs, htmx's true/false and other sites are left out; a URL with only a
    query (?page=2) stays on the current path, so it is left out too.
    """
    result = []
    for tag, name, value in url_attributes(html):
        if value in ("true", "false", "") or value.startswith(("#", "data:", "mailto:", "javascript:")):
            continue
        parts = urlsplit(value)
        if parts.netloc and parts.netloc.lower() not in own_hosts:
            continue
        if parts.path:
            result.append((tag, name, parts.path))
    return result


def text(html: str) -> str:
    """Return the page's text without tags (headlines have their search words in <mark>)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]*>", "", html))


def outside_prefix(paths: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    return [item for item in paths if not (item[2] == PREFIX + "/" or item[2].startswith(PREFIX + "/"))]


def first_article_path(html: str) -> str:
    """Return the path of the first result's article link, with its query."""
    for _tag, name, value in url_attributes(html):
        if name == "href" and "/article/" in value:
            return value
    raise AssertionError("no article link in the page")


# The answers that are not pages (feed, export, OpenSearch description, suggestions): their absolute URLs.
FEED_PATHS = ["/opensearch.xml", "/search.atom?q=ByteDance", "/search.csv?q=ByteDance", "/suggest?q=byte"]


def own_absolute_urls(body: str, host: str) -> list[str]:
    return [url for url in re.findall(r"https?://[^\s\"'<>,]+", body) if urlsplit(url).hostname == host]
