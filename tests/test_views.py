"""The web app through Flask's test client: pages, fragments, JSON, errors, headers, escaping."""

import hashlib
import json
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

from search.indexer import build_index
from web import create_app
from web.assets import HTMX_FILE, HTMX_INTEGRITY, HTMX_SHA256, STATIC_DIR, sri

HIT_KEYS = {"id", "title", "url", "published", "section", "sections", "source", "companies", "credits", "snippet", "matched_in",
            "score", "group", "similar"}


def test_search_page_shows_the_seed_with_facets(client, seed_id):
    page = client.get("/?q=ByteDance").get_data(as_text=True)
    first_hit = page.index('class="hit"')
    assert f"/article/{seed_id}?q=ByteDance" in page[first_hit:]
    assert "<mark>ByteDance</mark>" in page
    for company in ("ByteDance", "TikTok", "BytePlus"):
        assert re.search(rf'<input class="facet-input" type="checkbox" id="f-company-[a-z0-9-]+" name="company" value="{company}"', page)
    assert '<html lang="en" data-theme="auto">' in page and "<form" in page


def test_htmx_request_gets_only_the_results_fragment(client):
    full = client.get("/?q=tiktok")
    fragment = client.get("/?q=tiktok", headers={"HX-Request": "true"})
    assert "HX-Request" in fragment.headers["Vary"] and "HX-Request" in full.headers["Vary"]
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and 'id="result-count"' in body and 'class="facets"' in body
    assert "<html" in full.get_data(as_text=True)


def test_history_restore_gets_the_whole_page(client):
    response = client.get("/?q=tiktok", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in response.get_data(as_text=True)


def test_facet_checkbox_narrows_and_links_remove_filters(client):
    page = client.get("/?company=Twitter").get_data(as_text=True)
    assert re.search(r'value="Twitter" checked', page)
    chip = re.search(r'<ul class="chips".*?href="([^"]+)"', page, re.S).group(1)
    assert "company" not in parse_qs(urlsplit(chip.replace("&amp;", "&")).query)


def test_page_works_without_javascript(client):
    """Every state is a plain GET: the form's fields and the links carry it."""
    page = client.get("/?q=police&company=Twitter&year=2020").get_data(as_text=True)
    assert 'method="get"' in page and 'action="/"' in page
    assert '<input type="hidden" name="year" value="2020">' in page
    assert "<noscript>" in page
    pager = client.get("/?q=government").get_data(as_text=True)
    assert re.search(r'<nav class="pager".*href="/\?q=government&amp;page=2"', pager, re.S)


def test_json_api_contract(client):
    response = client.get("/api/search?q=tiktok&company=TikTok&per_page=5")
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = response.get_json()
    assert set(data) >= {"query", "total", "page", "per_page", "hits", "facets", "suggestion", "took_ms"}
    assert (data["query"], data["page"], data["per_page"]) == ("tiktok", 1, 5)
    assert data["total"] >= 1 and len(data["hits"]) <= 5
    assert set(data["hits"][0]) == HIT_KEYS
    assert set(data["facets"]) == {"company", "source", "section", "date"}
    assert {"value": "TikTok", "count": data["facets"]["company"][0]["count"], "selected": True} in data["facets"]["company"]
    assert data["hits"][0]["published"][4] == "-" and "T" in data["hits"][0]["published"]
    seed = client.get("/api/search?q=ByteDance").get_json()["hits"][0]  # a section, as a list and as the text it was
    assert (seed["sections"], seed["section"]) == (["Source / Companies"], "Source / Companies")


@pytest.mark.parametrize(
    "query, message",
    [
        ("page=0", "'page' must be between 1"),
        ("page=abc", "'page' must be a whole number"),
        ("per_page=500", "'per_page' must be between 1 and 100"),
        ("sort=random", "'sort' must be one of relevance, newest, oldest"),
        ("from=2020-13-01", "'from' must be a date written YYYY-MM-DD"),
        ("from=2021-01-01&to=2020-01-01", "'from' is after 'to'"),
        ("month=7", "'month' needs a 'year'"),
        ("year=99999", "'year' must be between 1 and 9,999"),
        ("q=" + "x" * 1001, "longer than 1,000 characters"),
        ("q=%00", "NUL character"),
        ("q=*ance", "at least 2 letters"),
        ("page=2000", "narrow the search with filters"),
        ("sort=newest&sort=oldest", "can be given only once"),
        ("match=some", "'match' must be one of all, any"),
    ],
)
def test_bad_parameters_are_400_with_a_message(client, query, message):
    api = client.get(f"/api/search?{query}")
    assert api.status_code == 400
    assert message in api.get_json()["error"]["message"]
    page = client.get(f"/?{query}")
    assert page.status_code == 400 and page.mimetype == "text/html"
    assert message.replace("'", "&#39;") in page.get_data(as_text=True)


def test_article_page(client, seed_id):
    page = client.get(f"/article/{seed_id}?q=tiktok").get_data(as_text=True)
    for text in ("ByteDance denies report of selling AI technology", "Source / Companies", "Global Times",
                 "VCG, Xinhua", "Photo taken on Aug. 21, 2020", "Financial Times", "2021, 17:08"):
        assert text in page
    assert "<mark>TikTok</mark>" in page
    assert "Back to results" in page
    assert client.get(f"/article/{seed_id}").get_data(as_text=True).count("<mark>") == 0


def test_wikinews_article_carries_its_attribution(client):
    hit = client.get("/api/search?source=Wikinews&per_page=1").get_json()["hits"][0]
    page = client.get(f"/article/{hit['id']}").get_data(as_text=True)
    assert "creativecommons.org/licenses/by/2.5/" in page and hit["url"] in page


def test_unknown_article_is_404(client):
    response = client.get("/article/no-such-article")
    assert response.status_code == 404 and "No article with id" in response.get_data(as_text=True)


def test_healthz(client, bundled_index):
    data = client.get("/healthz").get_json()
    assert data["status"] == "ok" and data["documents"] == 294
    assert data["build"] == (bundled_index / "current").resolve().name


def test_without_an_index_pages_say_how_to_build_it(tmp_path):
    app = create_app({"INDEX_DIR": str(tmp_path / "empty"), "TESTING": True})
    client = app.test_client()
    page = client.get("/?q=x")
    assert page.status_code == 503 and "make index" in page.get_data(as_text=True)
    api = client.get("/api/search?q=x")
    assert api.status_code == 503 and "make index" in api.get_json()["error"]["message"]
    assert client.get("/healthz").status_code == 503


@pytest.mark.parametrize("path", ["/", "/?q=tiktok", "/api/search?q=x", "/healthz", "/article/nope", "/?page=0",
                                  "/static/style.css", f"/static/{HTMX_FILE}", "/no-such-page"])
def test_security_headers_on_every_response(client, path):
    response = client.get(path)
    response.close()
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'self'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_static_files_are_cache_busted(client):
    page = client.get("/").get_data(as_text=True)
    css = re.search(r'href="(/static/style\.css\?v=[0-9a-f]{12})"', page).group(1)
    response = client.get(css)
    response.close()
    assert "immutable" in response.headers["Cache-Control"]
    assert client.get("/").headers["Cache-Control"] == "no-cache"


def test_vendored_htmx_is_the_pinned_release(client):
    data = (STATIC_DIR / HTMX_FILE).read_bytes()
    assert hashlib.sha256(data).hexdigest() == HTMX_SHA256
    assert b'version:"2.0.11"' in data
    assert sri(HTMX_FILE) == HTMX_INTEGRITY
    page = client.get("/").get_data(as_text=True)
    assert f'integrity="{HTMX_INTEGRITY}"' in page


HOSTILE = [
    {
        "id": "xss-1",
        "title": "<script>alert('title')</script> Zanzibar telecom deal",
        "published": "2022-01-01",
        "body": "Zanzibar <img src=x onerror=alert('body')> officials <b onmouseover=alert(1)>met</b>.\n\n"
                "<svg onload=alert(2)> Zanzibar again </svg> <a href=\"javascript:alert(3)\">link</a>",
        "captions": ["<iframe src=javascript:alert(4)></iframe> Zanzibar harbour Photo: <script>x</script>"],
        "companies": ["<script>alert('company')</script>"],
        "source": "<img src=x onerror=alert('source')>",
        "section": "\"><script>alert('section')</script>",
        "url": "javascript:alert('url')",
    },
    {
        "id": "xss-2",
        "title": "Split payload",
        "published": "2022-01-02",
        "body": "<scr<mark>ipt>alert(5)</script> &lt;script&gt;alert(6)&lt;/script&gt; Zanzibar",
    },
]


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("hostile")
    (corpus / "hostile.jsonl").write_text("\n".join(json.dumps(r) for r in HOSTILE) + "\n", encoding="utf-8")
    root = tmp_path_factory.mktemp("hostile-index")
    build_index(corpus, root, progress=False)
    app = create_app({"INDEX_DIR": str(root), "TESTING": True})
    yield app.test_client()
    app.extensions["archive"].close()


class _AttributeCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.handlers: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.handlers += [(tag, name) for name, _ in attrs if name.lower().startswith("on")]


def event_handler_attributes(html: str) -> list[tuple[str, str]]:
    """Parse the page as a browser would and list every on* attribute of every element."""
    collector = _AttributeCollector()
    collector.feed(html)
    return collector.handlers


# The timeline's own chart (web/timeline.py): the one <svg> the templates write, opening tag exactly.
TIMELINE_SVG = ('<svg class="timeline-chart" viewBox="0 0 640 150" font-size="11" fill="currentColor" role="group" '
                'aria-labelledby="timeline-title" aria-describedby="timeline-desc">')


def _tags(html: str) -> set[str]:
    body = html.split("<main", 1)[1].split("</main>", 1)[0].replace(TIMELINE_SVG, "")
    return {m.lower() for m in re.findall(r"<\s*(script|img|svg|iframe|b|a\s+href=\"javascript)\b", body)}


@pytest.mark.parametrize("path", ["/?q=zanzibar", "/?q=script", "/?q=alert", "/", "/?q=split"])
def test_hostile_articles_render_inert_in_results(hostile_client, path):
    html = hostile_client.get(path).get_data(as_text=True)
    assert _tags(html) == set()
    # No element anywhere carries an event handler: payload attributes only appear as escaped text.
    assert event_handler_attributes(html) == []
    assert "<mark><mark>" not in html


def test_hostile_article_page_renders_inert(hostile_client):
    for record in HOSTILE:
        hit = hostile_client.get(f"/api/search?q=title:{record['title'].split()[-1]}").get_json()["hits"][0]
        html = hostile_client.get(f"/article/{hit['id']}?q=zanzibar").get_data(as_text=True)
        assert _tags(html) == set()
        assert event_handler_attributes(html) == []
        assert not re.search(r"<a\s[^>]*href=[\"']?javascript", html, re.I)
        assert re.findall(r"<mark[^>]*>", html) == ["<mark>"] * len(re.findall(r"<mark[^>]*>", html))


def test_hostile_text_in_json_is_data_not_markup(hostile_client):
    data = hostile_client.get("/api/search?q=zanzibar").get_json()
    for hit in data["hits"]:
        assert set(re.findall(r"</?[a-zA-Z][^>]*>", hit["snippet"])) <= {"<mark>", "</mark>"}
        assert hit["url"] == ""


def test_bad_query_keeps_the_search_page_to_fix_it_in(client):
    response = client.get("/?q=*ance")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="search-form"' in page and 'value="*ance"' in page and "at least 2 letters" in page
    fragment = client.get("/?q=*ance", headers={"HX-Request": "true"})
    assert fragment.status_code == 400 and "<html" not in fragment.get_data(as_text=True)
    assert "HX-Push-Url" not in fragment.headers


def test_any_of_the_words_on_the_page(client):
    """No article has both words: the page says so, lists those with either, and links back to "all"."""
    html = client.get("/?q=bytedance+zebras").get_data(as_text=True)
    assert "No article has all of these words" in html and "match=" not in html
    api = client.get("/api/search?q=bytedance+zebras").get_json()
    assert api["match"] == "any" and api["total"] >= 2
    # A query whose words are found together offers the wider search, which finds at least as many.
    html = client.get("/?q=bytedance+tiktok").get_data(as_text=True)
    assert "Articles with any of the words" in html and "match=any" in html
    wider = client.get("/api/search?q=bytedance+tiktok&match=any").get_json()
    assert wider["match"] == "any" and wider["total"] >= client.get("/api/search?q=bytedance+tiktok").get_json()["total"]
    html = client.get("/?q=bytedance+tiktok&match=any").get_data(as_text=True)
    assert 'name="match" value="any"' in html and "only those with all of them" in html and "match=all" in html
    assert client.get("/api/search?q=bytedance+zebras&match=all").get_json()["total"] == 0


def test_suggestion_link_keeps_the_filters(client):
    html = client.get("/?q=tiktk&source=Global+Times").get_data(as_text=True)
    assert "Did you mean" in html
    assert "q=tiktok&amp;source=Global+Times" in html
