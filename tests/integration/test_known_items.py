"""Known-item search quality: each story of tests/known_items.toml must rank in the top 3 for its query.

The queries were written from memory of the stories (see the header of the TOML file), so these
tests measure the ranking; a failure is a ranking problem, not a reason to edit the query.
The file itself (enough items, real and unique ids, distinct queries, no query lifted verbatim from
its article) is checked by tests/unit/test_known_items.py.
"""

from __future__ import annotations

import re

import pytest

from search.request import SearchRequest
from tests.support.known_items import ITEMS, TOP

DIAGNOSTIC_DEPTH = 100  # how deep to look for the article's rank when it is not in the top 3
MAX_LISTED = 10  # hits listed above a missed article in the failure message


# --- the ranking ---------------------------------------------------------------------------

def rank_of(archive, query: str, article_id: str) -> tuple[int | None, int, list[str]]:
    """Return (1-based rank or None, total, the hits above it) for a failure message."""
    request = SearchRequest.from_params({"q": [query], "per_page": [str(DIAGNOSTIC_DEPTH)]})
    results = archive.search(request, facets=False, snippets=False, did_you_mean=False)
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
