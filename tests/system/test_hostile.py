"""Hostile content and hostile queries: every page, fragment and JSON answer keeps article text and
query strings as text. Issue 5.

A corpus of XSS payloads (tests/data/xss-payloads.txt) goes into every field of articles that are
indexed next to a small copy of the bundled corpus; each page the app can show them on is then
parsed and must consist of the app's own elements only (the set its templates give for benign
pages), with a bare <mark> as the only markup inside article text. The payloads also go into every
query parameter. A real Chromium then loads the worst of it with a canary on alert/confirm/prompt.
Finally every route, static file and error answers with the security headers.

The corpus, the fixture (``hostile``, tests/system/conftest.py) and the checks are tests/support/hostile.py's.
``pytest -s tests/system/test_hostile.py`` prints what was tried and checked.
"""

from __future__ import annotations

import re
from collections import Counter
from html import escape as html_escape
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import pytest

from search.text.repair import squash
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, serve, watch
from tests.support.hostile import (
    ARTICLE_QUERY,
    HX,
    MARKER,
    PARAMETERS,
    SPLIT_WORDS,
    SURFACES,
    VALIDATED,
    Checker,
    Hostile,
    assert_clean,
    header_problems,
    html_problems,
)
from web import create_app
from web.assets import HTMX_FILE
from web.links import FACET_TITLES


def test_the_checks_catch_markup_that_gets_through(hostile):
    """The checks themselves, on purpose-broken pages: each payload that holds markup, put back unescaped into
    its article's page (as a template with ``|safe`` in the wrong place would), must be caught."""
    check = Checker(hostile)
    articles = list(hostile.articles.values())
    tried, missed = 0, []
    for number, payload in enumerate(hostile.payloads):
        article = articles[3 * number]  # the "whole" variant: the payload with the marker beside it
        escaped = html_escape(payload, quote=False)
        if not re.search(r"<[a-zA-Z!/]", payload) or not article.title.startswith(payload):
            continue
        html = hostile.client.get(f"/article/{quote(article.id)}").get_data(as_text=True)
        assert escaped in html, payload
        tried += 1
        check.problems = []
        broken = html.replace(escaped, payload)
        problems, tree = html_problems(broken, hostile.benign, Counter(), "broken", article_urls=hostile.urls)
        check.article_texts(tree, article, "broken")
        if not problems and not check.problems:
            missed.append(payload)
    hostile.stats["mutants"] = tried
    assert tried >= 80 and missed == [], (tried, missed)


def test_search_results_keep_hostile_text_as_text(hostile):
    """The marker finds every hostile article; all pages of it, on every surface, are the app's markup only."""
    check, before = Checker(hostile), len(hostile.problems)
    total = hostile.client.get(f"/api/search?q={MARKER}&per_page=1").get_json()["total"]
    assert total == len(hostile.articles) + len(hostile.web_articles)
    pages = -(-total // 100)
    for number in range(1, pages + 1):
        query = urlencode({"q": MARKER, "per_page": 100, "page": number})
        for name, path, headers in SURFACES:
            _, tree = check.get(f"{path}?{query}", headers)
            check.hit_texts(tree, f"{name} {query}")
        check.get(f"/api/search?{query}")
    for sort in ("newest", "oldest"):
        check.get(f"/?q={MARKER}&per_page=100&sort={sort}")
    # Words hidden inside the payloads' markup, fields and wildcards: <mark> lands inside tags and URLs.
    for query in [*SPLIT_WORDS, "scrpoliceipt", "onetiktokrror", "javapolicescript", f"title:{MARKER}",
                  f"caption:{MARKER}", f"body:{MARKER}", f"credit:{MARKER}", "zqx*", "polic*", "alert~1",
                  f'"{MARKER} script"', f"{MARKER} -police"]:
        qs = urlencode({"q": query, "per_page": 30})
        _, tree = check.get(f"/?{qs}")
        check.hit_texts(tree, f"/?{qs}")
        check.get(f"/api/search?{qs}")
    # Facet values that are payloads, selected: a chip, a ticked box and the hits (every 4th payload, all 3 variants).
    articles = list(hostile.articles.values())
    for number, article in enumerate(articles):
        if number // 3 % 4:
            continue
        for name, value in (("company", article.companies[0]), ("source", article.source),
                            ("section", article.sections[0])):
            qs = urlencode({"q": MARKER, name: value})
            where = f"/?{qs}"
            _, tree = check.get(where, HX if number % 2 else {})
            chips = [" ".join(a.text().split()) for a in tree.find("a") if a.parent and a.parent.parent
                     and "chips" in a.parent.parent.classes and "clear-all" not in a.parent.classes]
            check.compare(chips, [f"{FACET_TITLES[name]}: {value} ×"], where, f"chip for {name}")
            boxes = [e.attributes["value"] for e in tree.find("input", "facet-input")
                     if e.attributes.get("name") == name and "checked" in e.attributes]
            check.compare(boxes, [value], where, f"ticked {name} box")
            check.compare(bool(tree.find("li", "hit")), True, where, f"hits for {name}")
            if number % 9 == 0:
                check.get(f"/embed/fragment?{qs}")
    assert_clean(hostile, before)


def test_article_pages_keep_hostile_text_as_text(hostile):
    """Every hostile article, on /article and /embed/article, with and without words marked."""
    check, before = Checker(hostile), len(hostile.problems)
    words = quote(ARTICLE_QUERY)
    for article_id, article in hostile.articles.items():
        _, tree = check.get(f"/article/{quote(article_id)}")
        check.article_texts(tree, article, f"/article/{article_id}")
        _, tree = check.get(f"/embed/article/{quote(article_id)}?q={words}&theme=dark")
        heading = [h for h in tree.find("h1")]
        check.compare([h.text() for h in heading], [article.title], f"/embed/article/{article_id}", "marked headline")
        check.compare([c.text() for c in tree.find("figcaption")], article.captions, f"/embed/article/{article_id}",
                      "marked captions")
    assert_clean(hostile, before)


def test_hostile_web_pages_and_crawls_come_out_as_text(hostile):
    """Issue 17: payloads in a page's own markup (<title>, <h1>, og: and other <meta>s, JSON-LD, captions, the
    canonical link and the crawl's URL) come out of HTML and WARC files as text, shown as text on every page
    of the article, and no URL that is not http(s) is kept."""
    check, before = Checker(hostile), len(hostile.problems)
    words = quote(ARTICLE_QUERY)
    by_payload = {}
    for article_id, article in hostile.web_articles.items():
        # The canonical link is javascript:, so a saved page has no address and a crawled one the crawl's.
        assert article.url == "" if article.path.endswith(".html") else article.url.startswith(
            "https://evil.example/crawl/"), article.url
        by_payload.setdefault(article.path.endswith(".html"), []).append(article)
        _, tree = check.get(f"/article/{quote(article_id)}")
        check.article_texts(tree, article, f"/article/{article_id}")
        _, tree = check.get(f"/embed/article/{quote(article_id)}?q={words}")
        check.compare([c.text() for c in tree.find("figcaption")], article.captions, f"/embed/article/{article_id}",
                      "marked captions")
    # Each payload read as the page shows it: the headline is the payload's text, site name taken off.
    saved = sorted(by_payload[True], key=lambda a: int(a.path.rsplit("-", 1)[1].split(".")[0]))
    for number, article in enumerate(saved):
        assert article.title == squash(f"{hostile.payloads[number]} {MARKER}"), (number, article.title)
    assert len(saved) == len(by_payload[False])  # as many crawled as saved
    assert_clean(hostile, before)


def test_company_pages_keep_hostile_names_as_text(hostile):
    """The page of every company the hostile articles name (payloads in company names), and its h1."""
    from search.companies.directory import company_slug as slugify

    check, before = Checker(hostile), len(hostile.problems)
    names = {c for article in hostile.articles.values() for c in article.companies}
    assert len(names) >= 50
    for name in sorted(names):
        _, tree = check.get(f"/company/{quote(slugify(name), safe='')}")
        headings = [h.text() for h in tree.find("h1")]
        if headings != [name]:  # two names with one slug show the one with more articles
            assert slugify(headings[0]) == slugify(name), (name, headings)
    assert_clean(hostile, before)


def test_facet_lists_keep_hostile_values_as_text(hostile):
    """Issue 14, item 8: every hostile company, source and section in a facet's full list (page, htmx list,
    /embed, JSON), each value's label as written and its link the search with that value ticked; and filtered
    by a piece of each payload."""
    check, before = Checker(hostile), len(hostile.problems)
    articles = list(hostile.articles.values())
    expected = {"company": {c for a in articles for c in a.companies}, "source": {a.source for a in articles},
                "section": {s for a in articles for s in a.sections}}
    for facet, names in expected.items():
        seen, offset = set(), 0
        while True:
            qs = urlencode({"q": MARKER, "facet_limit": 200, "facet_offset": offset})
            for url, headers in ((f"/facet/{facet}?{qs}", {}), (f"/facet/{facet}?{qs}", HX),
                                 (f"/embed/facet/{facet}?{qs}&theme=dark", {})):
                _, tree = check.get(url, headers)
                for link in [a for a in tree.find("a") if a.parent and a.parent.parent
                             and "facet-values" in a.parent.parent.classes]:
                    label = link.text().removesuffix(" (ticked: removes this filter)")
                    ticked = parse_qs(urlsplit(link.attributes["href"]).query).get(facet, [])
                    check.compare(ticked, [label], url, f"{facet} link of {label!r}")
                    seen.add(label)
            body = check.get(f"/api/facet/{facet}?{qs}")[0].get_json()
            if not body["has_more"]:
                break
            offset += 200
        check.compare(names - seen, set(), f"/facet/{facet}?q={MARKER}", f"{facet} values listed")
    for number, payload in enumerate(hostile.payloads[::5]):
        piece = payload[len(payload) // 3: len(payload) // 3 + 6]
        qs = urlencode({"q": MARKER, "facet_q": piece, "company": payload})
        check.get(f"/facet/{('company', 'source', 'section')[number % 3]}?{qs}", HX if number % 2 else {},
                  statuses=(200, 400))
        check.get(f"/api/facet/company?{qs}", statuses=(200, 400))
    assert_clean(hostile, before)


def test_hostile_query_strings(hostile):
    """Each payload in each text parameter of the page (q alone; company, source and section together; theme on
    /embed), every other one in the numbers, dates and sort, which refuse it; in q on the API and, in turn, on
    the htmx fragment, /embed and the embed fragment; in an article's q and id. Every 8th payload in every
    parameter of every surface."""
    check, before = Checker(hostile), len(hostile.problems)
    some_article = quote(next(iter(hostile.articles)))
    statuses = (200, 400)
    for number, payload in enumerate(hostile.payloads):
        everywhere = number % 8 == 0
        facets = {"company": payload, "source": payload, "section": payload}
        requests = [{"q": payload}, facets]
        requests += [{name: payload} for position, name in enumerate(VALIDATED)
                     if everywhere or (number + position) % 2 == 0]  # a 400 that quotes it: half the payloads each
        for params in requests:
            qs = urlencode(params)
            response, tree = check.get(f"/?{qs}", statuses=statuses)
            if params is facets and response.status_code == 200:
                # The values come back as text: in the chips that remove them (and in the ticked boxes).
                chips = [" ".join(a.text().split()) for a in tree.find("a") if a.parent and a.parent.parent
                         and "chips" in a.parent.parent.classes and "clear-all" not in a.parent.classes]
                value = " ".join(payload.split())
                check.compare(chips, [f"{FACET_TITLES[name]}: {value} ×" for name in facets], f"/?{qs}", "chips")
            if "q" in params or everywhere:
                check.get(f"/api/search?{qs}", statuses=statuses)
                others = [(f"/?{qs}", HX), (f"/embed?{qs}&theme=dark", {}), (f"/embed/fragment?{qs}", {})]
                for url, headers in (others if everywhere else others[number % 3: number % 3 + 1]):
                    check.get(url, headers, statuses=statuses)
                # a facet's full list carries the search and takes a filter text of its own
                check.get(f"/facet/company?{qs}&{urlencode({'facet_q': payload})}", statuses=statuses)
                if everywhere:
                    check.get(f"/embed/facet/source?{qs}&theme=dark", statuses=statuses)
                    check.get(f"/api/facet/section?{qs}", statuses=statuses)
        theme = urlencode({"theme": payload})
        check.get(f"/embed?{theme}", statuses=statuses)
        check.get(f"/embed/facet/company?{theme}", statuses=statuses)
        if everywhere:
            check.get(f"/facet/{quote(payload, safe='')}", statuses=(404,))
        if everywhere:
            check.get(f"/embed/article/{some_article}?{theme}", statuses=statuses)
        # The query kept on an article page's "Back to results" link.
        check.get(f"/article/{some_article}?{urlencode({'q': payload})}", statuses=statuses)
        # Unknown article ids and paths echo the payload in a 404 page.
        check.get(f"/article/{quote(payload, safe='')}", statuses=(404,))
        if everywhere:
            check.get(f"/embed/article/{quote(payload, safe='')}?q={quote(payload)}", statuses=(404,))
            check.get(f"/{quote(payload, safe='')}", statuses=(404,))
    # Bytes no text file holds, percent-encoded straight into the query string.
    for raw in ("%C0%BCscript%C0%BEalert(1)", "%3Cscript%3Ealert(1)%3C/script%3E", "%FF%FE%3Csvg%20onload=alert(1)%3E",
                "%E0%80%BCimg%20src=x%20onerror=alert(1)%E0%80%BE", "%u003cscript%u003e", "%2B%2BADw-script%2BAD4-",
                "%0D%0ASet-Cookie:%20x=1", "%22%3E%3Cimg%20src=x%20onerror=alert(1)%3E"):
        for name in PARAMETERS:
            check.get(f"{'/embed' if name == 'theme' else '/'}?{name}={raw}", statuses=statuses)
            check.get(f"/api/search?{name}={raw}", statuses=statuses)
    assert_clean(hostile, before)


def test_a_405_and_a_hostile_host_header(hostile):
    check, before = Checker(hostile), len(hostile.problems)
    for path in ("/", "/embed", "/article/x", "/api/search"):
        check.get(path, method="POST", statuses=(405,))
    # The embed fragment's links are absolute: a forged Host header must not break out of them either.
    response = hostile.client.get(f"/embed/fragment?q={MARKER}",
                                  headers={"Host": 'evil.example"><script>alert(1)</script>'})
    hostile.stats["responses"] += 1
    if response.status_code == 200:
        problems, _ = html_problems(response.get_data(as_text=True), hostile.benign, hostile.stats, "forged Host",
                                    strict=False)
        hostile.problems += [p for p in problems if "link to" not in p and "htmx URL" not in p]
    assert_clean(hostile, before)


def test_embed_links_in_a_new_tab_keep_hostile_text_as_text(hostile):
    """ARCHIVE_EMBED_LINKS=new-tab changes the hits' links (target, a hidden "opens in a new tab"): same checks."""
    app = create_app({"INDEX_DIR": hostile.app.config["INDEX_DIR"], "TESTING": True, "EMBED_LINKS": "new-tab"})
    try:
        check, before = Checker(hostile), len(hostile.problems)
        check.state = Hostile(**{**hostile.__dict__, "client": app.test_client()})
        for page in (1, 2):
            _, tree = check.get(f"/embed?q={MARKER}&per_page=100&page={page}&theme=light")
            check.hit_texts(tree, "/embed new-tab")
            assert any(e.attributes.get("target") == "_blank" for e in tree.find("a"))
        assert_clean(hostile, before)
    finally:
        app.extensions["archive"].close()


def company_slug(app) -> str:
    """The slug of a company the index names (its page is /company/<slug>)."""
    from search.companies.directory import company_slug as slugify

    companies = app.test_client().get("/api/search").get_json()["facets"]["company"]
    return slugify(companies[0]["value"])


def sample_urls(app, article_id: str) -> list[tuple[str, str, tuple]]:
    """One URL per GET rule of the app (with sample arguments), static files and errors: (method, url, statuses)."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        if rule.endpoint == "static":
            continue
        sample = {"slug": company_slug(app), "name": "company"}  # name: a facet (/facet/<name>)
        args = {name: sample.get(name, article_id) for name in rule.arguments}
        path = rule.rule
        for name, value in args.items():
            path = path.replace(f"<{name}>", quote(value))
        urls.append(("GET", path, (200,)))
        urls.append(("GET", f"{path}?q={MARKER}", (200,)))
    with app.test_request_context():
        from web.assets import static_url
        urls += [("GET", static_url("style.css"), (200,)), ("GET", "/static/style.css", (200,)),
                 ("GET", static_url(HTMX_FILE), (200,))]
    urls += [("GET", "/no/such/page", (404,)), ("GET", "/article/no-such-article", (404,)),
             ("GET", "/?page=0", (400,)), ("GET", "/api/search?page=0", (400,)), ("GET", "/embed?theme=x", (400,)),
             ("GET", "/embed/article/x?theme=x", (400,)), ("POST", "/", (405,)), ("POST", "/api/search", (405,)),
             ("HEAD", "/", (200,)), ("OPTIONS", "/embed/fragment", (200, 204)), ("OPTIONS", "/api/search", (200, 204)),
             ("GET", "/facet/nosuchfacet", (404,)), ("GET", "/api/facet/company?facet_limit=0", (400,)),
             ("GET", "/facet/source?facet_offset=x", (400,)), ("GET", "/embed/facet/company?theme=x", (400,))]
    return urls


FRAMEABLE = {"views.search", "views.embed", "views.embed_article", "views.facet", "views.embed_facet"}


def endpoint_of(app, method: str, url: str) -> str | None:
    """The endpoint a URL is routed to (None for a 404 or 405)."""
    from werkzeug.exceptions import HTTPException

    try:
        return app.url_map.bind("localhost").match(urlsplit(url).path, method="GET" if method == "HEAD" else method)[0]
    except HTTPException:
        return None


@pytest.mark.parametrize("allowed", ["", "https://intranet.example"])
def test_security_headers_on_every_route(hostile, allowed):
    """Every URL rule, static files, 400, 404 and 405: CSP without unsafe-*, nosniff, referrer, framing, caching."""
    app = hostile.app
    if allowed:
        app = create_app({"INDEX_DIR": hostile.app.config["INDEX_DIR"], "TESTING": True,
                          "EMBED_ALLOWED_ORIGINS": allowed})
    try:
        client = app.test_client()
        article_id = next(iter(hostile.articles))
        urls = sample_urls(app, article_id)
        rules = {rule.rule for rule in app.url_map.iter_rules()}
        assert len(urls) >= 2 * (len(rules) - 1) + 10
        problems = []
        for method, url, statuses in urls:
            response = client.open(url, method=method, headers={"Origin": allowed} if allowed else {})
            response.close()
            hostile.stats["responses"] += 1
            where = f"{method} {url}"
            if response.status_code not in statuses:
                problems.append(f"{where}: status {response.status_code}")
            problems += header_problems(response, where)
            csp = response.headers.get("Content-Security-Policy", "")
            frameable = allowed and endpoint_of(app, method, url) in FRAMEABLE
            if "frame-ancestors 'self'" not in csp:
                problems.append(f"{where}: no frame-ancestors 'self'")
            elif allowed and (allowed in csp) != bool(frameable):
                problems.append(f"{where}: {allowed} {'may' if allowed in csp else 'may not'} frame it: {csp}")
            if response.headers.get("X-Frame-Options") != (None if frameable else "SAMEORIGIN"):
                problems.append(f"{where}: X-Frame-Options {response.headers.get('X-Frame-Options')!r}")
            if (url.startswith("/static/") and "?v=" in url
                    and "immutable" not in response.headers.get("Cache-Control", "")):
                problems.append(f"{where}: versioned static file not cached for good")
            expected = "no-store" if response.status_code >= 400 else "no-cache"  # errors are never kept
            if not url.startswith("/static/") and response.headers.get("Cache-Control") != expected:
                problems.append(f"{where}: Cache-Control {response.headers.get('Cache-Control')!r}")
        assert problems == [], "\n".join(problems[:25])
    finally:
        if allowed:
            app.extensions["archive"].close()


def test_a_missing_static_file_has_the_headers_too(hostile):
    response = hostile.client.get("/static/no-such-file.js")
    response.close()
    assert response.status_code == 404
    assert header_problems(response, "GET /static/no-such-file.js") == []


# ---------------------------------------------------------------------------------------------
# In a real browser


CANARY = """
window.__xss = [];
for (const name of ['alert', 'confirm', 'prompt', 'print']) {
  window[name] = function (...args) { window.__xss.push(name + '(' + args.join(',') + ')'); };
}
"""
# After load: elements and attributes that would mean a payload became markup, as the browser built the DOM.
DOM_AUDIT = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const value = attr.value.replace(/[\\u0000-\\u0020]/g, '').toLowerCase();
      if (attr.name.startsWith('on') || attr.name.startsWith('hx-on') || attr.name === 'style' || attr.name === 'srcdoc'
          || (/^(href|src|action|formaction|data|xlink:href)$/.test(attr.name) && /^(javascript|vbscript|data):/.test(value)
              && value !== 'data:,'))
        bad.push(el.tagName + ' ' + attr.name + '=' + attr.value);
    }
  }
  // The results' timeline (web/timeline.py), the one <svg> of these pages: exactly its own attributes,
  // where the template puts it, holding only the elements it draws with.
  const chart = {'class': 'timeline-chart', 'viewBox': '0 0 640 150', 'role': 'group', 'font-size': '11',
                 'fill': 'currentColor', 'aria-labelledby': 'timeline-title', 'aria-describedby': 'timeline-desc'};
  const own = el => el.matches('div.timeline > svg.timeline-chart') && el.attributes.length === 7
                    && [...el.attributes].every(a => chart[a.name] === a.value);
  for (const el of document.querySelectorAll('iframe, object, embed, svg, math, base, style, template, img, video, audio, meta[http-equiv]'))
    if (!own(el)) bad.push(el.outerHTML.slice(0, 120));
  for (const el of document.querySelectorAll('svg.timeline-chart *'))
    if (!['title', 'desc', 'g', 'line', 'a', 'rect', 'text'].includes(el.localName)) bad.push(el.outerHTML.slice(0, 120));
  for (const el of document.querySelectorAll('mark'))
    if (el.attributes.length || el.children.length) bad.push(el.outerHTML.slice(0, 120));
  const scripts = [...document.scripts].map(s => s.getAttribute('src') || 'inline');
  return {bad, scripts, title: document.title};
}"""  # noqa: E501 -- three lines of this triple-quoted JS literal are long; wrapping them would change the script text


@pytest.fixture(scope="module")
def hostile_server(hostile):
    url, stop = serve(hostile.app)
    yield url
    stop()


def test_hostile_pages_in_chromium(hostile, hostile_server):
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import expect, sync_playwright

    server = hostile_server
    ids = list(hostile.articles)
    worst = [i for i, p in enumerate(hostile.payloads)
             if any(s in p for s in ("onerror", "<svg onload", "autofocus", "http-equiv=\"refresh\"", "<base",
                                     "POLICE"))]
    article_urls = [f"/article/{quote(ids[3 * i + (i % 3)])}?q={quote(ARTICLE_QUERY)}" for i in worst[::5]][:3]
    urls = [f"/?q={MARKER}&per_page=100&page={n}" for n in range(1, -(-len(ids) // 100) + 1)]
    urls += [f"/embed?q={MARKER}&per_page=100&theme=dark", f"/embed/article/{quote(ids[1])}?q={MARKER}", *article_urls,
             "/?" + urlencode({"q": "<script>alert(1)</script>", "company": hostile.articles[ids[0]].companies[0]}),
             "/?" + urlencode({"q": '"><img src=x onerror=alert(1)>', "page": "<svg onload=alert(1)>"}),
             "/embed?" + urlencode({"theme": '"><svg onload=alert(1)>'}),
             f"/article/{quote('<img src=x onerror=alert(1)>', safe='')}"]
    expected_errors = {urls[-3], urls[-2], urls[-1]}  # a 400, a 400 and a 404: Chromium logs the status
    dialogs, outside, failures = [], [], []
    csp_reports = status_errors = 0

    def open_page(context):
        page = context.new_page()
        watch(page)
        page.on("dialog", lambda dialog: (dialogs.append(f"{dialog.type}: {dialog.message}"), dialog.dismiss()))
        return page

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context()
            context.add_init_script(CANARY)
            context.on("request", lambda request: None if request.url.startswith((server, "data:"))
                       else outside.append(request.url))
            # A tab per URL, all loading at once; then each is left until the network is idle (so that any
            # onerror/onload would have fired) and audited.
            for batch in (urls[:8], urls[8:]):
                tabs = []
                for url in batch:
                    tab = open_page(context)
                    tab.goto(server + url, wait_until="commit")
                    tabs.append((url, tab))
                for url, tab in tabs:
                    tab.wait_for_load_state("networkidle")
                    audit = tab.evaluate(DOM_AUDIT)
                    canary = tab.evaluate("window.__xss")
                    if audit["bad"] or canary or urlsplit(tab.url).path != urlsplit(server + url).path:
                        failures.append((url, audit["bad"][:5], canary, tab.url))
                    if [s for s in audit["scripts"] if not s.startswith("/static/")]:
                        failures.append((url, "scripts", audit["scripts"]))
                    csp = [p for p in tab.problems if "CSP" in p or "Content Security Policy" in p]
                    statuses = [p for p in tab.problems if url in expected_errors and re.search(r"status of 40[04]", p)]
                    csp_reports, status_errors = csp_reports + len(csp), status_errors + len(statuses)
                    other = [p for p in tab.problems if p not in csp and p not in statuses]
                    if other:
                        failures.append((url, "console", other))
                    tab.close()
            page = open_page(context)
            # Live search: results swapped in by htmx (innerHTML) are as inert as a full page.
            page.goto(server + "/")
            page.fill("#q", MARKER)
            expect(page.locator("#result-count")).to_contain_text(f"for {MARKER}")
            page.wait_for_load_state("networkidle")
            page.locator(".hit-title a").first.hover()
            page.locator(".hit-title a").first.focus()
            audit, canary = page.evaluate(DOM_AUDIT), page.evaluate("window.__xss")
            if audit["bad"] or canary or page.problems:
                failures.append(("live search", audit["bad"][:5], canary, list(page.problems)))
            checked = len(urls) + 1
            # Controls: the canary sees a call, and a handler planted in the DOM is seen by the audit and
            # blocked by the CSP (reported through watch()'s securitypolicyviolation listener).
            page.problems.clear()
            page.evaluate("alert('probe')")
            with page.expect_console_message(lambda message: "CSP violation" in message.text):
                page.evaluate("""document.querySelector('.snippet').insertAdjacentHTML('beforeend',
                    '<img alt="" src="data:," onerror="alert(2)">')""")
            control_audit, control_canary = page.evaluate(DOM_AUDIT)["bad"], page.evaluate("window.__xss")
            control_blocked = len([p for p in page.problems if "CSP violation" in p])
        finally:
            browser.close()
    print(f"\nhostile in Chromium: {checked} pages, {len(dialogs)} dialogs, {len(outside)} requests off the app, "
          f"{csp_reports} CSP reports of blocked content, {status_errors} expected 400/404 logs; control: a planted "
          f"onerror handler was seen and blocked by the CSP ({control_blocked} report)")
    assert failures == [] and dialogs == [] and outside == [], (failures, dialogs, outside)
    assert control_canary == ["alert(probe)"] and any("onerror" in bad for bad in control_audit), (
        control_canary, control_audit)
