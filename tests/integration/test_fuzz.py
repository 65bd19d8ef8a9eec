"""The limits of issue 5, each at and just past it, over HTTP and in the parser: a query's length and
terms, wildcards, paging, filter values and dates (a 400 just past each); a wildcard that would expand
to too many words is refused, and a fuzzy term is parsed in bounded time.

The fuzzing of the same routes with generated inputs is tests/system/test_fuzz.py; the fixtures
(``http``, ``parser_and_reader``, ``bundled_index``) are tests/integration/conftest.py's.
"""

from __future__ import annotations

import time

import pytest
from whoosh import index as whoosh_index
from whoosh import query as wq

from search.errors import BadRequest
from search.index.build import INDEX_NAME
from search.index.store import IndexStore
from search.query.parser import QueryParser
from search.request import MAX_FILTER_VALUES, MAX_QUERY_LENGTH, MAX_VALUE_LENGTH
from tests.support.strategies import TIME_BOUND, WORDS

# --- Each limit of issue 5, at and just past it ----------------------------------------------------

def _words(count: int) -> str:
    """``count`` different real words of the corpus."""
    words = sorted({w.lower() for w in WORDS if len(w) > 3 and w.isalpha()})
    assert len(words) >= count
    return " ".join(words[:count])


@pytest.mark.parametrize("params, status", [
    ({"q": "a" * MAX_QUERY_LENGTH}, 200),
    ({"q": "a" * (MAX_QUERY_LENGTH + 1)}, 400),
    ({"q": "tiktok " + " " * (MAX_QUERY_LENGTH + 10)}, 200),  # surrounding spaces do not count
    ({"q": _words(60)}, 200),
    ({"q": _words(200)}, 400),  # too many terms
    ({"q": "by*"}, 200),
    ({"q": "b*"}, 400),  # a wildcard needs 2 letters first
    ({"q": "*"}, 200),  # everything
    ({"q": "?a"}, 400),
    ({"per_page": "100"}, 200),
    ({"per_page": "101"}, 400),
    ({"per_page": "0"}, 400),
    ({"page": "100", "per_page": "100"}, 200),  # result 10,000: the deepest
    ({"page": "101", "per_page": "100"}, 400),
    ({"page": "1000"}, 200),
    ({"page": "1001"}, 400),
    ({"page": "9" * 500}, 400),
    ({"company": [f"c{i}" for i in range(MAX_FILTER_VALUES)]}, 200),
    ({"company": [f"c{i}" for i in range(MAX_FILTER_VALUES + 1)]}, 400),
    ({"source": "s" * MAX_VALUE_LENGTH}, 200),
    ({"source": "s" * (MAX_VALUE_LENGTH + 1)}, 400),
    ({"from": "0001-01-01", "to": "9999-12-31"}, 200),
    ({"from": "2021-01-02", "to": "2021-01-01"}, 400),
    ({"year": "9999", "month": "12"}, 200),
    ({"year": "10000"}, 400),
])
def test_each_limit_is_a_400_just_past_it(http, params, status):
    for route in ("/api/search", "/"):
        response = http.get(route, query_string=params)
        assert response.status_code == status, (route, response.get_data()[:300])


def test_wildcard_expansion_is_limited(bundled_index):
    """A wildcard (or fuzzy term) that would expand to more words than the limit is refused, not run."""
    ix = whoosh_index.open_dir(str(IndexStore(bundled_index).current()), indexname=INDEX_NAME)
    with ix.reader() as reader:
        small = QueryParser(ix.schema, wildcard_limit=3)
        for text in ("co*", "title:co*", "co?p*", "compan~2"):
            with pytest.raises(BadRequest, match="more than 3 different words"):
                small.parse(text, reader)
        assert isinstance(QueryParser(ix.schema).parse("co*", reader).query, wq.Query)
    ix.close()


def test_fuzzy_terms_cost_bounded_time(parser_and_reader):
    parser, reader = parser_and_reader
    text = "abcdefghijkl~4"  # about 1.5 s on this machine
    started = time.perf_counter()
    try:
        parser.parse(text, reader)
    except BadRequest:
        pass  # refusing large edit distances is a fine answer
    assert time.perf_counter() - started < TIME_BOUND / 4
