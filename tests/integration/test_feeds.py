"""Every search in the other forms people use (issue 7): Atom, CSV, OpenSearch and suggestions, on the
bundled corpus through Flask's test client. Hostile article text in these outputs:
tests/system/test_hostile_feeds.py; the suggestions in Chromium: tests/system/test_feeds.py; the CSV cell
and the suggester alone: tests/unit/test_feeds.py.
"""

from __future__ import annotations

import csv
import io
import json
import re
import statistics
import time
import xml.etree.ElementTree as ET
from dataclasses import replace
from html.parser import HTMLParser
from itertools import islice
from urllib.parse import parse_qs, urlencode, urlsplit

import feedparser
import pytest

from search.article import iso_published
from search.engines.whoosh.archive import WhooshArchive
from search.index.build import build_index
from search.request import SearchRequest
from web import create_app
from web.feeds import CSV_COLUMNS, csv_cell, plain_text

ATOM = "{http://www.w3.org/2005/Atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
HX = {"HX-Request": "true"}
# Searches of the bundled corpus: words, a phrase, filters, a date, all-then-any, a field query (Whoosh).
QUERIES = ["q=police", "q=ByteDance", "", "q=government&company=Twitter", "q=election&year=2020",
           "q=%22prime+minister%22", "q=bytedance+zebras", 'q=company:"financial times"', "q=polic*",
           "source=Wikinews&month=2020-03", "q=police+OR+protest&match=any"]


def api_ids(client, params: str, sort: str = "") -> list[str]:
    """Every hit of a search through the JSON API, page after page (100 a page), in its order."""
    ids, page = [], 1
    while True:
        query = "&".join(p for p in (params, f"per_page=100&page={page}", f"sort={sort}" if sort else "") if p)
        data = client.get(f"/api/search?{query}").get_json()
        ids += [hit["id"] for hit in data["hits"]]
        if page * 100 >= data["total"]:
            assert len(ids) == data["total"]
            return ids
        page += 1


def parse_atom(body: bytes) -> ET.Element:
    root = ET.fromstring(body)
    assert root.tag == f"{ATOM}feed"
    return root


def csv_rows(body: str) -> list[dict]:
    """The rows of an export: a byte order mark first (for Excel), then plain CSV."""
    assert body.startswith("\ufeff") and not body.startswith("\ufeff\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:], newline="")))
    assert tuple(rows[0]) == CSV_COLUMNS
    return [dict(zip(CSV_COLUMNS, row, strict=True)) for row in rows[1:]]


# --- Atom --------------------------------------------------------------------------------------

@pytest.mark.parametrize("params", QUERIES)
def test_atom_entries_are_the_searchs_newest_hits(client, archive, params):
    response = client.get(f"/search.atom?{params}")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    root = parse_atom(response.data)
    request = SearchRequest.from_params(parse_qs(params))
    results = archive.search(replace(request, sort="newest"), facets=False, did_you_mean=False)
    hits = sorted([version for hit in results.hits for version in (hit, *hit.similar)],
                  key=lambda h: -h.published.timestamp())
    entries = root.findall(f"{ATOM}entry")
    # The search's 10 newest articles (near-duplicates folded on the page are entries of their own).
    newest = [a.id for a in islice(archive.iter_matches(request, sort="newest"), 10)]
    assert len(entries) == min(10, results.total) == len(newest)
    assert [e.findtext(f"{ATOM}id") for e in entries] == [f"http://localhost/article/{i}" for i in newest]
    assert [hit.id for hit in hits] == newest
    for entry, hit in zip(entries, hits, strict=True):
        assert entry.findtext(f"{ATOM}title") == hit.title
        assert [link.get("href") for link in entry.findall(f"{ATOM}link")] == [f"http://localhost/article/{hit.id}"]
        assert entry.findtext(f"{ATOM}published") == hit.published.isoformat()
        assert entry.findtext(f"{ATOM}updated") == hit.published.isoformat()
        summary = entry.find(f"{ATOM}summary")
        assert summary.get("type") == "text" and summary.text == plain_text(hit.snippet)
        assert "<" not in summary.text or "<" in hit.snippet.replace("<mark>", "").replace("</mark>", "")
        categories = [(c.get("scheme").rsplit(":", 1)[1], c.get("term")) for c in entry.findall(f"{ATOM}category")]
        assert categories == [("company", c) for c in hit.companies] + [("source", hit.source)] + [
            ("section", s) for s in hit.sections]
    if hits:
        assert root.findtext(f"{ATOM}updated") == hits[0].published.isoformat()
    # The feed is the search: its id and alternate link are the search page's URL, its self link this feed.
    page_url = "http://localhost/" + (f"?{request.query_string()}" if request.query_string() else "")
    assert root.findtext(f"{ATOM}id") == page_url
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links == {"alternate": page_url, "self": page_url.replace("/?", "/search.atom?") if "?" in page_url
                     else "http://localhost/search.atom"}
    assert f"{results.total:,} article" in root.findtext(f"{ATOM}subtitle")
    # A feed reader's parser reads it without complaint and sees the same entries.
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.bozo_exception
    assert [e.link for e in parsed.entries] == [f"http://localhost/article/{i}" for i in newest]


def test_atom_is_newest_first_whatever_the_sort_and_per_page_sets_its_length(client, archive):
    for sort in ("relevance", "oldest", "newest"):
        root = parse_atom(client.get(f"/search.atom?q=police&per_page=25&sort={sort}").data)
        entries = root.findall(f"{ATOM}entry")
        assert len(entries) == 25
        dates = [e.findtext(f"{ATOM}published") for e in entries]
        newest = islice(archive.iter_matches(SearchRequest(q="police"), sort="newest"), 25)
        assert dates == [article.published.isoformat() for article in newest]
    # page=2 is the next 25 (56 articles: 25, 25, 6), as on the page.
    second = parse_atom(client.get("/search.atom?q=police&per_page=25&page=2").data).findall(f"{ATOM}entry")
    following = islice(archive.iter_matches(SearchRequest(q="police"), sort="newest"), 25, 50)
    assert [e.findtext(f"{ATOM}id") for e in second] == [f"http://localhost/article/{a.id}" for a in following]


def test_atom_of_a_search_with_no_articles_yet_is_a_valid_empty_feed(client):
    response = client.get("/search.atom?q=zzyzxnothing")
    root = parse_atom(response.data)
    assert root.findall(f"{ATOM}entry") == [] and root.findtext(f"{ATOM}updated")
    assert not feedparser.parse(response.data).bozo


# --- CSV ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("params", QUERIES)
def test_csv_has_every_match_in_the_searchs_order(client, archive, params):
    total = client.get(f"/api/search?{params}").get_json()["total"]
    response = client.get(f"/search.csv?{params}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="search-')
    rows = csv_rows(response.get_data(as_text=True))
    assert len(rows) == total
    assert [row["id"] for row in rows] == api_ids(client, params)
    # Through the library too: the export's articles are the search's.
    request = SearchRequest.from_params(parse_qs(params))
    assert [a.id for a in archive.iter_matches(request)] == [row["id"] for row in rows]


def test_csv_is_not_one_page_and_its_cells_are_the_articles(client, bundled_articles):
    """The biggest search (everything: 294 articles, 30 pages) comes whole, whatever page it was found on."""
    rows = csv_rows(client.get("/search.csv?per_page=1&page=7").get_data(as_text=True))
    assert len(rows) == len(bundled_articles) > 10
    by_id = {a.id: a for a in bundled_articles}
    assert {row["id"] for row in rows} == set(by_id)
    for row in rows:
        article = by_id[row["id"]]
        assert row["title"] == csv_cell(article.title)
        assert row["published"] == iso_published(article.published, article.date_only)
        assert ((row["source"], row["sections"], row["url"])
                == (article.source, "; ".join(article.sections), article.url))
        assert row["companies"] == "; ".join(article.companies)
        assert row["article_url"] == f"http://localhost/article/{article.id}"
    assert [row["id"] for row in rows] == api_ids(client, "", sort="newest")  # no words: newest first
    oldest = csv_rows(client.get("/search.csv?sort=oldest").get_data(as_text=True))
    assert [row["id"] for row in oldest] == api_ids(client, "", sort="oldest")


def test_csv_is_streamed_a_piece_at_a_time(client, monkeypatch):
    import search.engines.whoosh.archive

    reads = []
    original = search.engines.whoosh.archive.document_to_article
    monkeypatch.setattr(search.engines.whoosh.archive, "document_to_article",
                        lambda stored: reads.append(1) or original(stored))
    response = client.get("/search.csv")
    assert response.is_streamed
    chunks = iter(response.response)
    first = next(chunks)
    assert first.startswith(b"\xef\xbb\xbfid,title,published,")  # UTF-8's byte order mark, then the header
    assert 0 < len(reads) < 150  # the first piece (about 16 KB) only, not the 294 articles
    rest = list(chunks)
    response.close()
    assert len(reads) == 294 and len(rest) >= 3
    assert len(first) < 20_000 and all(len(chunk) < 20_000 for chunk in rest)


def test_iter_matches_reads_one_article_at_a_time_and_lets_the_build_go(archive, monkeypatch):
    import search.engines.whoosh.archive

    reads = []
    original = search.engines.whoosh.archive.document_to_article
    monkeypatch.setattr(search.engines.whoosh.archive, "document_to_article",
                        lambda stored: reads.append(1) or original(stored))
    matches = archive.iter_matches(SearchRequest(q="police"))
    assert reads == []  # nothing runs before the first article is asked for
    next(matches)
    opened = archive._build
    assert len(reads) == 1 and opened._users == 1  # the build is held while the export runs ...
    matches.close()
    assert opened._users == 0  # ... and let go when it is closed


def test_csv_formula_injection_guard_on_an_indexed_article(corpus_copy, tmp_path):
    """An article whose every field starts like a formula is exported with each of those cells as text."""
    record = {"id": "formula", "title": "=HYPERLINK(\"http://evil.example\",\"Click\")", "published": "2022-02-02",
              "body": "zqxformula body text", "source": "@SUM(1+1)", "section": "+cmd|' /C calc'!A0",
              "companies": ["-2+3"], "url": "https://example.org/formula"}
    (corpus_copy / "extra").mkdir()
    (corpus_copy / "extra" / "formula.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    root = tmp_path / "index"
    build_index(corpus_copy, root, progress=False)
    app = create_app({"INDEX_DIR": str(root), "TESTING": True})
    try:
        body = app.test_client().get("/search.csv?q=zqxformula").get_data(as_text=True)
        assert "# " not in body  # the note on the guard is in the code, not in the file
        [row] = csv_rows(body)
        assert row["title"] == "'" + record["title"] and row["source"] == "'@SUM(1+1)"
        assert row["sections"] == "'+cmd|' /C calc'!A0" and row["companies"] == "'-2+3"
        assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row.values())
    finally:
        app.extensions["archive"].close()


def test_csv_starts_with_a_byte_order_mark_for_excel(client, tmp_path, corpus_copy):
    """Excel on Windows reads a CSV as UTF-8 only after a byte order mark ("Matovič", not "MatoviÄ");
    the rest is the same CSV, which readers that skip the mark (utf-8-sig) parse as before."""
    record = {"id": "matovic", "title": "Matovič resigns; Hegerová named", "published": "2021-03-30",
              "body": "Igor Matovič resigned as prime minister of Slovakia.", "source": "Wikinews"}
    (corpus_copy / "extra").mkdir()
    (corpus_copy / "extra" / "matovic.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n",
                                                         encoding="utf-8")
    build_index(corpus_copy, tmp_path / "index", progress=False)
    app = create_app({"INDEX_DIR": str(tmp_path / "index"), "TESTING": True})
    try:
        response = app.test_client().get("/search.csv?q=Matovič")
        assert response.mimetype == "text/csv" and response.mimetype_params.get("charset") == "utf-8"
        assert response.data.startswith(b"\xef\xbb\xbfid,title,") and response.data.count(b"\xef\xbb\xbf") == 1
        rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))
        assert [(row["title"], row["published"]) for row in rows] == [("Matovič resigns; Hegerová named", "2021-03-30")]
        assert list(rows[0]) == list(CSV_COLUMNS)
    finally:
        app.extensions["archive"].close()
    empty = client.get("/search.csv?q=zzyzxnothing").data  # no rows: still the mark and the header
    assert empty == b"\xef\xbb\xbf" + ",".join(CSV_COLUMNS).encode() + b"\r\n"


def test_csv_gives_the_day_alone_for_a_date_only_article(client, bundled_articles):
    rows = {row["id"]: row["published"] for row in csv_rows(client.get("/search.csv").get_data(as_text=True))}
    wikinews = [a for a in bundled_articles if a.source == "Wikinews"]
    assert wikinews and all(a.date_only for a in wikinews)
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", rows[a.id]) for a in wikinews)
    seed = next(a for a in bundled_articles if a.source == "Global Times")
    assert not seed.date_only and rows[seed.id] == "2021-07-05T17:08:00+08:00"


@pytest.mark.parametrize("path, status, message", [
    ("/search.atom?page=0", 400, "'page' must be between 1 and 10,000, not 0"),
    ("/search.atom?q=*ance", 400, "a wildcard needs at least 2 letters before * or ?"),
    ("/search.atom?from=2020-06-01&to=2020-05-01", 400, "'From' (1 June 2020) is after 'To' (1 May 2020)"),
    ("/search.csv?year=abc", 400, "'year' must be a whole number, not 'abc'"),
    ("/search.csv?q=tiktk~3", 400, "'tiktk~3': at most ~2 edits"),
])
def test_feed_and_csv_errors_are_plain_text(client, path, status, message):
    """A feed reader or a spreadsheet gets the message as text with the status, not an HTML page."""
    response = client.get(path)
    assert response.status_code == status and response.mimetype == "text/plain"
    body = response.get_data(as_text=True)
    assert body.startswith(f"{status} Bad request: ") and message in body and "<" not in body
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_feed_and_csv_without_an_index_say_so_in_plain_text(tmp_path):
    app = create_app({"INDEX_DIR": str(tmp_path / "none"), "TESTING": True})
    for path in ("/search.atom", "/search.csv"):
        response = app.test_client().get(path)
        assert response.status_code == 503 and response.mimetype == "text/plain"
        assert response.get_data(as_text=True).startswith("503 No index yet: No index has been built yet.")


# --- OpenSearch --------------------------------------------------------------------------------

class _Head(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.inputs, self.datalists = [], [], []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        {"link": self.links, "input": self.inputs, "datalist": self.datalists}.get(tag, []).append(attributes)


def test_opensearch_description_is_valid_and_linked_from_every_page(client):
    response = client.get("/opensearch.xml")
    assert response.status_code == 200 and response.mimetype == "application/opensearchdescription+xml"
    root = ET.fromstring(response.data)
    assert root.tag == f"{OPENSEARCH}OpenSearchDescription"
    short_name = root.findtext(f"{OPENSEARCH}ShortName")
    assert short_name == "News Archive" and len(short_name) <= 16
    assert root.findtext(f"{OPENSEARCH}Description") and root.findtext(f"{OPENSEARCH}InputEncoding") == "UTF-8"
    urls = {url.get("type"): url.get("template") for url in root.findall(f"{OPENSEARCH}Url")}
    assert urls == {
        "text/html": "http://localhost/?q={searchTerms}",
        "application/atom+xml": "http://localhost/search.atom?q={searchTerms}",
        "application/x-suggestions+json": "http://localhost/suggest?q={searchTerms}",
        "application/opensearchdescription+xml": "http://localhost/opensearch.xml",
    }
    expected = {"text/html": "text/html", "application/atom+xml": "application/atom+xml",
                "application/x-suggestions+json": "application/x-suggestions+json",
                "application/opensearchdescription+xml": "application/opensearchdescription+xml"}
    for kind, template in urls.items():
        answer = client.get(template.replace("{searchTerms}", "ByteDance").removeprefix("http://localhost"))
        assert answer.status_code == 200 and answer.mimetype == expected[kind], kind
    for page in ("/", "/?q=police", "/embed?q=police", "/article/no-such-article"):
        head = _Head()
        head.feed(client.get(page).get_data(as_text=True))
        search_links = [link for link in head.links if link.get("rel") == "search"]
        assert search_links == [{"rel": "search", "type": "application/opensearchdescription+xml",
                                 "title": "News Archive", "href": "/opensearch.xml"}], page


# --- Suggestions -------------------------------------------------------------------------------

def test_suggest_answers_opensearch_json_from_company_names_and_headlines(client, bundled_articles):
    titles = {a.title for a in bundled_articles}
    companies = {c for a in bundled_articles for c in a.companies}
    response = client.get("/suggest?q=byte")
    assert response.status_code == 200 and response.mimetype == "application/x-suggestions+json"
    q, completions = response.get_json()
    assert q == "byte"
    assert completions[:2] == ["ByteDance", "BytePlus"]  # the company names, most articles first
    assert "ByteDance denies report of selling AI technology" in completions
    assert client.get("/suggest?q=BYTE").get_json()[1] == completions  # case does not matter
    for prefix in ("pol", "t", "the", "tr", "gov", "elect", "chin", "hong kong p", "us pres"):
        completions = client.get(f"/suggest?{urlencode({'q': prefix})}").get_json()[1]
        assert 0 < len(completions) <= 8, prefix
        for completion in completions:
            assert completion in titles | companies, completion
            words = re.findall(r"\w+", completion.casefold())
            assert all(any(w.startswith(p) for w in words) for p in prefix.split()), (prefix, completion)
        # Those that begin with what was typed come first.
        begins = [c.casefold().startswith(prefix) for c in completions]
        assert begins == sorted(begins, reverse=True), (prefix, completions)
    assert client.get("/suggest?q=").get_json() == ["", []]
    assert client.get("/suggest").get_json() == ["", []]
    assert client.get("/suggest?q=zzyzxnothing").get_json() == ["zzyzxnothing", []]
    assert client.get("/suggest?q=bytedance+den").get_json()[1] == ["ByteDance denies report of selling AI technology"]


def test_suggest_gives_datalist_options_to_htmx(client):
    json_list = client.get("/suggest?q=pol").get_json()[1]
    response = client.get("/suggest?q=pol", headers=HX)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "HX-Request" in response.headers["Vary"]
    body = response.get_data(as_text=True)
    values = re.findall(r'<option value="([^"]*)"></option>', body)
    assert [v.replace("&#39;", "'").replace("&amp;", "&") for v in values] == json_list
    assert re.sub(r'<option value="[^"]*"></option>|\s', "", body) == ""


def test_search_box_gets_its_suggestions_with_htmx_and_no_script(client):
    html = client.get("/?q=police").get_data(as_text=True)
    parsed = _Head()
    parsed.feed(html)
    [box] = [i for i in parsed.inputs if i.get("id") == "q"]
    assert box["list"] == "q-suggestions" and box["hx-get"] == "/suggest"
    assert box["hx-trigger"].startswith("keyup changed delay:") and box["hx-target"] == "#q-suggestions"
    assert box["hx-push-url"] == "false"  # not the form's: typing must not push history
    assert [d.get("id") for d in parsed.datalists] == ["q-suggestions"]
    assert not re.search(r"<script(?![^>]*\bsrc=)", html) and " style=" not in html and "hx-on" not in html


def test_suggester_is_built_once_per_build_and_anew_for_a_new_build(corpus_copy, tmp_path):
    root = tmp_path / "index"
    build_index(corpus_copy, root, progress=False)
    with WhooshArchive(root) as archive:
        first = archive.suggester()
        assert archive.suggester() is first
        assert first.suggest("zorbl") == []
        extra = corpus_copy / "extra"
        extra.mkdir()
        (extra / "new.jsonl").write_text(json.dumps({"id": "zorblax", "title": "Zorblax makers merge",
                                                     "published": "2022-02-02", "body": "Two makers merged."}) + "\n")
        build_index(corpus_copy, root, progress=False)
        second = archive.suggester()
        assert second is not first and second.suggest("zorbl") == ["Zorblax makers merge"]


def test_suggest_latency(client, bundled_articles):
    """p50 over 100 prefixes of the archive's own words, through the app (printed with -s)."""
    client.get("/suggest?q=a")  # builds the suggester
    words = sorted({w for a in bundled_articles for w in re.findall(r"[A-Za-z]{4,}", a.title)})
    prefixes = [w[: 1 + i % 4] for i, w in enumerate(words[:: max(1, len(words) // 100)][:100])]
    assert len(prefixes) == 100
    timings = []
    for prefix in prefixes:
        started = time.perf_counter()
        assert client.get(f"/suggest?q={prefix}").status_code == 200
        timings.append((time.perf_counter() - started) * 1000)
    p50 = statistics.median(timings)
    print(f"\nsuggest over HTTP (test client): p50 {p50:.2f} ms, max {max(timings):.2f} ms over 100 prefixes")
    assert p50 < 50


# --- Links and errors --------------------------------------------------------------------------

def export_links(html: str) -> dict[str, str]:
    paragraph = re.search(r'<p class="exports">(.*?)</p>', html, re.DOTALL)
    if paragraph is None:
        return {}
    return {urlsplit(href).path.rsplit("/", 1)[1]: href.replace("&amp;", "&")
            for href in re.findall(r'href="([^"]+)"', paragraph.group(1))}


def test_results_page_links_to_its_feed_and_csv(client):
    links = export_links(client.get("/?q=police&company=Twitter&year=2020&sort=oldest&page=2&per_page=5")
                         .get_data(as_text=True))
    assert links == {"search.atom": "/search.atom?q=police&company=Twitter&year=2020",
                     "search.csv": "/search.csv?q=police&company=Twitter&year=2020&sort=oldest"}
    fragment = client.get("/?q=police", headers=HX).get_data(as_text=True)  # what htmx swaps in
    assert export_links(fragment) == {"search.atom": "/search.atom?q=police", "search.csv": "/search.csv?q=police"}
    # A search that finds nothing yet can still be followed; there is nothing to download.
    assert export_links(client.get("/?q=zzyzxnothing").get_data(as_text=True)) == {
        "search.atom": "/search.atom?q=zzyzxnothing"}
    assert export_links(client.get("/?page=0").get_data(as_text=True)) == {}  # an error: no links
    # The fragment a host page pulls in carries absolute URLs, like its other links.
    embedded = export_links(client.get("/embed/fragment?q=police").get_data(as_text=True))
    assert embedded["search.atom"] == "http://localhost/search.atom?q=police"


@pytest.mark.parametrize("path, message", [
    ("/search.atom?page=0", "'page' must be between 1"),
    ("/search.atom?sort=random", "'sort' must be one of relevance, newest, oldest"),
    ("/search.atom?from=2020-13-01", "'from' must be a date written YYYY-MM-DD"),
    ("/search.atom?per_page=500", "'per_page' must be between 1 and 100"),
    ("/search.csv?year=abc", "'year' must be a whole number"),
    ("/search.csv?month=13&year=2020", "'month' must be between 1 and 12"),
    ("/search.csv?q=a&q=b", "'q' can be given only once"),
    ("/search.csv?q=tiktk~3", "~"),
    ("/suggest?q=a&q=b", "'q' can be given only once"),
    ("/suggest?q=" + "a" * 1001, "'q' is longer than 1,000 characters"),
    ("/suggest?q=a%00b", "'q' contains a NUL character"),
])
def test_bad_parameters_are_400_with_a_message(client, path, message):
    response = client.get(path)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True).replace("&#39;", "'")
    as_json = client.get(path, headers={"Accept": "application/json"})
    assert as_json.status_code == 400 and message in as_json.get_json()["error"]["message"]
    if path.startswith("/suggest"):
        swapped = client.get(path, headers=HX)  # htmx empties the list
        assert swapped.status_code == 400 and swapped.get_data(as_text=True) == ""
