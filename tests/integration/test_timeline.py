"""The timeline on the results page (web/timeline.py, _partials/_timeline.html), on the real bundled index.

Every number the chart shows is checked against the articles themselves (``bundled_articles``,
parsed independently of the index) by brute force: bar counts, the archive's totals per period
behind the share mode, the gaps between years; each bar's link is followed and must find exactly
the bar's articles. Query text reaching the chart's title stays text; the embed and fragment
surfaces keep their own links.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date
from functools import cache
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

from search.index.build import build_index
from search.text.analysis import text_analyzer
from web import create_app, timeline
from web.views import search_request

ANALYZER = text_analyzer()
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
HX = {"HX-Request": "true"}


# --- brute force over the corpus -------------------------------------------------------------

def words_of(article) -> frozenset[str]:
    """Every analysed word of an article's headline, body and captions (independent of the index)."""
    return analysed_words(" ".join([article.title, article.body, *article.captions]))


@cache
def analysed_words(text: str) -> frozenset[str]:
    """The analysed words of a text, worked out once per text (the brute-force checks ask again and again)."""
    return frozenset(token.text for token in ANALYZER(text))


@cache
def stem(word: str) -> str:
    return next(token.text for token in ANALYZER(word))


def matching(articles, q: str = "", companies=(), sources=(), date_from=None, date_to=None) -> list:
    """The articles a plain-words query with these filters finds, by brute force; the year and month
    chosen are left out, as the chart (like the date facet) shows every period to choose from."""
    found = []
    for article in articles:
        if q and not all(stem(word) in words_of(article) for word in q.split()):
            continue
        if companies and not set(companies) & set(article.companies):
            continue
        if sources and article.source not in sources:
            continue
        day = article.published.date() if article.published else None
        if (date_from or date_to) and day is None:
            continue
        if date_from and day < date_from or date_to and day > date_to:
            continue
        found.append(article)
    return found


def expected_bars(articles, year: int | None = None) -> list[tuple[str, int]]:
    """(period name, count) of every bar: the years from the first to the last with articles,
    or the twelve months of ``year``."""
    dated = [a for a in articles if a.published]
    if year:
        months = Counter(a.published.month for a in dated if a.published.year == year)
        return [(f"{MONTHS[m - 1]} {year}", months[m]) for m in range(1, 13)]
    years = Counter(a.published.year for a in dated)
    return [(str(y), years[y]) for y in range(min(years), max(years) + 1)] if years else []


def period_total(articles, name: str) -> int:
    """All the archive's articles of a period ('2020' or 'March 2020')."""
    if " " in name:
        month, year = name.split()
        return sum(1 for a in articles if a.published and (a.published.year, a.published.month)
                   == (int(year), MONTHS.index(month) + 1))
    return sum(1 for a in articles if a.published and a.published.year == int(name))


# --- reading the chart from the page -----------------------------------------------------------

class Chart(HTMLParser):
    """The timeline block of a page: its bars (links and empty periods), title, links and tags."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.bars: list[dict] = []
        self.tags: list[tuple[str, list]] = []
        self.svg_attrs: dict | None = None
        self.texts: dict[str, str] = {}
        self.links: dict[str, dict] = {}
        self._in = 0
        self._current: dict | None = None
        self._text_of: str | None = None
        start = html.find('<div class="timeline"')
        self.found = start >= 0
        if self.found:
            self.feed(html[start:html.index("</div>", start) + 6])
        self.html = html

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "svg":
            self.svg_attrs = a
        elif tag == "a" and a.get("class") == "timeline-link":
            self._current = {"label": a["aria-label"], "url": a["href"], "attrs": a, "selected": "aria-current" in a}
            self.bars.append(self._current)
        elif tag == "a":
            self.links[a["class"]] = a
        elif tag == "g" and a.get("class") == "timeline-empty":
            self.bars.append({"label": a["aria-label"], "url": None, "attrs": a, "selected": False})
        elif tag == "rect" and a.get("class", "").startswith("timeline-bar") and self._current is not None:
            self._current.update(height=float(a["height"]), y=float(a["y"]), x=float(a["x"]), width=float(a["width"]))
        elif tag == "text" and a.get("class") == "timeline-value" and self._current is not None:
            self._text_of = "value"
        elif tag in ("title", "desc") or (tag == "text" and a.get("class") == "timeline-tick") or (
                tag == "span" and a.get("class") in ("timeline-caption", "timeline-note")):
            self._text_of = a.get("class") or tag

    def handle_endtag(self, tag):
        if tag == "a":
            self._current = None
        if tag in ("title", "desc", "text", "span"):
            self._text_of = None

    def handle_data(self, data):
        if self._text_of == "value" and self._current is not None:
            self._current["value"] = data
        elif self._text_of:
            self.texts.setdefault(self._text_of, data)

    def counts(self) -> list[tuple[str, int]]:
        """(period name, count) per bar, read from the bars' accessible names."""
        result = []
        for bar in self.bars:
            match = re.fullmatch(r"(.+?): (?:no articles|([\d,]+) articles?)"
                                 r"(?: \((.+?) of (?:that \w+'s|those [\w ]+') ([\d,]+)\))?", bar["label"])
            assert match, bar["label"]
            result.append((match.group(1), int((match.group(2) or "0").replace(",", ""))))
        return result


def chart(client, url: str, headers=None) -> Chart:
    response = client.get(url, headers=headers or {})
    assert response.status_code == 200, (url, response.status_code)
    return Chart(response.get_data(as_text=True))


def api_total(client, page_url: str) -> int:
    """The total of the search a page link leads to, asked of the JSON API."""
    query = urlsplit(page_url).query
    return client.get(f"/api/search?{query}").get_json()["total"]


def page_total(html: str) -> int:
    text = re.search(r'id="result-count"[^>]*>\s*(.*?)</p>', html, re.S).group(1)
    match = re.match(r"([\d,]+) articles?", text.strip())
    return int(match.group(1).replace(",", "")) if match else 0


# --- counts ---------------------------------------------------------------------------------------

CASES = [
    ("/", {}),
    ("/?q=police", {"q": "police"}),
    ("/?q=government&company=Twitter", {"q": "government", "companies": ("Twitter",)}),
    ("/?q=police&company=Twitter&company=CNN", {"q": "police", "companies": ("Twitter", "CNN")}),
    ("/?source=Wikinews&year=2020", {"sources": ("Wikinews",), "year": 2020}),
    ("/?q=police&year=2020&month=3", {"q": "police", "year": 2020}),
    ("/?q=police&from=2019-08-01&to=2020-05-31",
     {"q": "police", "date_from": date(2019, 8, 1), "date_to": date(2020, 5, 31)}),
    ("/?q=people&year=2019&sort=newest&page=2", {"q": "people", "year": 2019}),
]


@pytest.mark.parametrize("url, spec", CASES, ids=[url for url, _ in CASES])
def test_bar_counts_equal_brute_force(client, bundled_articles, url, spec):
    spec = dict(spec)
    year = spec.pop("year", None)
    found = matching(bundled_articles, **spec)
    expected = expected_bars(found, year)
    page = chart(client, url)
    assert page.found and expected
    assert page.counts() == expected
    # Heights follow the counts: the tallest bar is the largest count, the rest in proportion.
    top = max(count for _, count in expected)
    tallest = max(bar.get("height", 0) for bar in page.bars)
    for bar, (_, count) in zip(page.bars, expected):
        if count:
            assert bar["height"] == pytest.approx(max(tallest * count / top, timeline.MIN_BAR_HEIGHT), abs=0.11)
            assert bar["value"] == f"{count:,}"
        else:
            assert bar["url"] is None or bar["selected"]  # an empty period is no link (but a chosen month is)
    assert page.texts["timeline-tick"] == f"{top:,}"
    # Bars sit side by side inside the drawing, left to right in time.
    xs = [bar["x"] for bar in page.bars if "x" in bar]
    assert xs == sorted(xs) and all(0 <= x <= timeline.WIDTH for x in xs)


def test_unit_follows_the_chosen_year(client):
    years = chart(client, "/?q=police")
    assert [name for name, _ in years.counts()] == ["2019", "2020"]
    assert years.texts["timeline-caption"] == "Articles per year" and "timeline-zoom" not in years.links
    months = chart(client, "/?q=police&year=2020")
    assert [name for name, _ in months.counts()] == [f"{m} 2020" for m in MONTHS]
    assert months.texts["timeline-caption"] == "2020: articles per month"
    zoom = months.links["timeline-zoom"]["href"]
    assert parse_qs(urlsplit(zoom).query) == {"q": ["police"]}


# --- links ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/?q=police", "/?company=Twitter", "/?q=government&year=2020",
                                 "/?q=police&year=2020&month=3", "/?q=police&from=2019-08-01&to=2020-05-31"])
def test_each_bar_link_narrows_to_its_period(client, url):
    page = chart(client, url)
    current = parse_qs(urlsplit(url).query)
    checked = 0
    for bar, (name, count) in zip(page.bars, page.counts()):
        if not bar["url"]:
            continue
        params = parse_qs(urlsplit(bar["url"]).query)
        # Everything else stays as it was; the period is the bar's; back to page 1.
        for key in ("q", "company", "from", "to"):
            assert params.get(key) == current.get(key)
        assert "page" not in params
        if " " in name:  # a month
            month, year = name.split()
            assert params["year"] == [year]
            if bar["selected"]:  # the chosen month's link goes back to its whole year
                assert "month" not in params
                assert api_total(client, bar["url"]) == sum(c for _, c in page.counts())
            else:
                assert params["month"] == [str(MONTHS.index(month) + 1)]
                assert api_total(client, bar["url"]) == count
        else:
            assert params["year"] == [name] and "month" not in params
            assert api_total(client, bar["url"]) == count
        checked += 1
    assert checked >= 2
    # And as a page: the link's page says the bar's number.
    first = next(bar for bar in page.bars if bar["url"] and not bar["selected"])
    html = client.get(first["url"]).get_data(as_text=True)
    assert page_total(html) == int(first["value"].replace(",", ""))


def test_links_carry_the_htmx_attributes_of_the_other_result_links(client):
    html = client.get("/?q=police").get_data(as_text=True)
    date_link = re.search(r'<nav class="facet facet-date".*?<a href="[^"]+" (hx-get="[^"]+") (hx-target="[^"]+" '
                          r'hx-swap="[^"]+" hx-push-url="[^"]+")', html, re.S)
    page = Chart(html)
    for bar in page.bars:
        attrs = bar["attrs"]
        assert attrs["hx-get"] == attrs["href"] == bar["url"]
        # As the pager (issue 14): the same target and history, and the view moves to the results' top
        # with the focus on their count.
        swap = attrs["hx-swap"].removesuffix(" show:#results-region:top")
        assert swap != attrs["hx-swap"] and attrs["hx-headers"] == '{"HX-Focus-Results": "true"}'
        assert f'hx-target="{attrs["hx-target"]}" hx-swap="{swap}" hx-push-url="{attrs["hx-push-url"]}"' \
            == date_link.group(2)
    for link in page.links.values():
        assert link["hx-get"] == link["href"] and link["hx-target"] == "#results-region"
    # Each link's URL is the whole search: the form fields that #results-region's hx-include would
    # make its descendants inherit are not added again (a second 'q' is a 400; see _timeline.html).
    assert all(bar["attrs"]["hx-include"] == "unset" for bar in page.bars)
    assert all(link["hx-include"] == "unset" for link in page.links.values())


# --- share mode ---------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/?q=police&timeline=share", "/?q=government&year=2020&timeline=share",
                                 "/?company=Twitter&timeline=share", "/?timeline=share"])
def test_share_is_count_over_all_articles_of_the_period(app, client, archive, bundled_articles, url):
    page = chart(client, url)
    bars = page.counts()
    shares = []
    for bar, (name, count) in zip(page.bars, bars):
        total = period_total(bundled_articles, name)
        share = count / total if total else 0.0
        shares.append(share)
        if total:
            assert bar["label"].endswith(f" ({timeline._percent(share)} of that {'month' if ' ' in name else 'year'}'s "
                                         f"{total:,})")
        if bar["url"]:
            assert bar["value"] == timeline._percent(share)
    top, tallest = max(shares), max(bar.get("height", 0) for bar in page.bars)
    for bar, share in zip(page.bars, shares):
        if share:
            assert bar["height"] == pytest.approx(max(tallest * share / top, timeline.MIN_BAR_HEIGHT), abs=0.11)
    assert page.texts["timeline-tick"] == timeline._percent(top)
    # The exact values behind the drawing, from the module that drew it.
    with app.test_request_context(url):
        results = archive.search(search_request())
        built = timeline.build(results)
    assert built.mode == "share"
    for bar, (name, count) in zip(built.bars, bars):
        total = period_total(bundled_articles, name)
        assert (bar.period.name, bar.period.count, bar.period.total) == (name, count, total)
        assert bar.period.share == (count / total if total else 0.0)


def test_share_toggle_and_its_state_in_every_link(client):
    counted = chart(client, "/?q=police&year=2020")
    toggle = counted.links["timeline-toggle"]
    assert parse_qs(urlsplit(toggle["href"]).query)["timeline"] == ["share"]
    share_html = client.get(toggle["href"]).get_data(as_text=True)
    shared = Chart(share_html)
    assert shared.texts["timeline-caption"] == "2020: share of each month's articles"
    assert shared.counts() == counted.counts()
    back = shared.links["timeline-toggle"]["href"]
    assert "timeline" not in parse_qs(urlsplit(back).query)
    # The mode is part of the page's state: bars, the zoom-out link, facets, chips and pager keep it,
    # and the form (typing a new query) carries it in a hidden field.
    assert all("timeline=share" in bar["url"] for bar in shared.bars if bar["url"])
    assert "timeline=share" in shared.links["timeline-zoom"]["href"]
    facet_urls = re.findall(r'<nav class="facet facet-date".*?</nav>', share_html, re.S)[0]
    assert facet_urls.count("timeline=share") >= 2
    assert '<input type="hidden" name="timeline" value="share">' in share_html
    many = client.get("/?timeline=share").get_data(as_text=True)
    assert re.search(r'<nav class="pager".*timeline=share', many, re.S)
    assert '<input type="hidden" name="timeline"' not in client.get("/?q=police").get_data(as_text=True)


@pytest.mark.parametrize("value", ["bogus", "Share", "counts", "<script>alert(1)</script>"])
def test_bad_timeline_is_a_400_with_a_message(client, value):
    api = client.get("/api/search", query_string={"timeline": value})
    assert api.status_code == 400
    message = api.get_json()["error"]["message"]
    assert message == f"'timeline' must be one of count, share, not {value!r}"
    page = client.get("/", query_string={"q": "police", "timeline": value})
    html = page.get_data(as_text=True)
    assert page.status_code == 400 and "&#39;timeline&#39; must be one of count, share" in html
    assert "<script>alert(1)</script>" not in html
    assert not Chart(html).found  # no chart on an error
    twice = client.get("/api/search?timeline=share&timeline=count")
    assert twice.status_code == 400 and "can be given only once" in twice.get_json()["error"]["message"]


# --- gaps, undated articles, nothing to chart ---------------------------------------------------

def test_years_without_matches_are_shown_between(client, bundled_articles):
    # A company of the 2021 story and one named only in 2019: together, a gap in 2020.
    years_of = {}
    for article in bundled_articles:
        for company in article.companies:
            years_of.setdefault(company, set()).add(article.published.year)
    only_2019 = sorted(c for c, years in years_of.items() if years == {2019})[0]
    url = f"/?company=ByteDance&company={only_2019}"
    page = chart(client, url)
    found = matching(bundled_articles, companies=("ByteDance", only_2019))
    assert page.counts() == expected_bars(found) and [n for n, _ in page.counts()] == ["2019", "2020", "2021"]
    gap = page.bars[1]
    assert gap["url"] is None and gap["attrs"]["role"] == "img"
    assert gap["label"] == f"2020: no articles (0% of that year's {period_total(bundled_articles, '2020')})"
    assert "1 year without any" in page.texts["desc"]


def test_no_chart_when_nothing_dated_matches(client):
    assert not chart(client, "/?q=nothingmatcheshere").found
    assert not Chart(client.get("/?q=*ance").get_data(as_text=True)).found  # a 400


def test_period_totals_are_counted_once_per_index(archive, bundled_articles):
    with archive._using() as opened:
        totals = opened.facets.period_totals()
        assert opened.facets.period_totals() is totals
    assert totals.years == dict(Counter(a.published.year for a in bundled_articles))
    assert totals.months == dict(Counter(a.published.year * 100 + a.published.month for a in bundled_articles))


TINY = [
    {"id": "tiny-1", "title": "<script>alert(1)</script> Zanzibar harbour", "published": "2019-03-02",
     "body": "Zanzibar <img src=x onerror=alert(2)> harbour.", "companies": ["<script>alert(1)</script>"]},
    {"id": "tiny-2", "title": "Zanzibar again", "published": "2021-11-20", "body": "Zanzibar, script, alert.",
     "companies": ["<script>alert(1)</script>", "\"><svg onload=alert(3)>"]},
    {"id": "tiny-3", "title": "Zanzibar undated", "body": "Zanzibar, no date at all."},
]


@pytest.fixture(scope="module")
def tiny_client(tmp_path_factory):
    """A tiny corpus: hostile company names and titles, two years apart, one article undated."""
    yield from served(tmp_path_factory, "timeline", TINY)


def served(tmp_path_factory, name: str, records: list[dict]):
    """Index ``records`` (one JSON Lines file) and yield a test client of the app serving them."""
    corpus = tmp_path_factory.mktemp(f"{name}-corpus")
    (corpus / f"{name}.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    root = tmp_path_factory.mktemp(f"{name}-index")
    build_index(corpus, root, progress=False, procs=1)
    app = create_app({"INDEX_DIR": str(root), "TESTING": True})
    yield app.test_client()
    app.extensions["archive"].close()


def test_undated_articles_are_left_out_and_said_so(tiny_client):
    page = chart(tiny_client, "/?q=zanzibar")
    assert page.counts() == [("2019", 1), ("2020", 0), ("2021", 1)]
    assert page.texts["timeline-note"] == "(1 undated not shown)"
    assert page.bars[1]["label"] == "2020: no articles"  # the archive has no 2020 article: no share to give
    # Once a date filter is set the undated article is not a match, and the note goes.
    assert "timeline-note" not in chart(tiny_client, "/?q=zanzibar&from=2019-01-01").texts
    assert not chart(tiny_client, "/?q=undated").found


ALLOWED_TAGS = {"div", "p", "span", "a", "svg", "title", "desc", "g", "line", "text", "rect"}


@pytest.mark.parametrize("q", ["<script>alert(1)</script>", "zanzibar \"><svg onload=alert(3)>",
                               "zanzibar </title><script>alert(4)</script>", "zanzibar' onmouseover='alert(5)"])
def test_query_text_in_the_chart_stays_text(tiny_client, client, q):
    for c in (tiny_client, client):
        for headers in ({}, HX):
            response = c.get("/", query_string={"q": q, "timeline": "share"}, headers=headers)
            html = response.get_data(as_text=True)
            page = Chart(html)
            if not page.found:  # the bundled archive may find nothing for some of these
                assert c is client
                continue
            assert {tag for tag, _ in page.tags} <= ALLOWED_TAGS
            assert not [name for _, attrs in page.tags for name, _ in attrs if name.startswith("on")]
            assert page.svg_attrs == {"class": "timeline-chart", "viewbox": "0 0 640 150", "role": "group",
                                      "font-size": "11", "fill": "currentColor",
                                      "aria-labelledby": "timeline-title", "aria-describedby": "timeline-desc"}
            # The query is in the chart's title, as written (escaped in the markup, text once parsed).
            shown = q if len(q) <= timeline.MAX_QUERY_IN_TITLE else q[:timeline.MAX_QUERY_IN_TITLE - 1] + "…"
            assert page.texts["title"] == f"Share of each year's articles matching “{shown}”"
            block = html[html.index('<div class="timeline"'):]
            block = block[:block.index("</svg>")]
            assert "<script" not in block and "<svg onload" not in block and "' onmouseover='" not in block
    # Company names never reach the chart; the hostile ones are in the articles it counts.
    company = tiny_client.get("/api/search").get_json()["facets"]["company"][0]
    assert company["value"].startswith("<script>alert(1)") and company["count"] == 2
    html = tiny_client.get("/", query_string={"company": company["value"]}).get_data(as_text=True)
    assert Chart(html).counts() == [("2019", 1), ("2020", 0), ("2021", 1)]
    assert "alert(1)" not in html[html.index('<div class="timeline"'):html.index("</svg>")]


# --- surfaces ---------------------------------------------------------------------------------------

def test_embed_and_fragment_keep_their_links(client):
    embed = chart(client, "/embed?q=police&theme=dark")
    assert embed.bars and all(urlsplit(bar["url"]).path == "/embed" for bar in embed.bars)
    assert all(parse_qs(urlsplit(bar["url"]).query)["theme"] == ["dark"] for bar in embed.bars)
    assert all(bar["attrs"]["hx-target"] == "#results-region" for bar in embed.bars)
    toggle = embed.links["timeline-toggle"]["href"]
    assert toggle.startswith("/embed?") and "theme=dark" in toggle
    fragment = chart(client, "/embed/fragment?q=police&year=2020")
    assert fragment.bars
    for bar in [*(b for b in fragment.bars if b["url"]), *fragment.links.values()]:
        attrs = bar["attrs"] if "attrs" in bar else bar
        href = attrs["href"]
        assert href.startswith("http://localhost/embed/fragment?"), href
        assert ((attrs["hx-target"], attrs["hx-swap"], attrs["hx-push-url"])
                == ("closest .na-fragment", "outerHTML", "false"))
    # The htmx fragment of the page has the chart too (it is part of the results swapped in).
    assert chart(client, "/?q=police", headers=HX).bars


# --- more than a century: bars of several years ------------------------------------------------

CENTURY = [("1850-06-01", "Harbour opens"), ("1851-02-03", "Harbour grows"), ("1851-09-09", "Mill opens"),
           ("1903-03-03", "Harbour burns"), ("1999-12-31", "Harbour party"), ("2020-01-01", "Harbour closes"),
           ("2020-05-05", "Mill closes")]


@pytest.fixture(scope="module")
def century(tmp_path_factory):
    """Seven articles over 171 years: more years than the chart draws one by one."""
    records = [{"id": f"c-{i}", "title": title, "published": day, "body": f"{title}. The town's news."}
               for i, (day, title) in enumerate(CENTURY)]
    yield from served(tmp_path_factory, "century", records)


def years_of(q: str = "", since: int = 0) -> list[int]:
    return [int(day[:4]) for day, title in CENTURY if q.lower() in title.lower() and int(day[:4]) >= since]


def test_over_a_century_a_bar_is_five_years_and_links_to_their_range(century):
    page = chart(century, "/?q=harbour&timeline=share")
    years = years_of("harbour")
    assert max(years) - min(years) + 1 > timeline.MAX_BARS
    # 1850 to 2024 in fives: 35 bars, each counting its five years, gaps included.
    expected = [(f"{y}–{y + 4}", sum(1 for x in years if y <= x <= y + 4)) for y in range(1850, 2021, 5)]
    assert page.counts() == expected
    assert page.texts["timeline-caption"] == "Share of each 5-year span's articles"
    every = [int(day[:4]) for day, _ in CENTURY]
    first = page.bars[0]
    assert first["label"] == f"1850–1854: 2 articles ({timeline._percent(2 / 3)} of those 5 years' 3)"
    assert parse_qs(urlsplit(first["url"]).query) == {"q": ["harbour"], "from": ["1850-01-01"], "to": ["1854-12-31"],
                                                      "timeline": ["share"]}
    assert sum(1 for y in every if 1850 <= y <= 1854) == 3
    # Following a bar: its articles, and a chart of its years.
    for bar, (_name, count) in zip(page.bars, expected):
        if bar["url"]:
            assert api_total(century, bar["url"]) == count
    inside = chart(century, first["url"])
    assert inside.counts() == [("1850", 1), ("1851", 1)]
    assert parse_qs(urlsplit(inside.bars[1]["url"]).query)["year"] == ["1851"]
    assert api_total(century, inside.bars[1]["url"]) == 1


def test_spans_stay_inside_the_range_already_chosen(century):
    page = chart(century, "/?q=harbour&from=1851-01-01")
    years = years_of("harbour", since=1851)
    assert page.counts()[0] == ("1850–1854", 1) and sum(c for _, c in page.counts()) == len(years)
    params = parse_qs(urlsplit(page.bars[0]["url"]).query)
    assert (params["from"], params["to"]) == (["1851-01-01"], ["1854-12-31"])
    assert api_total(century, page.bars[0]["url"]) == 1
    # Under a century again: one bar a year.
    assert [n for n, _ in chart(century, "/?q=harbour&from=1950-01-01").counts()][:2] == ["1999", "2000"]
