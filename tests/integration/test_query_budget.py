"""The query's cost budget (docs/searching.md "Limits"), decided before matching, and the deadline of a search
(search/deadline.py): over budget is a 400 that says what to change; past the deadline a 503."""

from __future__ import annotations

import random

import pytest
from whoosh import query as wq

from search.query import parser as query_parser
from search.text import matched


@pytest.mark.parametrize("q", ["1987~2", "a1b2~2", "year:1987~1"])
def test_fuzzy_matching_of_digits_is_refused_with_advice(client, q):
    response = client.get("/api/search", query_string={"q": q})
    assert response.status_code == 400
    assert "fuzzy matching (~) is for words of letters" in response.get_json()["error"]["message"]


def test_a_phrase_of_more_than_32_words_is_refused(client):
    response = client.get("/api/search", query_string={"q": '"' + " ".join(["police"] * 33) + '"'})
    assert response.status_code == 400 and "at most 32 words in quotes" in response.get_json()["error"]["message"]
    assert client.get("/api/search", query_string={"q": '"' + " ".join(["police"] * 32) + '"'}).status_code == 200


def test_a_phrase_with_a_repeated_word_matches_what_whoosh_matches(archive):
    """The numpy phrase matcher reads a repeated word's positions once: the same articles as Whoosh's own
    phrase matching, for repeats with and without words between."""
    with archive._using() as build:
        searcher = build.searcher()
        for q in ('"police police"~5', '"fire fire fire"~20', '"police said police"~10'):
            parsed = build.parse(q)
            ours = set(build.scorer.evaluate(parsed.query, searcher.reader()).ids.tolist())
            theirs = {docnum for docnum in parsed.query.docs(searcher) if build.facets.live[docnum]}
            assert ours == theirs, q


def test_too_many_expanded_words_are_refused(client, monkeypatch):
    monkeypatch.setattr(query_parser, "MAX_QUERY_TERMS", 40)
    response = client.get("/api/search", query_string={"q": "po* fi*", "match": "any"})
    assert response.status_code == 400
    message = response.get_json()["error"]["message"]
    assert "once its wildcards and fuzzy words are expanded (at most 40)" in message


def test_too_many_names_are_refused(client, monkeypatch):
    monkeypatch.setattr(query_parser, "MAX_NAME_TERMS", 2)
    response = client.get("/api/search", query_string={"q": "company:ba*"})
    assert response.status_code == 400 and "names in company:" in response.get_json()["error"]["message"]


def test_wildcards_on_numbers_and_names_are_answered_by_the_numpy_scorer(archive, parser_and_reader):
    """Expanded against the index's own words into plain words: the same articles as Whoosh's own matching."""
    parser, reader = parser_and_reader
    for text, field in (("body:19*", "body"), ("company:ba*", "company")):
        parsed = parser.parse(text, reader)
        assert not [leaf for leaf in parsed.query.leaves() if isinstance(leaf, wq.MultiTerm)], text
        ours = set(wq.Or([leaf for leaf in parsed.query.leaves()]).docs(archive_searcher(archive)))
        theirs = set(wq.Prefix(field, text.split(":")[1].rstrip("*")).docs(archive_searcher(archive)))
        assert ours == theirs and ours, text


def archive_searcher(archive):
    with archive._using() as build:
        return build.searcher()


def test_a_search_past_its_deadline_is_a_503_that_says_what_to_narrow(client):
    archive = client.application.extensions["archive"]
    archive.timeout, before = 1e-9, archive.timeout
    try:
        as_json = client.get("/api/search", query_string={"q": "police fire"})
        page = client.get("/", query_string={"q": "police fire"})
        csv = client.get("/search.csv", query_string={"q": "police fire"})
    finally:
        archive.timeout = before
    assert as_json.status_code == 503 and "took too long" in as_json.get_json()["error"]["message"]
    assert page.status_code == 503 and "Narrow it" in page.get_data(as_text=True)
    assert csv.status_code == 503 and "took too long" in csv.get_data(as_text=True)
    assert client.get("/api/search", query_string={"q": "police fire"}).status_code == 200


def test_many_words_are_found_in_the_text_as_the_index_analysed_it(bundled_articles):
    """matched_terms analyses a field once past FEW_TERMS words: the same words as looking for each one."""
    rng = random.Random(16)
    vocabulary = sorted({t for a in bundled_articles for t in matched.field_terms(a, "body")})
    for article in bundled_articles:
        wanted = set(rng.sample(vocabulary, 30)) | set(matched.field_terms(article, "body")[:20])
        assert len(wanted) > matched.FEW_TERMS
        for field in ("title", "body", "captions"):
            text = matched._FIELD_TEXT[field](article).lower()
            looked_for_one_by_one = {t for t in wanted if matched.has_term(text, t)}
            assert matched.matched_terms(article, {field: wanted}).get(field, set()) == looked_for_one_by_one
