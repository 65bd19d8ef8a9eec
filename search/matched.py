"""Which of a query's words an article has, field by field: what its hit says it "matched in",
and what is marked in its headline, snippet and page.

The Whoosh engine knows this from the postings of a scored query; otherwise (a page sorted by
date, the Manticore engine) the article's own fields are analysed as the index analysed them
and compared with the query's words.
"""

from __future__ import annotations

from whoosh import query as wq

from .analysis import text_terms, word_analyzer
from .article import Article

_words = word_analyzer()


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
    if field in ("source", "section"):
        return _names(getattr(article, field))
    raise KeyError(field)


def matched_terms(article: Article, wanted: dict[str, set[str]]) -> dict[str, set[str]]:
    """Per field, which of the query's words (``wanted``) the article has."""
    found: dict[str, set[str]] = {}
    for field, looked_for in wanted.items():
        if looked_for:
            present = looked_for & set(field_terms(article, field))
            if present:
                found[field] = present
    return found


def _stemmed(text: str) -> list[str]:
    return [term for _, _, term in text_terms(text)]


def _names(text: str) -> list[str]:
    return [token.text for token in _words(text)]
