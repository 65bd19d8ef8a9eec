"""Known-item search quality: each story of tests/known_items.toml must rank in the top 3 for its query.

The queries were written from memory of the stories (see the header of the TOML file), so these
tests measure the ranking; a failure is a ranking problem, not a reason to edit the query.
The file itself is checked too: enough items, real and unique ids, distinct queries, and no
query lifted verbatim from its article's headline or body.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from search.request import SearchRequest

KNOWN_ITEMS = Path(__file__).resolve().parent / "known_items.toml"
TOP = 3
MIN_ITEMS = 30
DIAGNOSTIC_DEPTH = 100  # how deep to look for the article's rank when it is not in the top 3
MAX_LISTED = 10  # hits listed above a missed article in the failure message


def load_items() -> list[dict]:
    with open(KNOWN_ITEMS, "rb") as handle:
        return tomllib.load(handle)["item"]


ITEMS = load_items()


def normalised(text: str) -> str:
    """Lowercase, whitespace collapsed: for comparing queries with each other and with article text."""
    return re.sub(r"\s+", " ", text).strip().lower()


# --- the file itself -----------------------------------------------------------------------

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


# --- the ranking ---------------------------------------------------------------------------

def rank_of(archive, query: str, article_id: str) -> tuple[int | None, int, list[str]]:
    """Return (1-based rank or None, total, the hits above it) for a failure message."""
    request = SearchRequest.from_params({"q": [query], "per_page": [str(DIAGNOSTIC_DEPTH)]})
    results = archive.search(request, facets=False, snippets=False, suggest=False)
    ranked = [hit.id for hit in results.hits]
    rank = ranked.index(article_id) + 1 if article_id in ranked else None
    above = results.hits[: rank - 1] if rank else results.hits[:TOP]
    return rank, results.total, [f"{hit.title} [{hit.id}]" for hit in above[:MAX_LISTED]]


@pytest.mark.parametrize("item", ITEMS, ids=[re.sub(r"\W+", "-", item["query"]).strip("-") for item in ITEMS])
def test_known_item_ranks_in_top_3(archive, item):
    """Typed into the search box as is, with the default request: the story is among the first three."""
    request = SearchRequest.from_params({"q": [item["query"]]})
    results = archive.search(request)
    top = [hit.id for hit in results.hits[:TOP]]
    if item["id"] in top:
        return
    rank, total, above = rank_of(archive, item["query"], item["id"])
    if total == 0:
        where = "not found: the query matched nothing (total 0)"
    elif rank is None:
        where = f"not found: not among the {min(total, DIAGNOSTIC_DEPTH)} first of {total} results"
    else:
        where = f"rank {rank} of {total}"
    if getattr(results, "match", "all") == "any":  # the any-words fallback answered: no article had all the words
        where += " (no article has all the words; these are any-words results)"
    pytest.fail(
        f"{item['query']!r}: {item['id']} is {where}\n  story: {item['story']}\n  ranked above it:\n"
        + "\n".join(f"    {n}. {title}" for n, title in enumerate(above, 1)),
        pytrace=False,
    )
