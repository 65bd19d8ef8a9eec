"""The web app through Flask's test client: pages, fragments, JSON, errors, headers, escaping."""

import hashlib
import json
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

from search.index.build import build_index
from web import create_app
from web.assets import HTMX_FILE, HTMX_INTEGRITY, HTMX_SHA256, STATIC_DIR, sri

HIT_KEYS = {"id", "title", "url", "published", "section", "sections", "source", "companies", "credits", "snippet",
            "matched_in", "score", "group", "similar"}


def test_search_page_shows_the_seed_with_facets(client, seed_id):
    page = client.get("/?q=ByteDance").get_data(as_text=True)
    first_hit = page.index('class="hit"')
    assert f"/article/{seed_id}?q=ByteDance" in page[first_hit:]
    assert "<mark>ByteDance</mark>" in page
    for company in ("ByteDance", "TikTok", "BytePlus"):
        assert re.search(r'<input class="facet-input" type="checkbox" id="f-company-[a-z0-9-]+" '
                         rf'name="company" value="{company}"', page)
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
    assert ({"value": "TikTok", "count": data["facets"]["company"][0]["count"], "selected": True}
            in data["facets"]["company"])
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
        ("from=2021-01-01&to=2020-01-01", "'From' (1 January 2021) is after 'To' (1 January 2020)"),
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


def test_from_after_to_is_a_400_that_keeps_every_valid_parameter(client):
    """Both dates stay in their fields, to be put right; the query, the facets, the sort and the match mode
    stay too (the facets ride along as hidden fields, since a bad request shows none to tick)."""
    query = ("q=tiktok&company=TikTok&company=ByteDance&source=Global+Times&from=2020-06-01&to=2020-05-01"
             "&sort=newest&match=any")
    message = "'From' (1 June 2020) is after 'To' (1 May 2020)"
    for path in ("/", "/embed"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        assert message.replace("'", "&#39;") in page and "&#39;from&#39; is after" not in page
        assert re.search(r'<input id="q" name="q" type="search" value="tiktok"', page)
        assert '<input id="from" name="from" type="date" value="2020-06-01">' in page
        assert '<input id="to" name="to" type="date" value="2020-05-01">' in page
        for name, value in (("company", "TikTok"), ("company", "ByteDance"), ("source", "Global Times"),
                            ("match", "any")):
            assert f'<input type="hidden" name="{name}" value="{value}">' in page, (path, name, value)
        assert re.search(r'<option value="newest"\s+selected>', page)
        for chip in ("Company: TikTok", "Source: Global Times", "From: 1 June 2020", "To: 1 May 2020"):
            assert chip in page
    fragment = client.get(f"/?{query}", headers={"HX-Request": "true"})
    assert (fragment.status_code == 400
            and '<input type="hidden" name="company" value="TikTok">' in fragment.get_data(as_text=True))
    api = client.get(f"/api/search?{query}")
    assert api.status_code == 400 and api.get_json()["error"]["message"].startswith(message)


def test_a_date_only_article_shows_no_made_up_time(client, seed_id):
    """Wikinews gives the day alone ("2019-01-04"): its pages give the day, never "00:00 (UTC)"; JSON the day."""
    hit = client.get("/api/search?source=Wikinews&sort=oldest&per_page=1").get_json()["hits"][0]
    assert hit["published"] == "2019-01-04"
    article = client.get(f"/article/{hit['id']}").get_data(as_text=True)
    published = re.search(r"<dt>Published</dt><dd>(.*?)</dd>", article).group(1)
    assert published == '<time datetime="2019-01-04">4 January 2019</time>'
    results = client.get("/?source=Wikinews&sort=oldest&per_page=1").get_data(as_text=True)
    assert '<time datetime="2019-01-04">4 January 2019</time>' in results and "00:00" not in results
    seed = client.get(f"/article/{seed_id}").get_data(as_text=True)  # a time given is a time shown
    assert re.search(r'<time datetime="2021-07-05T17:08:00\+08:00">5 July 2021, 17:08 \(UTC\+08:00\)</time>', seed)
    assert client.get("/api/search?q=ByteDance").get_json()["hits"][0]["published"] == "2021-07-05T17:08:00+08:00"


def test_the_footer_credits_the_sources_being_served(client, tmp_path):
    """From the licences the indexed articles give (the build's manifest), not a fixed line: the bundled
    corpus credits Wikinews; an archive without Wikinews does not, and one with no licence credits no one."""
    footer = re.search(r'<footer class="site-footer">(.*?)</footer>', client.get("/").get_data(as_text=True),
                       re.S).group(1)
    assert " ".join(footer.split()) == ('<p>Articles from <a href="https://en.wikinews.org/">Wikinews</a> under '
                                        '<a href="https://creativecommons.org/licenses/by/2.5/">CC BY 2.5</a>.</p>')
    records = [
        {"title": "Wire story on zinc", "published": "2022-03-01T10:00:00Z", "body": "Zinc prices rose.",
         "source": "Example Wire", "license": "CC BY-SA 4.0", "url": "https://wire.example/zinc"},
        {"title": "Agency note on tin", "published": "2022-03-02", "body": "Tin prices fell.",
         "source": "Agency", "license": "Used with permission"},
        {"title": "Paper story on lead", "published": "2022-03-03", "body": "Lead prices held.", "source": "Paper"},
    ]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "news.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    build_index(corpus, tmp_path / "index", progress=False)
    app = create_app({"INDEX_DIR": str(tmp_path / "index"), "TESTING": True})
    try:
        other = app.test_client()
        for path in ("/", "/?q=zinc", "/article/no-such-article", "/company/nobody"):  # error pages too
            page = other.get(path).get_data(as_text=True)
            footer = " ".join(re.search(r'<footer class="site-footer">(.*?)</footer>', page, re.S).group(1).split())
            assert footer == ('<p>Articles from Agency under Used with permission and '  # as many articles: by name
                              '<a href="https://wire.example/">Example Wire</a> under '
                              '<a href="https://creativecommons.org/licenses/by-sa/4.0/">CC BY-SA 4.0</a>.</p>'), path
            assert "Wikinews" not in page
    finally:
        app.extensions["archive"].close()
    (corpus / "news.jsonl").write_text(json.dumps(records[2]) + "\n", encoding="utf-8")
    build_index(corpus, tmp_path / "index", progress=False)
    app = create_app({"INDEX_DIR": str(tmp_path / "index"), "TESTING": True})
    try:
        page = app.test_client().get("/").get_data(as_text=True)
        assert "<footer" not in page and "Wikinews" not in page
    finally:
        app.extensions["archive"].close()
    empty = create_app({"INDEX_DIR": str(tmp_path / "none"), "TESTING": True})  # no index: a 503 page, no credits
    page = empty.test_client().get("/")
    assert page.status_code == 503 and "<footer" not in page.get_data(as_text=True)


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


@pytest.mark.parametrize("path", ["/article/%2F0", "/embed/article/%2F0", "/article/%2F%2Fx", "/company/%2Ffacebook",
                                  "/facet/%2Fcompany", "/embed/facet/%2Fcompany", "/api/facet/%2Fcompany"])
def test_a_name_with_a_slash_is_404_not_a_redirect_to_another_page(client, path):
    """Found by the fuzzed routes: an id of "/0" made the path /article//0, which Werkzeug's slash merging
    redirected (308) to /article/0, another id. No article id has a slash."""
    response = client.get(path)
    assert response.status_code == 404 and "Location" not in response.headers


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
    assert (wider["match"] == "any"
            and wider["total"] >= client.get("/api/search?q=bytedance+tiktok").get_json()["total"])
    html = client.get("/?q=bytedance+tiktok&match=any").get_data(as_text=True)
    assert 'name="match" value="any"' in html and "only those with all of them" in html and "match=all" in html
    assert client.get("/api/search?q=bytedance+zebras&match=all").get_json()["total"] == 0


def test_suggestion_link_keeps_the_filters(client):
    html = client.get("/?q=tiktk&source=Global+Times").get_data(as_text=True)
    assert "Did you mean" in html
    assert "q=tiktok&amp;source=Global+Times" in html
