"""Hostile article text in the Atom feed, the CSV export, the suggestions and the OpenSearch description
(issue 7): it stays text. The hostile corpus and its checks are tests/support/hostile.py's, its fixture
tests/system/conftest.py's (164 XSS payloads in every field of 492 articles); each XML answer is parsed
and must hold only the elements and attributes the format has, with the articles' text coming back
character for character.
"""

from __future__ import annotations

import csv
import io
import json
import os
import time
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import feedparser
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.request import SearchRequest
from tests.support.hostile import MARKER, PAYLOADS, Tree, header_problems
from tests.support.strategies import param_pairs, raw_query, without_slow_fuzzy
from web import create_app
from web.feeds import CSV_COLUMNS, csv_cell, xml_text

ATOM = "{http://www.w3.org/2005/Atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
HX = {"HX-Request": "true"}
# Every element an Atom answer may hold, with the attributes each may have.
ATOM_ELEMENTS = {
    "feed": set(), "id": set(), "title": set(), "subtitle": set(), "updated": set(), "published": set(),
    "author": set(), "name": set(), "generator": {"uri", "version"}, "entry": set(), "summary": {"type"},
    "link": {"href", "rel", "type"}, "category": {"term", "scheme", "label"},
}
ATOM_CONTAINERS = {"feed", "entry", "author"}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
FORMULA = ("=", "+", "-", "@", "\t", "\r")


def parse_xml(body: bytes, where: str) -> ET.Element:
    """Parse keeping comments and processing instructions, so that an injected one would be seen."""
    parser = ET.XMLParser(target=ET.TreeBuilder(insert_comments=True, insert_pis=True))
    parser.feed(body)
    root = parser.close()
    assert b"<!DOCTYPE" not in body and b"<!ENTITY" not in body, where
    return root


def atom_problems(root: ET.Element, where: str) -> list[str]:
    """Elements, attributes, comments or processing instructions that are not the feed's own."""
    problems = []
    for element in root.iter():
        if not isinstance(element.tag, str):  # a comment or a processing instruction
            problems.append(f"{where}: {element.tag.__name__} {element.text!r}")
            continue
        name = element.tag.removeprefix(ATOM)
        if name == element.tag or name not in ATOM_ELEMENTS:
            problems.append(f"{where}: element {element.tag}")
            continue
        allowed = ATOM_ELEMENTS[name] | ({XML_LANG} if name == "feed" else set())
        if set(element.attrib) - allowed:
            problems.append(f"{where}: <{name}> with {sorted(set(element.attrib) - allowed)}")
        if len(element) and name not in ATOM_CONTAINERS:
            problems.append(f"{where}: <{name}> holds elements {[child.tag for child in element]}")
        for attribute in ("href", "scheme"):
            value = element.get(attribute)
            if value is not None and not value.startswith(("http://localhost/", "urn:x-news-archive:",
                                                           "https://lkiesow.github.io/")):
                problems.append(f"{where}: {attribute}={value!r}")
    return problems


def snippet_pieces_problems(text: str, article, where: str) -> list[str]:
    """A summary is pieces of the article's own text (body or captions, the latter after a "Caption: "
    label), nothing put together."""
    whole = " ".join(xml_text(" ".join([article.body, *article.captions])).split())
    pieces = [" ".join(piece.split()).removesuffix("…") for piece in text.split(" … ")]
    return [f"{where}: summary piece {piece!r} is not in {article.id}" for piece in pieces
            if piece not in whole and piece.removeprefix("Caption: ") not in whole]


def test_atom_feed_keeps_hostile_articles_as_text(hostile):
    client, problems, checked = hostile.client, [], 0
    total = client.get(f"/api/search?q={MARKER}&per_page=1").get_json()["total"]
    assert total == len(hostile.every_article)
    for page in range(1, -(-total // 100) + 1):
        where = f"/search.atom?q={MARKER}&per_page=100&page={page}"
        response = client.get(where)
        assert response.status_code == 200, where
        problems += header_problems(response, where)
        root = parse_xml(response.data, where)
        problems += atom_problems(root, where)
        entries = root.findall(f"{ATOM}entry")
        for entry in entries:
            article_id = entry.findtext(f"{ATOM}id").removeprefix("http://localhost/article/")
            article = hostile.every_article.get(article_id)
            if article is None or entry.findtext(f"{ATOM}id") != f"http://localhost/article/{quote(article_id)}":
                problems.append(f"{where}: entry {entry.findtext(f'{ATOM}id')!r}")
                continue
            checked += 1
            if entry.findtext(f"{ATOM}title") != (xml_text(article.title).strip() or "(no headline)"):
                problems.append(f"{where}: title {entry.findtext(f'{ATOM}title')!r} of {article.title!r}")
            summary = entry.find(f"{ATOM}summary")
            if summary is not None:
                problems += snippet_pieces_problems(summary.text, article, where)
            terms = [c.get("term") for c in entry.findall(f"{ATOM}category")]
            expected = [xml_text(c) for c in article.companies if xml_text(c).strip()] + [xml_text(article.source)] + [
                xml_text(s) for s in article.sections if xml_text(s).strip()]
            if terms != expected:
                problems.append(f"{where}: categories {terms!r}, the article has {expected!r}")
        parsed = feedparser.parse(response.data)
        if parsed.bozo or len(parsed.entries) != len(entries):
            problems.append(f"{where}: feedparser: {parsed.get('bozo_exception')!r}, {len(parsed.entries)} entries")
    assert problems == [], "\n".join(problems[:25])
    assert checked == total
    print(f"\nhostile Atom: {checked} entries of {total} hostile articles checked")


def test_atom_feed_of_hostile_queries_and_filters(hostile):
    """Every payload as the query and as a filter: a valid feed whose title and id carry it as text, or a 400 page."""
    client, problems, feeds = hostile.client, [], 0
    for number, payload in enumerate(PAYLOADS):
        name = ("q", "company", "source", "section")[number % 4]
        where = f"/search.atom?{urlencode({name: payload})}"
        response = client.get(where)
        problems += header_problems(response, where)
        if response.status_code == 400:  # the message as text (X-Content-Type-Options: nosniff keeps it text)
            assert response.mimetype == "text/plain", (where, response.mimetype)
            assert response.get_data(as_text=True).startswith("400 Bad request: "), where
            continue
        assert response.status_code == 200, (where, response.status_code)
        feeds += 1
        root = parse_xml(response.data, where)
        problems += atom_problems(root, where)
        value = payload.strip()
        if name == "q" and not root.findtext(f"{ATOM}title").startswith(f"“{xml_text(value)}”"):
            problems.append(f"{where}: feed title {root.findtext(f'{ATOM}title')!r}")
        if parse_qs(urlsplit(root.findtext(f"{ATOM}id")).query).get(name) != [value]:
            problems.append(f"{where}: feed id {root.findtext(f'{ATOM}id')!r}")
    assert problems == [], "\n".join(problems[:25])
    assert feeds > len(PAYLOADS) // 2


def test_csv_keeps_hostile_articles_as_data(hostile):
    client = hostile.client
    response = client.get(f"/search.csv?q={MARKER}")
    assert response.status_code == 200 and header_problems(response, "csv") == []
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))
    assert tuple(rows[0]) == CSV_COLUMNS and len(rows) - 1 == len(hostile.every_article)
    problems, guarded = [], 0
    for cells in rows[1:]:
        row = dict(zip(CSV_COLUMNS, cells, strict=True))
        article = hostile.every_article[row["id"]]
        expected = {"title": article.title, "source": article.source, "sections": "; ".join(article.sections),
                    "companies": "; ".join(article.companies), "url": article.url}
        for column, value in expected.items():
            if row[column] != csv_cell(value):
                problems.append(f"{article.id}: {column} {row[column]!r}, the article has {value!r}")
            guarded += row[column] != value
        if row["article_url"] != f"http://localhost/article/{quote(article.id)}":
            problems.append(f"{article.id}: article_url {row['article_url']!r}")
        problems += [f"{article.id}: cell {cell!r} starts a formula" for cell in cells if cell.startswith(FORMULA)]
    assert problems == [], "\n".join(problems[:25])
    assert guarded > 0  # payloads starting with + or - were there, and were guarded
    for payload in PAYLOADS[::4]:  # hostile parameters: a CSV or a 400 page
        where = f"/search.csv?{urlencode({'q': payload, 'company': payload})}"
        answer = client.get(where)
        assert answer.status_code in (200, 400), where
        if answer.status_code == 200:
            assert next(csv.reader(io.StringIO(answer.data.decode("utf-8-sig")))) == list(CSV_COLUMNS)


def option_problems(html: str, expected: list[str], where: str) -> list[str]:
    """The datalist fragment is bare <option value> elements, nothing else, with the JSON's values."""
    tree = Tree(html)
    problems = [f"{where}: {e!r}" for e in tree.elements
                if e.tag != "option" or [n for n, _ in e.attrs] != ["value"] or e.parent is not None or e.text()]
    values = [e.attributes.get("value") for e in tree.elements]
    if values != expected:
        problems.append(f"{where}: options {values[:3]!r}…, JSON {expected[:3]!r}…")
    if "".join(tree.chunks).strip():
        problems.append(f"{where}: text outside the options: {''.join(tree.chunks)[:80]!r}")
    return problems


def test_suggestions_keep_hostile_headlines_and_names_as_text(hostile):
    client, problems, offered = hostile.client, [], 0
    every_article = hostile.app.extensions["archive"].iter_matches(SearchRequest())  # hostile and benign
    known = {" ".join(text.split()) for a in every_article for text in [a.title, *a.companies]}
    prefixes = [MARKER[:3], MARKER, "script", "alert", "img", "onerror", "svg", "javascript", "iframe", "body",
                "x", "a", "adw", "mark", "police", "tiktok"]
    prefixes += [payload for payload in PAYLOADS[::3]]  # the payload itself as what is typed
    for prefix in prefixes:
        query = urlencode({"q": prefix})
        response = client.get(f"/suggest?{query}")
        problems += header_problems(response, f"/suggest?{query}")
        if response.status_code == 400:
            continue
        typed, completions = response.get_json()
        if typed != prefix or not all(isinstance(c, str) for c in completions) or len(completions) > 8:
            problems.append(f"/suggest?{query}: {response.get_data(as_text=True)[:200]!r}")
            continue
        offered += len(completions)
        problems += [f"/suggest?{query}: {c!r} is no headline or company name" for c in completions
                     if c not in known]
        fragment = client.get(f"/suggest?{query}", headers=HX)
        assert fragment.status_code == 200 and fragment.mimetype == "text/html"
        problems += option_problems(fragment.get_data(as_text=True), completions, f"/suggest?{query} (htmx)")
    assert problems == [], "\n".join(problems[:25])
    assert offered > 100


@pytest.mark.parametrize("site_name", [p for p in PAYLOADS if "<" in p][:12] + ['"><x>&amp;\x01'])
def test_opensearch_and_feed_with_a_hostile_site_name(hostile, site_name):
    """The only text of the description is the site's name (configuration): it is escaped too."""
    app = create_app({"INDEX_DIR": hostile.app.config["INDEX_DIR"], "TESTING": True, "SITE_NAME": site_name})
    try:
        client = app.test_client()
        response = client.get("/opensearch.xml")
        assert response.status_code == 200 and header_problems(response, "opensearch") == []
        root = parse_xml(response.data, "opensearch")
        names = [element.tag for element in root.iter()]
        assert names == [f"{OPENSEARCH}{n}" for n in ("OpenSearchDescription", "ShortName", "Description",
                                                      "InputEncoding", "Url", "Url", "Url", "Url")] + \
            ["{http://www.mozilla.org/2006/browser/search/}SearchForm"]
        assert root.findtext(f"{OPENSEARCH}ShortName") == xml_text(site_name)[:16]
        assert {u.get("template") for u in root.findall(f"{OPENSEARCH}Url")} == {
            "http://localhost/?q={searchTerms}", "http://localhost/search.atom?q={searchTerms}",
            "http://localhost/suggest?q={searchTerms}", "http://localhost/opensearch.xml"}
        assert all(set(u.attrib) <= {"type", "method", "template", "rel"} for u in root.findall(f"{OPENSEARCH}Url"))
        feed = client.get(f"/search.atom?q={MARKER}&per_page=5")
        feed_root = parse_xml(feed.data, "atom")
        assert atom_problems(feed_root, "atom") == []
        assert feed_root.findtext(f"{ATOM}title").endswith(f" – {xml_text(site_name)}")
    finally:
        app.extensions["archive"].close()


def test_the_checks_catch_markup_that_gets_through(hostile):
    """The checks themselves: a feed and a datalist fragment with a payload put back unescaped are caught."""
    body = hostile.client.get(f"/search.atom?q={MARKER}&per_page=5").data
    assert atom_problems(parse_xml(body, "atom"), "atom") == []
    caught = 0
    for payload in ('<script xmlns="http://www.w3.org/1999/xhtml">alert(1)</script>',
                    "<entry><link href='javascript:x'/></entry>",
                    "<!-- comment -->", "<?php evil ?>", '<title type="html">x</title>'):
        broken = body.replace(b"</title>", payload.encode() + b"</title>", 1)
        caught += bool(atom_problems(parse_xml(broken, "broken"), "broken"))
    broken = body.replace(b'<category term="', b'<category onload="x" term="', 1)
    caught += bool(atom_problems(parse_xml(broken, "broken"), "broken"))
    assert caught == 6
    good = '<option value="a&lt;b"></option>\n'
    assert option_problems(good, ["a<b"], "ok") == []
    for bad in ('<option value="a"></option><script>x</script>', '<option value="a" onclick="x"></option>',
                '<option value="a"><b>x</b></option>', '<option value="a"></option>text'):
        assert option_problems(bad, ["a"], "bad"), bad


# --- Fuzzing: test_fuzz.py's generated parameters on the new routes ----------------------------

FEED_ROUTES = ["/search.atom", "/search.csv", "/suggest", "/opensearch.xml"]


@settings(max_examples=int(os.environ.get("FEED_FUZZ_EXAMPLES", "400")), deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(route=st.sampled_from(FEED_ROUTES), pairs=param_pairs, raw=st.one_of(st.none(), raw_query), htmx=st.booleans())
def test_feed_routes_answer_200_or_400_in_bounded_time(app, route, pairs, raw, htmx):
    """The bundled index, generated parameters (test_fuzz.py's): 200 with a well-formed answer, or 400; under 2 s."""
    client = app.test_client()
    query_string = without_slow_fuzzy(raw) if raw is not None else urlencode(pairs)
    started = time.perf_counter()
    response = client.get(route, query_string=query_string, headers=HX if htmx else {})
    body = response.get_data()
    assert time.perf_counter() - started < 2, (route, query_string)
    assert response.status_code in (200, 400), (route, query_string, response.status_code, body[:300])
    if response.status_code != 200:
        return
    if route in ("/search.atom", "/opensearch.xml"):
        root = parse_xml(body, route)
        if route == "/search.atom":
            assert atom_problems(root, route) == []
    elif route == "/search.csv":
        assert next(csv.reader(io.StringIO(body.decode("utf-8-sig")))) == list(CSV_COLUMNS)
    elif htmx:
        assert option_problems(body.decode(), [e.attributes["value"] for e in Tree(body.decode()).elements],
                               route) == []
    else:
        typed, completions = json.loads(body)
        assert isinstance(typed, str) and len(completions) <= 8
