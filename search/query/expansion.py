"""Fuzzy words and wildcards, expanded against the words the archive really contains.

The text fields hold stems, and Whoosh stems a fuzzy word or a prefix before matching it against
them: ``bytedanse~1`` became ``bytedans~1``, one edit from nothing (ByteDance's stem is
``byted``); ``police*`` became ``polic*``, which finds "policy" and misses nothing it should not,
but ``fly*`` became ``fli*`` and missed "Flynn". Here the word as typed is compared with the
archive's unstemmed vocabulary (``spelling.Vocabulary``: every word of headlines, bodies and
captions), and the query asks for the stems of the words found, a plain OR of terms that
``scoring.py`` answers with numpy. Numbers and other words outside the vocabulary (it holds
words of letters only) keep Whoosh's own matching, on the text as typed.
"""

from __future__ import annotations

import fnmatch
import re

from whoosh import query as wq

from search.errors import BadRequest
from search.index.vocabulary import Vocabulary
from search.text.analysis import stem_english

# A word followed by ~ (fuzzy), or containing * or ? (wildcard), as typed in the search box.
_FUZZY = re.compile(r"(?<![\w\"])([^\W\d_][\w.'-]*)~(\d*)(?:/(\d+))?")
_WILDCARD = re.compile(r"(?<![\w\"])([\w.'-]*[*?][\w.'*?-]*)")


def typed_words(text: str) -> dict[str, str]:
    """Map what Whoosh makes of each fuzzy word or wildcard in ``text`` (lowercased and stemmed,
    or lowercased) back to the word as typed."""
    typed: dict[str, str] = {}
    for match in _FUZZY.finditer(text):
        word = match.group(1).lower()
        typed.setdefault(stem_english(word), word)
        typed.setdefault(word, word)
    for match in _WILDCARD.finditer(text):
        pattern = match.group(1).lower()
        head = pattern.rstrip("*")
        if head and "*" not in head and "?" not in head:  # a prefix: Whoosh stems what is before the *
            typed.setdefault(stem_english(head), head)
        typed.setdefault(pattern, pattern)
    return typed


def expand(query: wq.Query, vocabulary: Vocabulary, typed: dict[str, str], fields: tuple[str, ...],
           limit: int, numbers_only: tuple[str, ...] = ()) -> wq.Query:
    """Return ``query`` with the fuzzy words and wildcards of ``fields`` replaced by the stems of the
    vocabulary words they match (an OR, or NullQuery when none); raise BadRequest past ``limit``.
    In ``numbers_only`` fields (the year), one without a digit matches nothing."""
    if isinstance(query, (wq.FuzzyTerm, wq.Prefix, wq.Wildcard)) and query.fieldname in numbers_only:
        return query if re.search(r"\d", query.text) else wq.NullQuery
    if isinstance(query, (wq.FuzzyTerm, wq.Prefix, wq.Wildcard)) and query.fieldname in fields:
        words = _matching_words(query, vocabulary, typed)
        if words is None:
            return query
        if len(words) > limit:
            raise BadRequest(f"'{_shown(query, typed)}' matches more than {limit:,} different words; "
                             "add letters to narrow it")
        stems = sorted({stem_english(word) for word in words})
        if not stems:
            return wq.NullQuery
        return wq.Or([wq.Term(query.fieldname, stem) for stem in stems], boost=query.boost)
    if list(query.children()):  # AND, OR, NOT and the rest: the same, with their parts expanded
        return query.apply(lambda q: expand(q, vocabulary, typed, fields, limit, numbers_only)).normalize()
    return query


def _matching_words(query, vocabulary: Vocabulary, typed: dict[str, str]) -> list[str] | None:
    """The vocabulary words a node matches, or None to leave it to Whoosh (not a vocabulary word)."""
    if isinstance(query, wq.FuzzyTerm):
        word = typed.get(query.text, query.text)
        if not word.isalpha():
            return None
        return vocabulary.within(word, query.maxdist, query.prefixlength)
    if isinstance(query, wq.Prefix):
        prefix = typed.get(query.text, query.text)
        return vocabulary.starting_with(prefix) if prefix.isalpha() else None
    pattern = typed.get(query.text, query.text)
    head = re.split(r"[*?]", pattern, maxsplit=1)[0]
    if not head.isalpha() or not re.fullmatch(r"[^\W\d_*?]*[*?][^\W\d_*?]*(?:[*?][^\W\d_*?]*)*", pattern):
        return None
    compiled = re.compile(fnmatch.translate(pattern))
    return [word for word in vocabulary.starting_with(head) if compiled.match(word)]


def _shown(query, typed: dict[str, str]) -> str:
    if isinstance(query, wq.Prefix):
        return typed.get(query.text, query.text) + "*"
    return typed.get(query.text, query.text)
