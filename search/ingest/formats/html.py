"""Saved web pages (``.html``, ``.htm``, optionally ``.gz``): one article per page.

Interface (used by the corpus reader and the WARC reader): ``parse_html(raw, url=...)`` returns an
``ArticleDraft`` or a ``NotArticle`` giving why the page was skipped. Only text comes out.

First version: trafilatura's text and metadata as they come; issue 17 makes it go beyond the library.
"""

from __future__ import annotations

from dataclasses import dataclass

from search.article import ArticleDraft


@dataclass(frozen=True)
class NotArticle:
    """A page that yields no article, and why (a home page, an error page, no text ...)."""

    reason: str


def parse_html(raw: bytes | str, url: str = "") -> ArticleDraft | NotArticle:
    """Read one HTML page into an ArticleDraft (or say why it is not an article).

    ``url`` is where the page was fetched from (a WARC record's target URI), used when the page
    gives no canonical address.
    """
    import trafilatura

    document = trafilatura.bare_extraction(raw, url=url or None, with_metadata=True, include_comments=False)
    if document is None or not (document.text or "").strip():
        return NotArticle("no article text found")
    paragraphs = [p.strip() for p in document.text.split("\n") if p.strip()]
    return ArticleDraft(
        title=(document.title or "").strip(),
        published=document.date or None,
        paragraphs=paragraphs,
        source=document.sitename or "",
        url=document.url or url,
        byline=document.author or "",
        sections=list(document.categories or []),
    )
