"""Issue 14, item 8: every facet value is reachable, not only a search's top 12.

A facet's full list (``Archive.facet_values``, ``/facet/<name>``, ``/embed/facet/<name>``,
``/api/facet/<name>``) on the bundled corpus's real index: its counts are the facet's (the query and the
other facets' selections narrow them, its own selection does not), a value outside the top 12 counts what
the search filtered by it finds, the filter box matches part of a label whatever its case, and the list
comes a page at a time. The engines' agreement is in test_backend_contract.py; the browser's path from a
search to a value outside the top 12 in test_browser_facets.py (tests/system). One page of values
without an index, and the list's parameters: tests/unit/test_facet_list.py.
"""

from __future__ import annotations

import re
from collections import Counter
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from search.errors import NotFound
from search.request import SearchRequest
from search.results import FACET_LIMIT, FacetValues
from tests.support.facet_lists import every_facet_value

POLICE = SearchRequest(q="police")


def hrefs(html: str) -> list[str]:
    return [unescape(url) for url in re.findall(r'<a [^>]*href="([^"]+)"', html)]


# --- the engine ------------------------------------------------------------------------------------


def test_the_search_says_how_many_distinct_values_each_facet_has(archive):
    results = archive.search(POLICE)
    companies = results.facets["company"]
    assert isinstance(companies, FacetValues)
    assert len(companies) == FACET_LIMIT < companies.distinct
    assert companies.distinct == len(every_facet_value(archive, POLICE, "company"))
    assert results.facets["source"].distinct == len(results.facets["source"]) == 1
    assert results.to_json()["facet_distinct"] == {"company": companies.distinct, "source": 1, "section": 0}


def test_the_top_values_count_what_the_facet_counts(archive):
    shown = archive.search(POLICE).facets["company"]
    listed = every_facet_value(archive, POLICE, "company")
    assert [(v.value, v.count) for v in listed[:FACET_LIMIT]] == [(v.value, v.count) for v in shown]


def test_every_value_counts_the_hits_of_the_search_filtered_by_it(archive):
    """Outside the top 12 as inside it: a value's count is the total of the search with that value ticked."""
    listed = every_facet_value(archive, POLICE, "company")
    top = {v.value for v in archive.search(POLICE).facets["company"]}
    outside = [v for v in listed if v.value not in top]
    assert len(outside) > 50
    for value in listed:
        assert archive.search(SearchRequest(q="police", companies=(value.value,))).total == value.count, value
    # most articles first, then by name
    assert [(v.count, v.value) for v in listed] == sorted(((v.count, v.value) for v in listed),
                                                          key=lambda pair: (-pair[0], pair[1]))


def test_counts_are_disjunctive(archive, bundled_articles):
    """A facet's own selection does not narrow its counts; the other facets' selections and the dates do."""
    plain = {v.value: v.count for v in every_facet_value(archive, POLICE, "company")}
    ticked = every_facet_value(archive, SearchRequest(q="police", companies=("Twitter", "Burisma Holdings")), "company")
    assert {v.value: v.count for v in ticked} == plain
    assert {v.value for v in ticked if v.selected} == {"Twitter", "Burisma Holdings"}

    # another facet's selection (and a year) narrow them: brute force over the parsed articles
    request = SearchRequest(sources=("Wikinews",), year=2020, companies=("Twitter",))
    expected = Counter(name for a in bundled_articles if a.source == "Wikinews" and a.published
                       and a.published.year == 2020 for name in set(a.companies))
    assert {v.value: v.count for v in every_facet_value(archive, request, "company")} == dict(expected)
    # ... and the company selection narrows the sources
    sources = every_facet_value(archive, SearchRequest(companies=("Twitter",)), "source")
    assert {v.value: v.count for v in sources} == dict(Counter(a.source for a in bundled_articles
                                                               if "Twitter" in a.companies))


def test_a_selected_value_with_no_match_stays_listed(archive):
    request = SearchRequest(q="police", companies=("No Such Company",))
    listed = every_facet_value(archive, request, "company")
    assert ([(v.value, v.count, v.selected) for v in listed if v.value == "No Such Company"]
            == [("No Such Company", 0, True)])
    assert archive.search(request).facets["company"].distinct == len(listed)


def test_contains_matches_part_of_a_label_whatever_its_case(archive):
    page = archive.facet_values(POLICE, "company", "BUR")
    assert [v.value for v in page.values] == ["Burisma Holdings", "Drexel Burnham Lambert"]
    assert (page.total, page.distinct, page.has_more) == (2, len(every_facet_value(archive, POLICE, "company")), False)
    assert ([v.value for v in archive.facet_values(POLICE, "company", "  new   YORK ").values]
            == ["The New York Times", "New York Post"])
    assert archive.facet_values(POLICE, "company", "zzzz").values == []


def test_the_list_comes_a_page_at_a_time(archive):
    whole = every_facet_value(archive, POLICE, "company")
    pages, offset = [], 0
    while True:
        page = archive.facet_values(POLICE, "company", "", offset, 7)
        assert page.total == len(whole) and page.limit == 7 and page.offset == offset
        pages += page.values
        if not page.has_more:
            break
        assert len(page.values) == 7
        offset += 7
    assert pages == whole
    past = archive.facet_values(POLICE, "company", "", len(whole) + 5, 7)
    assert past.values == [] and not past.has_more and past.total == len(whole)


def test_the_fallback_to_any_of_the_words_is_the_searchs(archive):
    request = SearchRequest(q="tiktok zebra")  # no article has both: the page shows those with either
    results = archive.search(request)
    assert results.match == "any" and results.total
    listed = every_facet_value(archive, request, "company")
    assert [(v.value, v.count) for v in listed[:FACET_LIMIT]] == [(v.value, v.count) for v in results.facets["company"]]


def test_only_value_facets_have_a_list(archive):
    for name in ("date", "year", "nope", ""):
        with pytest.raises(NotFound):
            archive.facet_values(POLICE, name)


# --- over HTTP ---------------------------------------------------------------------------------------


def test_each_facet_offers_its_full_list_keeping_the_search(client, archive):
    html = client.get("/?q=police&sort=newest&year=2020").get_data(as_text=True)
    distinct = archive.search(SearchRequest(q="police", sort="newest", year=2020)).facets["company"].distinct
    link = re.search(r'<p class="facet-more"><a href="([^"]+)">Show all ([\d,]+) companies</a>', html)
    assert link and int(link.group(2).replace(",", "")) == distinct
    url = urlsplit(unescape(link.group(1)))
    assert url.path == "/facet/company"
    assert parse_qs(url.query) == {"q": ["police"], "sort": ["newest"], "year": ["2020"]}
    # a facet that shows all its values offers no list
    assert "Show all" not in client.get("/?q=ByteDance").get_data(as_text=True)
    assert (client.get("/api/search?q=police").get_json()["facet_distinct"]["company"]
            == len(every_facet_value(archive, POLICE, "company")))


def test_the_list_page_links_each_value_to_the_search_with_it_ticked(client, archive):
    response = client.get("/facet/company?q=police&sort=newest&source=Wikinews&facet_q=bur")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<title>All companies – police – News Archive</title>" in html
    assert "2 companies match <q>bur</q>" in html
    links = [url for url in hrefs(html) if urlsplit(url).path == "/" and "company=" in url]
    assert [parse_qs(urlsplit(url).query) for url in links] == [
        {"q": ["police"], "company": [name], "source": ["Wikinews"], "sort": ["newest"]}
        for name in ("Burisma Holdings", "Drexel Burnham Lambert")]
    back = unescape(re.search(r'<p class="back"><a href="([^"]+)">← Back to results for <q>police</q>', html).group(1))
    assert back == "/?q=police&source=Wikinews&sort=newest"
    # Without JavaScript the filter box is a GET form that carries the search in hidden fields.
    form = re.search(r'<form class="facet-filter" method="get" action="/facet/company".*?</form>', html, re.S).group(0)
    hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form)
    assert hidden == [("q", "police"), ("source", "Wikinews"), ("sort", "newest")]
    assert 'name="facet_q"' in form and 'value="bur"' in form and 'hx-get="/facet/company"' in form


def test_a_ticked_value_links_to_the_search_without_it(client):
    html = client.get("/facet/company?q=police&company=Twitter&company=CNN").get_data(as_text=True)
    item = re.search(r'<li class="selected"><a href="([^"]+)">.*?Twitter', html, re.S)
    assert item and parse_qs(urlsplit(unescape(item.group(1))).query) == {"q": ["police"], "company": ["CNN"]}
    assert "Ticked: Twitter, CNN" in html


def test_typing_in_the_filter_box_swaps_the_list_alone(client):
    response = client.get("/facet/company?q=police&facet_q=new+york&facet_offset=0", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith('<div id="facet-list"')
    assert "<html" not in html and "The New York Times" in html
    assert response.headers["HX-Replace-Url"] == "/facet/company?q=police&facet_q=new+york"
    assert "HX-Request" in response.headers["Vary"]


def test_paging_with_previous_and_next(client, archive):
    total = len(every_facet_value(archive, POLICE, "company"))
    html = client.get("/facet/company?q=police&facet_limit=10&facet_offset=10").get_data(as_text=True)
    assert f"{total} companies" in html and "showing 11–20" in html
    pager = dict(re.findall(r'<a href="([^"]+)" rel="(prev|next)"', html))
    assert {rel: unescape(url) for url, rel in pager.items()} == {
        "prev": "/facet/company?q=police&facet_limit=10",
        "next": "/facet/company?q=police&facet_offset=20&facet_limit=10"}
    last = client.get(f"/facet/company?q=police&facet_limit=10&facet_offset={total - 1}").get_data(as_text=True)
    assert 'rel="next"' not in last and 'rel="prev"' in last
    past = client.get("/facet/company?q=police&facet_offset=5000").get_data(as_text=True)
    assert "past the end" in past and 'href="/facet/company?q=police">First page</a>' in past


@pytest.mark.parametrize("query, message", [
    ("facet_limit=0", "'facet_limit' must be between 1 and 200, not 0"),
    ("facet_limit=201", "'facet_limit' must be between 1 and 200, not 201"),
    ("facet_offset=-1", "'facet_offset' must be a whole number, not '-1'"),
    ("facet_offset=lots", "'facet_offset' must be a whole number, not 'lots'"),
    ("facet_q=" + "x" * 201, "'facet_q' is longer than 200 characters"),
    ("facet_q=a&facet_q=b", "'facet_q' can be given only once"),
    ("page=0", "'page' must be between 1 and 10,000, not 0"),
    ("q=t*", "at least 2"),
])
def test_bad_parameters_are_a_400_that_says_why(client, query, message):
    api = client.get(f"/api/facet/company?q=police&{query}" if not query.startswith("q=")
                     else f"/api/facet/company?{query}")
    assert api.status_code == 400 and message in api.get_json()["error"]["message"]
    page = client.get(f"/facet/company?{query}")
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert unescape(re.search(r'<span class="error-message">(.*?)</span>', html).group(1)).find(message) >= 0
    assert 'id="facet-q"' in html  # the page stays, with its box


def test_an_unknown_facet_is_a_404_that_says_so(client):
    for url in ("/facet/date", "/facet/%3Cscript%3E", "/embed/facet/nope", "/api/facet/year"):
        response = client.get(url)
        assert response.status_code == 404, url
        text = response.get_json()["error"]["message"] if url.startswith("/api/") else response.get_data(as_text=True)
        assert "the facets with a list of values are company, source, section" in text, url
        assert "<script>" not in text


def test_the_json_list(client, archive):
    body = client.get("/api/facet/company?q=police&company=Twitter&facet_q=t&facet_limit=3&facet_offset=1").get_json()
    expected = archive.facet_values(SearchRequest(q="police", companies=("Twitter",)), "company", "t", 1, 3)
    assert body == {"query": "police", **expected.to_json()}
    assert list(body) == ["query", "facet", "contains", "total", "distinct", "offset", "limit", "has_more", "values",
                          "partial"]
    assert body["limit"] == 3 and body["offset"] == 1 and len(body["values"]) == 3 and body["has_more"]
    assert all(set(v) == {"value", "count", "selected"} for v in body["values"])
    assert client.get("/api/facet/source?q=police").get_json()["values"] == [
        {"value": "Wikinews", "count": 56, "selected": False}]


def test_the_embedded_list_stays_in_the_frame(client):
    html = client.get("/embed/facet/company?q=police&theme=dark&facet_limit=5&facet_offset=5").get_data(as_text=True)
    assert 'data-theme="dark"' in html and "site-header" not in html
    urls = hrefs(html) + re.findall(r'(?:action|hx-get)="([^"]+)"', html)
    own = [url for url in urls if not url.startswith(("#", "https://")) and "/static/" not in url]
    assert len(own) >= 8
    for url in own:
        assert urlsplit(url).path.startswith("/embed"), url
        if urlsplit(url).query:
            assert parse_qs(urlsplit(url).query)["theme"] == ["dark"], url
    assert '<input type="hidden" name="theme" value="dark">' in html
    results = client.get("/embed?q=police&theme=dark").get_data(as_text=True)
    assert 'href="/embed/facet/company?q=police&amp;theme=dark">Show all' in results
    # a bad theme is a 400 that keeps the page and says why, as /embed does (HTML even to a JSON client)
    for headers in ({}, {"Accept": "application/json"}):
        bad = client.get("/embed/facet/company?q=police&theme=neon", headers=headers)
        assert bad.status_code == 400 and bad.mimetype == "text/html"
        assert "&#39;theme&#39; must be one of auto, light, dark" in bad.get_data(as_text=True)


def test_on_a_host_page_the_full_list_opens_in_a_new_tab(client):
    html = client.get("/embed/fragment?q=police").get_data(as_text=True)
    assert ('<a href="http://localhost/facet/company?q=police" target="_blank" rel="noopener">Show all' in html)


def test_values_from_articles_and_the_filter_text_are_escaped(client):
    html = client.get('/facet/company?q=police&facet_q=<script>alert(1)</script>').get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
