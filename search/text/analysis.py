"""Text analysis: how article text and queries become index terms.

English text is tokenised, lowercased, stripped of stop words and stemmed with the Snowball
English (Porter2) algorithm. The stemmer is PyStemmer, the Snowball project's C implementation,
instead of Whoosh's pure-Python one: the same stems (a test compares them on the bundled corpus)
at a fraction of the cost, which matters because stemming runs on every word at index time.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

import Stemmer
from whoosh.analysis import LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.lang.stopwords import stoplists

STOP_WORDS = stoplists["en"]
# The token pattern of Whoosh's LanguageAnalyzer, which text_analyzer replaced.
TOKEN_PATTERN = r"[\w\*]+(\.?[\w\*]+)*"
_TOKEN = re.compile(TOKEN_PATTERN)
_local = threading.local()  # a PyStemmer object must not be shared between threads


def stem_english(word: str) -> str:
    """Return the Snowball English stem of a lowercased word ("companies" -> "compani")."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = Stemmer.Stemmer("english")
    return stemmer.stemWord(word)


def text_analyzer():
    """Words, lowercased, English stop words removed, Snowball-stemmed."""
    return (RegexTokenizer(expression=TOKEN_PATTERN) | LowercaseFilter()
            | StopFilter(stoplist=STOP_WORDS, minsize=2)
            | StemFilter(stemfn=stem_english, ignore=None, cachesize=50_000))


@lru_cache(maxsize=100_000)
def _cached_stem(word: str) -> str:
    return stem_english(word)


def text_terms(text: str) -> list[tuple[int, int, str]]:
    """Return (start, end, term) for each word of ``text`` as ``text_analyzer`` would index it.

    The same tokens, stop words and stems, without Whoosh's token objects: highlighting calls
    this on every hit shown, where the generic analyzer chain was most of the time spent.
    """
    stops, stem = STOP_WORDS, _cached_stem
    terms = []
    for match in _TOKEN.finditer(text):
        word = match.group().lower()
        if len(word) > 1 and word not in stops:
            terms.append((match.start(), match.end(), stem(word)))
    return terms


def word_analyzer():
    """Words, lowercased, not stemmed: for names (companies, sources) and spelling suggestions."""
    return RegexTokenizer() | LowercaseFilter()


def year_analyzer():
    """Years only: the dateline field holds the year of publication, and only a year typed in a
    query is looked for there (other words would be lookups for nothing)."""
    return RegexTokenizer(r"(?<!\w)\d{4}(?!\w)")


def facet_analyzer():
    """One token per line, exactly as written: "Financial Times" stays one facet value."""
    return RegexTokenizer(r"[^\n]+")
