"""Snippets with the query's words marked, safe to put in a page as they are.

Words are found with ``matched.term_spans`` (the index's own tokens and stems, so "companies"
marks where the query said "company"). Text is HTML-escaped piece by piece while ``<mark>`` is
inserted, and the result is then passed through nh3 (ammonia) allowing only ``<mark>`` without
attributes. So markup in an article can never come through, even when a payload is split around
a highlighted word.
"""

from __future__ import annotations

from html import escape

import nh3

from search.text.matched import term_spans

SNIPPET_CHARS = 300  # at most this much text per snippet, in at most SNIPPET_FRAGMENTS pieces
SNIPPET_CONTEXT = 70  # text kept before and after a match
SNIPPET_FRAGMENTS = 3
PLAIN_SNIPPET_CHARS = 280
ELLIPSIS = " … "
ALLOWED_TAGS = {"mark"}


def sanitize(html: str) -> str:
    """Return ``html`` with every tag but a bare ``<mark>`` removed."""
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes={}, strip_comments=True, link_rel=None)


def matches(text: str, words: set[str]) -> list[tuple[int, int, str]]:
    """Return (start, end, term) of every word of ``text`` whose term is in ``words``."""
    return term_spans(text, words)


def _marked(text: str, spans: list[tuple[int, int, str]], start: int, end: int) -> str:
    """Return text[start:end] escaped, with the spans inside it wrapped in <mark>."""
    out, position = [], start
    for span_start, span_end, _ in spans:
        if span_start < start or span_end > end:
            continue
        out.append(escape(text[position:span_start], quote=False))
        out.append("<mark>" + escape(text[span_start:span_end], quote=False) + "</mark>")
        position = span_end
    out.append(escape(text[position:end], quote=False))
    return "".join(out)


def _fragments(text: str, spans: list[tuple[int, int, str]], budget: int,
               limit: int = SNIPPET_FRAGMENTS) -> list[tuple[tuple[int, int], int, int]]:
    """Return the best ``limit`` windows of ``budget`` characters as (rank key, start, end): most
    distinct terms, then most matches, then earliest; in text order."""
    candidates = []
    i = 0
    while i < len(spans):
        j = i  # take in the following matches while they fit in the budget with some context
        while j + 1 < len(spans) and spans[j + 1][1] - spans[i][0] + SNIPPET_CONTEXT <= budget:
            j += 1
        # Centre the window on its matches, within the text.
        middle = (spans[i][0] + spans[j][1]) // 2
        start = max(0, min(middle - budget // 2, len(text) - budget))
        end = min(len(text), start + budget)
        inside = spans[i : j + 1]
        candidates.append((len({s[2] for s in inside}), len(inside), -start, start, end))
        i = j + 1
    chosen: list[tuple[tuple[int, int], int, int]] = []
    for distinct, count, _, start, end in sorted(candidates, reverse=True):
        start, end = _snap(text, start, end)
        if all(end <= other_start or start >= other_end for _, other_start, other_end in chosen):
            chosen.append(((distinct, count), start, end))  # windows never overlap (a short text: one)
        if len(chosen) == limit:
            break
    return sorted(chosen, key=lambda window: window[1])


def _snap(text: str, start: int, end: int) -> tuple[int, int]:
    """Move a window's edges to word boundaries."""
    if start > 0:
        space = text.find(" ", start, start + 20)
        start = space + 1 if space != -1 else start
    if end < len(text):
        space = text.rfind(" ", end - 20, end)
        end = space if space > start else end
    return start, end


def _matched_paragraphs(text: str, words: set[str], limit: int) -> tuple[str, list[tuple[int, int, str]]]:
    """The first ``limit`` paragraphs of ``text`` with a match, joined, and the matches in them.

    A long interview is not analysed to the end. The matches are kept, shifted to where each
    paragraph starts in the passage, rather than found again."""
    found: list[str] = []
    spans: list[tuple[int, int, str]] = []
    start = 0
    for paragraph in (text.split("\n") if text and words else []):
        in_paragraph = matches(paragraph, words)
        if in_paragraph:
            spans += [(s + start, e + start, term) for s, e, term in in_paragraph]
            found.append(paragraph)
            start += len(paragraph) + 1
            if len(found) == limit:
                break
    return "\n".join(found), spans


def snippet(text: str, words: set[str], chars: int = SNIPPET_CHARS) -> str:
    """Return the best passages of ``text`` with ``words`` (analysed terms) marked, or "" if none match."""
    return merged_snippet([("", text, words)], chars)


def merged_snippet(parts: list[tuple[str, str, set[str]]], chars: int = SNIPPET_CHARS,
                   limit: int = SNIPPET_FRAGMENTS) -> str:
    """Return up to ``limit`` passages from several texts (body, captions), the best overall, each
    text's in its order and the texts in the order given, with a label ("Caption") before a text's
    passages when it has one; "" when no text has a match."""
    found = [(label, *_matched_paragraphs(text, words, limit)) for label, text, words in parts]
    total = sum(len(spans) for _, _, spans in found)
    if not total:
        return ""
    budget = chars if total == 1 else chars // min(limit, total)
    candidates = []
    for order, (label, passage, spans) in enumerate(found):
        for key, start, end in (_fragments(passage, spans, budget, limit) if spans else []):
            html = _marked(passage, spans, start, end).replace("\n", " ")
            candidates.append((key, -order, -start, order, start, label, html))
    best = sorted(candidates, reverse=True)[:limit]
    best.sort(key=lambda c: (c[3], c[4]))
    pieces = [(f"{escape(label, quote=False)}: " if label else "") + html for *_, label, html in best]
    return sanitize(ELLIPSIS.join(pieces))


def mark_all(text: str, words: set[str]) -> str:
    """Return all of ``text``, escaped, with every occurrence of ``words`` marked."""
    if not text:
        return ""
    spans = matches(text, words) if words else []
    if not spans:
        return escape(text, quote=False)
    return sanitize(_marked(text, spans, 0, len(text)))


def plain_snippet(text: str, chars: int = PLAIN_SNIPPET_CHARS) -> str:
    """Return the opening of ``text``, escaped, cut at a word boundary."""
    text = " ".join(text.split())
    if len(text) > chars:
        text = text[:chars].rsplit(" ", 1)[0] + "…"
    return escape(text, quote=False)
