"""/embed, the embed fragment, framing policy and CORS, through the Flask test client on the bundled index."""

import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

from web import create_app

HOST = "http://intranet.example"
OTHER = "http://elsewhere.example"
URL_ATTRIBUTES = {"href", "src", "action", "hx-get"}


class LinkCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[tuple[str, str, dict]] = []  # (tag, url, attributes)
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        for name, value in attrs:
            if name in URL_ATTRIBUTES and value and not value.startswith(("#", "data:")):
                self.urls.append((tag, value, attributes))


def parse(html: str) -> LinkCollector:
    collector = LinkCollector()
    collector.feed(html)
    return collector


@pytest.fixture(scope="module")
def embed_app(bundled_index):
    app = create_app({"INDEX_DIR": str(bundled_index), "EMBED_ALLOWED_ORIGINS": f"{HOST} https://Portal.Example:8443"})
    yield app
    app.extensions["archive"].close()


@pytest.fixture(scope="module")
def embed_client(embed_app):
    return embed_app.test_client()


def search_links(html: str) -> list[str]:
    """Return the URLs of every link and form that leads to a search (not articles, static files, outside
    sites, nor the feed, CSV, suggestions and OpenSearch description, which are not pages in the frame)."""
    return [url for _, url, _ in parse(html).urls
            if "/article/" not in url and "/static/" not in url and not url.startswith("https://")
            and not url.startswith("http://en.")
            and urlsplit(url).path not in ("/opensearch.xml", "/search.atom", "/search.csv", "/suggest")]


def test_embed_has_no_site_chrome_and_keeps_links_and_theme_in_the_frame(embed_client, seed_id):
    response = embed_client.get("/embed?q=ByteDance&theme=dark")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="en" data-theme="dark">' in html
    assert "site-header" not in html and "site-footer" not in html
    assert "denies report of selling AI technology" in html
    links = search_links(html)
    assert len(links) > 10
    for url in links:
        parts = urlsplit(url)
        assert parts.path == "/embed", url
        if parts.query:
            assert parse_qs(parts.query)["theme"] == ["dark"], url
    # The form carries the theme without JavaScript, as a hidden field.
    assert re.search(r'<input type="hidden" name="theme" value="dark">', html)
    # Articles open inside the frame by default, still themed.
    article_links = [url for _, url, _ in parse(html).urls if "/article/" in url]
    assert article_links and all(url.startswith(f"/embed/article/{seed_id}") for url in article_links[:1])
    article = embed_client.get(article_links[0].replace("&amp;", "&"))
    assert article.status_code == 200
    page = article.get_data(as_text=True)
    assert 'data-theme="dark"' in page and "site-header" not in page
    assert "/embed?q=ByteDance&amp;theme=dark" in page  # the way back stays in the frame


def test_embed_theme_defaults_to_auto_and_a_bad_theme_is_a_400_with_a_message(embed_client):
    html = embed_client.get("/embed?q=police").get_data(as_text=True)
    assert 'data-theme="auto"' in html and "?theme=" not in html and "&amp;theme=" not in html
    assert 'name="theme"' not in html
    response = embed_client.get("/embed?q=police&theme=%3Cscript%3E")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "&#39;theme&#39; must be one of auto, light, dark" in body
    assert "<script>" not in body.replace('<script src=', '')
    assert embed_client.get("/embed/article/x?theme=neon").status_code == 400


def test_embed_opens_articles_in_a_new_tab_when_configured(bundled_index, seed_id):
    app = create_app({"INDEX_DIR": str(bundled_index), "EMBED_LINKS": "new-tab"})
    try:
        html = app.test_client().get("/embed?q=ByteDance&theme=light").get_data(as_text=True)
    finally:
        app.extensions["archive"].close()
    anchors = [(url, attrs) for tag, url, attrs in parse(html).urls if "/article/" in url]
    assert anchors
    for url, attrs in anchors:
        assert url.startswith(f"/article/{seed_id}") and "theme" not in url
        assert attrs.get("target") == "_blank" and "noopener" in attrs.get("rel", "")
    with pytest.raises(ValueError, match="EMBED_LINKS"):
        create_app({"INDEX_DIR": str(bundled_index), "EMBED_LINKS": "popup"})


def test_embed_works_without_javascript_as_a_plain_form(embed_client):
    html = embed_client.get("/embed?q=police").get_data(as_text=True)
    form = next(attrs for tag, attrs in parse(html).tags if tag == "form")
    assert form["method"] == "get" and form["action"] == "/embed"
    assert "<noscript><p><button type=\"submit\">Apply filters</button></p></noscript>" in html
    # Facet checkboxes are named like the query parameters, so submitting the form filters.
    narrowed = embed_client.get("/embed?q=police&company=Twitter").get_data(as_text=True)
    assert re.search(r'name="company" value="Twitter" checked', narrowed)


def test_framing_policy(embed_client, client):
    """Only the search and embed pages may be framed by the allowed origins; everything else only by itself."""
    framed = embed_client.get("/embed")
    policy = framed.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self' http://intranet.example https://portal.example:8443" in policy
    assert "X-Frame-Options" not in framed.headers  # frame-ancestors decides; XFO would refuse the intranet
    assert "http://intranet.example" in embed_client.get("/?q=x").headers["Content-Security-Policy"]
    for url in ("/facet/company?q=x", "/embed/facet/company?q=x"):  # a facet's full list, opened from a framed search
        assert ("frame-ancestors 'self' http://intranet.example"
                in embed_client.get(url).headers["Content-Security-Policy"])
    for url in ("/healthz", "/api/search?q=x", "/api/facet/company", "/static/style.css", "/no-such-page",
                "/embed/fragment"):
        response = embed_client.get(url)
        response.close()
        assert response.headers["Content-Security-Policy"].endswith("frame-ancestors 'self'"), url
        assert response.headers["X-Frame-Options"] == "SAMEORIGIN", url
    # With no allowed origins (the default) nothing outside may frame the embed page either.
    default = client.get("/embed")
    assert default.headers["Content-Security-Policy"].endswith("frame-ancestors 'self'")
    assert default.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_allowed_origins_are_validated(bundled_index):
    for bad in ("intranet.example", "http://intranet.example/path", "javascript:alert(1)", "http://user@host"):
        with pytest.raises(ValueError, match="is not an origin"):
            create_app({"INDEX_DIR": str(bundled_index), "EMBED_ALLOWED_ORIGINS": bad})


def test_fragment_has_absolute_urls_and_cors_only_for_allowed_origins(embed_client, seed_id):
    response = embed_client.get("/embed/fragment?q=ByteDance", headers={"Origin": HOST, "HX-Request": "true"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == HOST
    assert "Origin" in response.headers["Vary"]
    assert "HX-Push-Url" not in response.headers  # the host page's address is not ours to change
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith("{#") is False and '<form class="na-fragment"' in html
    assert "<html" not in html
    urls = [url for _, url, _ in parse(html).urls if not url.startswith("https://creativecommons")]
    assert urls and all(url.startswith("http://localhost/") for url in urls), urls
    hx_urls = [attrs["hx-get"] for _, attrs in parse(html).tags if "hx-get" in attrs]
    assert hx_urls and all(urlsplit(u).path == "/embed/fragment" for u in hx_urls)
    assert f'http://localhost/article/{seed_id}?q=ByteDance" target="_blank" rel="noopener"' in html
    # Another origin gets the response but no CORS header, so its browser will not hand it to the page.
    other = embed_client.get("/embed/fragment?q=ByteDance", headers={"Origin": OTHER})
    assert "Access-Control-Allow-Origin" not in other.headers
    # Preflight for htmx's custom headers.
    preflight = embed_client.open("/embed/fragment", method="OPTIONS", headers={
        "Origin": HOST, "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "hx-request,hx-target"})
    assert preflight.status_code == 204
    allowed_headers = {h.strip().lower() for h in preflight.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"hx-request", "hx-target", "hx-current-url"} <= allowed_headers
    refused = embed_client.open("/embed/fragment", method="OPTIONS",
                                headers={"Origin": OTHER, "Access-Control-Request-Method": "GET"})
    assert "Access-Control-Allow-Origin" not in refused.headers
    api = embed_client.get("/api/search?q=ByteDance", headers={"Origin": HOST})
    assert api.headers["Access-Control-Allow-Origin"] == HOST
    api = embed_client.get("/api/facet/company?q=police", headers={"Origin": HOST})
    assert api.headers["Access-Control-Allow-Origin"] == HOST


def test_fragment_escapes_the_query(embed_client):
    html = embed_client.get('/embed/fragment?q="><img src=x onerror=alert(1)>').get_data(as_text=True)
    assert "<img" not in html
    for tag, attrs in parse(html).tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)


def test_embed_stylesheet_is_linked_and_allowed_by_the_policy(bundled_index):
    app = create_app({"INDEX_DIR": str(bundled_index), "EMBED_STYLESHEET": "https://intranet.example/brand/archive.css"})
    try:
        client = app.test_client()
        embed = client.get("/embed")
        plain = client.get("/")
    finally:
        app.extensions["archive"].close()
    assert '<link rel="stylesheet" href="https://intranet.example/brand/archive.css">' in embed.get_data(as_text=True)
    assert "style-src 'self' https://intranet.example;" in embed.headers["Content-Security-Policy"]
    assert "archive.css" not in plain.get_data(as_text=True)


def test_back_to_results_in_the_embed_keeps_the_whole_search_and_the_frame(embed_client):
    """Issue 14, item 5, in /embed: the article link carries the search; its way back is that search, framed."""
    from html import unescape
    from urllib.parse import parse_qs, urlsplit

    html = embed_client.get("/embed?q=police&company=Twitter&sort=newest&theme=dark").get_data(as_text=True)
    link = unescape(re.search(r'class="hit-title"><a href="([^"]+)"', html).group(1))
    assert urlsplit(link).path.startswith("/embed/article/")
    article = embed_client.get(link).get_data(as_text=True)
    back = unescape(re.search(r'<p class="back"><a href="([^"]+)"', article).group(1))
    assert urlsplit(back).path == "/embed"
    params = parse_qs(urlsplit(back).query)
    assert params["q"] == ["police"] and params["company"] == ["Twitter"] and params["sort"] == ["newest"]
    assert params["theme"] == ["dark"]


def test_every_link_of_every_embed_page_stays_framed_or_opens_a_new_tab(embed_client):
    """Issue 14, item 7: on /embed/article/<id> the company links (and the Atom link on /embed) opened
    pages that refuse framing, so the intranet page showed "refused to connect"."""
    from html import unescape
    from urllib.parse import urlsplit

    anchor = re.compile(r"<a\s([^>]*)>")
    results = embed_client.get("/embed?q=police").get_data(as_text=True)
    article_link = unescape(re.search(r'class="hit-title"><a href="([^"]+)"', results).group(1))
    show_all = unescape(re.search(r'<p class="facet-more"><a href="([^"]+)"', results).group(1))
    assert urlsplit(show_all).path == "/embed/facet/company"  # issue 14, item 8: a facet's full list, framed
    pages = ["/embed?q=police", "/embed?q=police&company=Twitter", "/embed", article_link, show_all,
             "/embed/facet/company?q=police&company=Twitter&facet_limit=5&facet_offset=5", "/embed/facet/source"]
    checked = 0
    for url in pages:
        html = embed_client.get(url).get_data(as_text=True)
        for attributes in anchor.findall(html):
            href = unescape(re.search(r'href="([^"]*)"', attributes).group(1))
            parts = urlsplit(href)
            framed = not parts.netloc and (parts.path.startswith("/embed") or href.startswith("#"))
            new_tab = 'target="_blank"' in attributes and "noopener" in attributes
            assert framed or new_tab, f"{url}: {href} leaves the frame"
            checked += 1
    assert checked > 40
    article = embed_client.get(article_link).get_data(as_text=True)
    assert 'href="/company/' not in article  # company names filter the embedded search instead
