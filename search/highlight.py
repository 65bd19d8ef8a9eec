"""Snippets with the query's words marked, safe to put in a page as they are.

Text is HTML-escaped piece by piece while ``<mark>`` is inserted, and the result is then passed
through nh3 (ammonia) allowing only ``<mark>`` without attributes. So markup in an article can
never come through, even when a payload is split around a highlighted word.
"""

from __future__ import annotations

from html import escape

import nh3
from whoosh import highlight as wh

SNIPPET_CHARS = 240
SNIPPET_CONTEXT = 70
SNIPPET_FRAGMENTS = 2
PLAIN_SNIPPET_CHARS = 280
ELLIPSIS = " … "
ALLOWED_TAGS = {"mark"}


class MarkFormatter(wh.Formatter):
    """Wrap matched words in ``<mark>`` and escape everything else."""

    between = ELLIPSIS

    def _text(self, text: str) -> str:
        return escape(text, quote=False)

    def format_token(self, text, token, replace=False):
        return "<mark>" + escape(wh.get_text(text, token, replace), quote=False) + "</mark>"


def sanitize(html: str) -> str:
    """Return ``html`` with every tag but a bare ``<mark>`` removed."""
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes={}, strip_comments=True, link_rel=None)


def snippet(text: str, words: set[str], analyzer, chars: int = SNIPPET_CHARS) -> str:
    """Return the best passages of ``text`` with ``words`` (analysed terms) marked, or "" if none match."""
    if not text or not words:
        return ""
    terms = frozenset(words)
    passage = _matching_paragraphs(text, terms, analyzer)
    if not passage:
        return ""
    fragmenter = wh.ContextFragmenter(maxchars=chars, surround=SNIPPET_CONTEXT)
    marked = wh.highlight(passage, terms, analyzer, fragmenter, MarkFormatter(), top=SNIPPET_FRAGMENTS)
    return sanitize(marked) if marked else ""


def _matching_paragraphs(text: str, terms: frozenset, analyzer) -> str:
    """Return the first paragraphs that contain a term, enough for the snippet.

    Highlighting re-analyses the text it is given; a long interview need not be analysed past
    its first matching paragraphs.
    """
    found: list[str] = []
    for paragraph in text.split("\n"):
        if any(token.text in terms for token in analyzer(paragraph, mode="query", removestops=False)):
            found.append(paragraph)
            if len(found) == SNIPPET_FRAGMENTS:
                break
    return "\n".join(found)


def mark_all(text: str, words: set[str], analyzer) -> str:
    """Return all of ``text``, escaped, with every occurrence of ``words`` marked."""
    if not text:
        return ""
    if words:
        marked = wh.highlight(text, frozenset(words), analyzer, wh.WholeFragmenter(charlimit=None), MarkFormatter(), top=1)
        if marked:
            return sanitize(marked)
    return escape(text, quote=False)


def plain_snippet(text: str, chars: int = PLAIN_SNIPPET_CHARS) -> str:
    """Return the opening of ``text``, escaped, cut at a word boundary."""
    text = " ".join(text.split())
    if len(text) > chars:
        text = text[:chars].rsplit(" ", 1)[0] + "…"
    return escape(text, quote=False)
