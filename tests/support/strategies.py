"""Hypothesis strategies of what a user or a bot may send (issue 5): queries (unicode, NUL bytes, 10 kB,
unbalanced quotes and parentheses, wildcards everywhere), every request parameter with its edge cases,
repeated parameters, and raw query strings. Shared by the fuzz tests of tests/system (test_fuzz.py,
test_hostile_feeds.py) and the limits of tests/integration/test_fuzz.py.
"""

from __future__ import annotations

import json
import os
import re

from hypothesis import strategies as st

from search.query.parser import FIELD_NAMES
from search.request import MAX_FILTER_VALUES, MAX_QUERY_LENGTH, MAX_VALUE_LENGTH, SORTS
from tests.support.paths import CORPUS
from web.views import THEMES

TIME_BOUND = float(os.environ.get("FUZZ_TIME_BOUND", "2.0"))  # seconds per input: catches blowups, not slowness


def _corpus_words() -> list[str]:
    """Real words of the bundled corpus's headlines, so that many generated queries match something."""
    words: set[str] = set()
    for path in CORPUS.rglob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines()[:120]:
            words.update(w.strip(".,:;'\"()!?") for w in json.loads(line).get("title", "").split())
    words.update(["ByteDance", "TikTok", "bytedance", "tiktok", "technology", "company", "companies"])
    return sorted(w for w in words if w)


WORDS = _corpus_words()
COMPANIES = ["ByteDance", "TikTok", "BytePlus", "Financial Times", "Goat", "Boeing", "Apple", "Google"]
SOURCES = ["Global Times", "Wikinews", "Unknown"]
SECTIONS = ["Source / Companies", "Companies", "Politics"]
SYNTAX = [
    '"', "'", "(", ")", "*", "?", "~", "~1", "~2", "~99999999999", "^", "^2", "^-1", ":", "::", "-", "+", "!",
    "AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "and", "or", "not", "TO", "[", "]", "{", "}", "<", ">", "=",
    "/", "\\", "\x00", "*:*", "**", "?*", "*?*", "\u200b", "\ufeff", "\u0301", "\U0001f600", "\u202e", "ﬁ", "ǅ",
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>',
]
FIELD_PREFIXES = [f"{name}:" for name in FIELD_NAMES] + [
    "Title:", "TITLE:", "unknown:", "id:", "path:", "year:", "published:", "company_facet:", "url:",
]
LONG_UNITS = ["(", ")", '"', "a* ", "te?t ", "x ", "(a OR ", "NOT ", "-", "bytedance ", "é", "\x00", "*", "?",
              "title:", "by* OR ", '"a b', "~", "ab*c?d* "]
SEPARATORS = ["", " ", " ", " ", "  ", "\t", "\n", "\u3000"]

unicode_text = st.text(max_size=24)  # all of unicode but surrogates, NUL included
numbers = st.one_of(
    st.integers(-(10**30), 10**30).map(str),
    st.sampled_from(["9" * 100, "1e308", "-0", "0x10", "1_000", "١٢٣", "１２３", "NaN", "inf"]),
)
wildcarded = st.builds(
    lambda word, at, char: word[:at] + char + word[at:],
    st.sampled_from(WORDS), st.integers(0, 12), st.sampled_from(["*", "?", "*?", "**", "?*", "*a", "~1"]),
)
token = st.one_of(
    st.sampled_from(SYNTAX), st.sampled_from(FIELD_PREFIXES), st.sampled_from(WORDS), st.sampled_from(WORDS),
    wildcarded, unicode_text, numbers,
)
composed = st.lists(st.tuples(token, st.sampled_from(SEPARATORS)), max_size=20).map(
    lambda parts: "".join(t + s for t, s in parts)
)
# Up to 10 kB, and exactly at the query-length limit and one past it.
long_text = st.one_of(
    st.builds(lambda unit, n: (unit * n)[:10_240], st.one_of(st.sampled_from(LONG_UNITS), token),
              st.integers(1, 10_240)),
    st.sampled_from([
        "a" * MAX_QUERY_LENGTH, "a" * (MAX_QUERY_LENGTH + 1), " " * 5000 + "tiktok", "(" * 10_240, '"' * 10_239,
        "te?t " * 2000, ("a" * 30 + "* ") * 300, " ".join(WORDS)[:10_240], "\x00" * 10_240,
    ]),
)


def without_slow_fuzzy(text: str) -> str:
    """Cap fuzzy edit distances at 1 (``word~2`` .. ``word~9`` become ``word~1``), the known bug of
    test_fuzzy_terms_cost_bounded_time: Whoosh builds a Levenshtein automaton per fuzzy term before the
    expansion limit is checked, and its cost grows steeply with the distance and the word's length."""
    return re.sub(r"~([2-9])", r"~1", text)


query_text = st.one_of(composed, composed, composed, long_text, unicode_text, numbers, st.sampled_from(WORDS)).map(
    without_slow_fuzzy
)


def integer_text():
    return st.one_of(
        st.integers(0, 200).map(str),
        st.integers(-(10**12), 10**12).map(str),
        st.sampled_from([
            "", " ", "0", "-0", "+1", "+0100", "1.0", "1e3", " 7 ", "７", "١٠", "9" * 9, "9" * 10, "9" * 500,
            "0" * 20 + "1", "NaN", "inf", "0x10", "1_000", "10000", "10001", "100", "101", "\x00", "1\x00",
        ]),
        st.text(max_size=12),
    )


def filter_value(known: list[str]):
    return st.one_of(
        st.sampled_from(known), st.text(max_size=30),
        st.sampled_from(["", " ", "x" * MAX_VALUE_LENGTH, "x" * (MAX_VALUE_LENGTH + 1), "a\x00b", "\u00a0"]),
    )


month_text = st.one_of(
    st.integers(-5, 20).map(str),
    st.builds("{:04d}-{:02d}".format, st.integers(0, 9999), st.integers(0, 99)),
    st.sampled_from(["2021-7", "2021-07-01", "0000-05", "2021-", "-07", "2021/07", "２０２１-０７", "99999-01"]),
    st.text(max_size=10),
)
date_text = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.builds("{:04d}-{:02d}-{:02d}".format, st.integers(0, 9999), st.integers(0, 99), st.integers(0, 99)),
    st.sampled_from(["2021-02-29", "2020-02-29", "0000-01-01", "0001-01-01", "9999-12-31", "2021-1-1", "20210101",
                     "2021-01-01T00:00", "２０２１-０１-０１", "-2021-01-01", "+2021-01-01"]),
    st.text(max_size=12),
)
PARAM_VALUES = {
    "q": query_text,
    "company": filter_value(COMPANIES),
    "source": filter_value(SOURCES),
    "section": filter_value(SECTIONS),
    "year": st.one_of(st.integers(1990, 2030).map(str), integer_text()),
    "month": month_text,
    "from": date_text,
    "to": date_text,
    "sort": st.one_of(st.sampled_from([*SORTS, "Newest", " newest ", "relevance\x00", "date", ""]),
                      st.text(max_size=10)),
    "page": integer_text(),
    "per_page": integer_text(),
    "theme": st.one_of(st.sampled_from([*THEMES, "Dark", "", "dark\x00"]), st.text(max_size=10)),
    "match": st.one_of(st.sampled_from(["all", "any", "", "ANY", " any ", "any\x00"]), st.text(max_size=8)),
    "timeline": st.one_of(st.sampled_from(["count", "share", "", "Share", "share\x00"]), st.text(max_size=8)),
    # a facet's full list (/facet/<name>, /api/facet/<name>)
    "facet_q": st.one_of(filter_value(COMPANIES), st.text(max_size=6)),
    "facet_offset": integer_text(),
    "facet_limit": integer_text(),
}
param_pair = st.one_of(
    st.sampled_from(sorted(PARAM_VALUES)).flatmap(lambda name: st.tuples(st.just(name), PARAM_VALUES[name])),
    st.tuples(st.text(max_size=10), st.text(max_size=20)),  # unknown names
)
# Many values of one facet: around the 50-value limit.
many_values = st.builds(
    lambda name, count: [(name, f"value {i}") for i in range(count)],
    st.sampled_from(["company", "source", "section"]), st.integers(0, MAX_FILTER_VALUES + 30),
)
repeated = st.builds(lambda pair, count: [pair] * count, param_pair, st.integers(2, 5))
param_pairs = st.one_of(
    st.lists(param_pair, max_size=8),
    st.lists(param_pair, max_size=8),
    st.builds(lambda a, b: a + b, st.lists(param_pair, max_size=4), st.one_of(many_values, repeated)),
)


def as_params(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for name, value in pairs:
        params.setdefault(name, []).append(value)
    return params


# Query strings as a client might send them, not as urlencode would: bad escapes, stray '&' and '='.
raw_query = st.text(alphabet="qpagepr_yms=&%+;#?0123456789aAfFzZ-.~ \x7f\u00e9\u4e2d", max_size=60)
