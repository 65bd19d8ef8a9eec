"""The known-item set itself (tests/known_items.toml): enough items, real and unique ids, distinct
queries, and no query lifted verbatim from its article's headline or body. The ranking of each item
on the bundled index: tests/integration/test_known_items.py.
"""

from __future__ import annotations

from tests.support.known_items import ITEMS, normalised

MIN_ITEMS = 30


def test_enough_items():
    assert len(ITEMS) >= MIN_ITEMS


def test_every_item_has_id_query_and_story():
    for item in ITEMS:
        assert set(item) == {"id", "query", "story"}, item
        assert all(isinstance(item[key], str) and item[key].strip() for key in item), item
        assert 2 <= len(item["query"].split()) <= 5, f"query of {item['id']} is not 2-5 words: {item['query']!r}"


def test_ids_are_unique_and_in_the_bundled_corpus(bundled_articles):
    ids = [item["id"] for item in ITEMS]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    known = {article.id for article in bundled_articles}
    assert [i for i in ids if i not in known] == []


def test_queries_are_distinct():
    queries = [normalised(item["query"]) for item in ITEMS]
    assert len(queries) == len(set(queries)), sorted(q for q in queries if queries.count(q) > 1)


def test_queries_are_not_copied_from_their_article(bundled_articles):
    """A mechanical guard against copy-paste: no query appears verbatim in its headline or body."""
    by_id = {article.id: article for article in bundled_articles}
    copied = []
    for item in ITEMS:
        article = by_id.get(item["id"])
        if article is None:
            continue  # reported by test_ids_are_unique_and_in_the_bundled_corpus
        query = normalised(item["query"])
        if query in normalised(article.title) or query in normalised(article.body):
            copied.append((item["id"], item["query"]))
    assert copied == []
