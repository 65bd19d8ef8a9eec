"""Which of a query's words an article has, field by field: what its hit says it "matched in",
and what is marked in its headline, snippet and page.

The Whoosh engine knows this from the postings of a scored query; otherwise (a page sorted by
date, the Solr engine) the article's own fields are analysed as the index analysed them
and compared with the query's words.
"""

from __future__ import annotations

import re

from whoosh import query as wq

from search import deadline
from search.article import Article
from search.text.analysis import _TOKEN, STOP_WORDS, _cached_stem, text_terms, word_analyzer

_words = word_analyzer()
_TOKEN_CHAR = re.compile(r"[\w*]")


def query_words(q: wq.Query) -> dict[str, set[str]]:
    """Per field, the analysed words the query looks for, leaving out those only under NOT (what
    is highlighted where it is found)."""
    found: dict[str, set[str]] = {}
    if isinstance(q, wq.Not):
        return found
    if isinstance(q, wq.AndNot):
        return query_words(q.a)
    if isinstance(q, wq.Phrase):
        found.setdefault(q.fieldname, set()).update(q.words)
    elif isinstance(q, wq.Term):
        found.setdefault(q.fieldname, set()).add(q.text)
    elif not q.is_leaf():
        for child in q.children():
            for field, found_words in query_words(child).items():
                found.setdefault(field, set()).update(found_words)
    return found


def field_terms(article: Article, field: str) -> list[str]:
    """The terms the index holds for one field of ``article``, in order (``schema.py``'s analyzers:
    the text fields stemmed without stop words, names lowercased, the dateline its year)."""
    if field in ("title", "body"):
        return _stemmed(getattr(article, field))
    if field == "captions":
        return _stemmed("\n".join(article.captions))
    if field == "dateline":
        return [str(article.published.year)] if article.published else []
    if field in ("company", "credit"):
        return _names("\n".join(article.companies if field == "company" else article.credits))
    if field == "source":
        return _names(article.source)
    if field == "section":
        return _names("\n".join(article.sections))
    raise KeyError(field)


_FIELD_TEXT = {"title": lambda a: a.title, "captions": lambda a: "\n".join(a.captions), "body": lambda a: a.body}
# Snowball's English stems keep the first two letters of the word, except these exceptional forms
# ("dying" -> "die"), which keep the first.
_ONE_LETTER = {"die", "lie", "tie"}
# Up to this many words, each is looked for where it could start in the text (fast for a few words); past
# it the field's text is analysed once and its terms intersected (a wildcard's thousands of stems).
FEW_TERMS = 12


def matched_terms(article: Article, wanted: dict[str, set[str]]) -> dict[str, set[str]]:
    """Per field, which of the query's words (``wanted``) the article has."""
    found: dict[str, set[str]] = {}
    for field, looked_for in wanted.items():
        if not looked_for:
            continue
        if field in _FIELD_TEXT and len(looked_for) <= FEW_TERMS:  # look where each word could be
            text = _FIELD_TEXT[field](article).lower()
            present = {term for term in looked_for if has_term(text, term)}
        else:  # many words (expanded wildcards): analyse the text once, as the index did
            deadline.check()
            present = looked_for & set(field_terms(article, field))
        if present:
            found[field] = present
    return found


def has_term(lowered: str, term: str) -> bool:
    """Whether lowercased text has a word whose term (as ``text_terms`` makes it) is ``term``.

    Only the words starting with the term's first letters are analysed, not the whole text: the
    hits of a common word in long articles spent most of their time analysing whole bodies."""
    prefix = _prefix(term)
    start = lowered.find(prefix)
    while start >= 0:
        word = _word_at(lowered, start)
        if word is not None and _term_of(word.group()) == term:
            return True
        start = lowered.find(prefix, start + 1)
    return False


def _prefix(term: str) -> str:
    """What every word whose term is ``term`` starts with (Snowball's English stems keep the first letters)."""
    return term[:1] if term in _ONE_LETTER else term[:2]


def _word_at(lowered: str, start: int) -> re.Match | None:
    """The word starting at ``start`` as the tokenizer would cut it, or None if ``start`` is inside one."""
    before = lowered[start - 1] if start else " "
    if _TOKEN_CHAR.match(before) or (before == "." and start > 1 and _TOKEN_CHAR.match(lowered[start - 2])):
        return None
    return _TOKEN.match(lowered, start)


def _term_of(word: str) -> str | None:
    """The index term of a lowercased word, None for a stop word or a single letter."""
    return _cached_stem(word) if len(word) > 1 and word not in STOP_WORDS else None


def term_spans(text: str, terms: set[str]) -> list[tuple[int, int, str]]:
    """The (start, end, term) of ``text_terms(text)`` whose term is in ``terms``, in text order.

    For a few terms only the words starting with their first letters are analysed, as ``has_term``
    does: a long paragraph of a hit is not analysed word by word to mark two words in it. Where
    lowercasing changes the text's length (a few letters, such as "İ", become two characters), or
    for many terms, the whole text is analysed."""
    lowered = text.lower()
    if len(terms) > FEW_TERMS or len(lowered) != len(text):
        return [span for span in text_terms(text) if span[2] in terms]
    found: dict[int, tuple[int, int, str]] = {}
    for prefix in {_prefix(term) for term in terms}:
        start = lowered.find(prefix)
        while start >= 0:
            word = _word_at(lowered, start)
            if word is not None and (term := _term_of(word.group())) in terms:
                found[start] = (start, word.end(), term)
            start = lowered.find(prefix, start + 1)
    return [found[start] for start in sorted(found)]


def _stemmed(text: str) -> list[str]:
    return [term for _, _, term in text_terms(text)]


def _names(text: str) -> list[str]:
    return [token.text for token in _words(text)]
