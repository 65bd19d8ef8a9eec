"""Saved web pages (``.html``, ``.htm``, optionally ``.gz``): one article per page.

Interface (used by the corpus reader and the WARC reader): ``parse_html(raw, url=...)`` returns an
``ArticleDraft`` or a ``NotArticle`` giving why the page was skipped. Only text comes out: no markup,
scripts or styles, and addresses only when they are http(s).

The page is decoded (BOM, declared charset, UTF-8, else charset-normalizer's guess), parsed once with lxml,
its metadata read from its own markup (``html_metadata``), its body taken by trafilatura and cleaned of
what news pages add to it (``html_body``). Pages are untrusted: a page larger than ``MAX_PAGE_BYTES`` is
refused before it is parsed, and every failure is a ``NotArticle`` reason, never an exception.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from lxml import etree
from lxml import html as lxml_html

from search.article import ArticleDraft
from search.ingest.formats.html_body import TRAFILATURA_OPTIONS, clean_paragraphs, read_captions
from search.ingest.formats.html_metadata import ARTICLE_TYPES, LISTING_TYPES, PageFacts, element_text, read_facts
from search.text.repair import squash

# 16 MiB of HTML: the largest news page of the benchmark is 1.9 MB, and a page 4x the article limit
# (ARCHIVE_MAX_ARTICLE_BYTES, 4 MiB of text) still fits; parsing one takes about a second and ~10x its size
# in memory. Larger pages are refused unread.
MAX_PAGE_BYTES = 16 * 1024 * 1024
MIN_ARTICLE_WORDS = 30  # less body text than this is no article (a stub, a gallery, an error page)
MAX_LINK_SHARE = 0.5
MAX_LINK_CHARS = 200  # a page without article markup whose text is mostly link text is a listing
_SNIFF_BYTES = 4096
_DECLARED = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})|"""
                       rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]{2,40})""", re.IGNORECASE)
_WESTERN = {"latin-1", "iso8859-1", "cp1252", "ascii", "iso8859-15"}
_REFUSED_ENCODINGS = {"utf-7", "utf_7"}  # never what a page meant, and a known way to smuggle markup
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_ERROR_PAGE = re.compile(r"\b(?:404|410)\b|\bpage (?:not found|introuvable)\b|\bnot found\b|\berror page\b"
                         r"|\bseite nicht gefunden\b|\bpágina no encontrada\b|\bpágina não encontrada\b"
                         r"|\bno longer available\b|\baccess denied\b", re.IGNORECASE)
_LISTING_PATH = re.compile(r"^/(?:[\w-]+/)?(?:tags?|topics?|category|categories|author|authors|search|archives?|"
                           r"section|sections|label)(?:/[^/]+)?/?$", re.IGNORECASE)


@dataclass(frozen=True)
class NotArticle:
    """A page that yields no article, and why (a home page, an error page, no text ...)."""

    reason: str


def parse_html(raw: bytes | str, url: str = "", *, max_bytes: int = MAX_PAGE_BYTES) -> ArticleDraft | NotArticle:
    """Read one HTML page into an ArticleDraft (or say why it is not an article).

    ``url`` is where the page was fetched from (a WARC record's target URI), used when the page
    gives no canonical address and to tell a home page or tag page by its shape.
    """
    size = len(raw) if isinstance(raw, bytes) else len(raw)  # a character is a byte or more
    if size > max_bytes:
        return NotArticle(f"page too large: {size:,} bytes, over the limit of {max_bytes:,} for an HTML page")
    try:
        return _parse(raw, url)
    except (ValueError, TypeError, LookupError, etree.LxmlError, RecursionError, MemoryError, Warning) as exc:
        return NotArticle(f"unreadable HTML: {type(exc).__name__}: {str(exc)[:120]}")


def _parse(raw: bytes | str, url: str) -> ArticleDraft | NotArticle:
    text = decode_page(raw) if isinstance(raw, bytes) else raw
    text = _XML_DECLARATION.sub("", text.replace("\x00", ""))
    if not text.strip():
        return NotArticle("empty page")
    tree = lxml_html.document_fromstring(text)
    facts = read_facts(tree, url)
    reason = _listing_reason(tree, facts, url)
    if reason:
        return NotArticle(reason)
    captions = read_captions(tree)
    paragraphs = _body_paragraphs(tree, url, facts)
    paragraphs, captions = clean_paragraphs(paragraphs, facts.title, facts.byline, captions)
    words = sum(len(p.split()) for p in paragraphs)
    if words < MIN_ARTICLE_WORDS:
        if _ERROR_PAGE.search(facts.title or ""):
            return NotArticle(f"error page: {facts.title[:80]!r}")
        return NotArticle(f"no article text found ({words} words)")
    sections = list(facts.sections)
    if facts.title_prefix and facts.title_prefix.casefold() not in {s.casefold() for s in sections}:
        sections.append(facts.title_prefix)
    return ArticleDraft(
        title=squash(facts.title),
        published=facts.published,
        paragraphs=paragraphs,
        captions=[squash(c) for c in captions.captions],
        credits=[squash(c) for c in captions.credits],
        sections=sections,
        source=facts.site_name,
        url=facts.url,
        byline=facts.byline,
        language=facts.language,
    )


def decode_page(raw: bytes) -> str:
    """Decode a page: its BOM, else the charset it declares (when the bytes agree), else UTF-8, else
    charset-normalizer's guess, else Windows-1252. A page declaring Latin-1 that is valid UTF-8 is UTF-8
    (the usual server misconfiguration)."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            return raw.decode(encoding, errors="replace")
    declared = _declared_encoding(raw[:_SNIFF_BYTES])
    utf8 = _try_decode(raw, "utf-8")
    if declared and declared not in _REFUSED_ENCODINGS:
        if declared in _WESTERN and utf8 is not None and not raw.isascii():
            return utf8
        text = _try_decode(raw, declared)
        if text is not None:
            return text
    if utf8 is not None:
        return utf8
    from charset_normalizer import from_bytes

    guess = from_bytes(raw[:1_000_000]).best()
    if guess is not None and guess.encoding.replace("-", "_") not in _REFUSED_ENCODINGS:
        return raw.decode(guess.encoding, errors="replace")
    return raw.decode("cp1252", errors="replace")


def _declared_encoding(head: bytes) -> str:
    match = _DECLARED.search(head)
    if not match:
        return ""
    name = (match.group(1) or match.group(2)).decode("ascii", "ignore").lower()
    try:
        return codecs.lookup(name).name
    except LookupError:
        return ""


def _try_decode(raw: bytes, encoding: str) -> str | None:
    try:
        return raw.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _listing_reason(tree: lxml_html.HtmlElement, facts: PageFacts, url: str) -> str:
    """Why a page is a home page, section front, tag, search or error page ("" when it may be an article).
    Article markup (og:type article, an Article JSON-LD type) outweighs the URL's shape and link density,
    and a page that states its publication date is never skipped for its links alone."""
    is_article = facts.og_type == "article" or bool(facts.json_ld_types & ARTICLE_TYPES)
    address = facts.url or url
    parts = urlsplit(address) if address else None
    if is_article:
        return ""
    if parts is not None and parts.netloc:
        query = parse_qs(parts.query)
        if parts.path in ("", "/") and not parts.query:
            return "home page (the site's root address)"
        if {"s", "q", "query", "search"} & set(query) or "/search" in parts.path.lower():
            return "search page (by its address)"
        if _LISTING_PATH.match(parts.path):
            return "tag or section page (by its address)"
    listing_types = facts.json_ld_types & LISTING_TYPES
    if listing_types - {"website"}:
        return f"listing page (JSON-LD {sorted(listing_types - {'website'})[0]})"
    share = link_share(tree) if not facts.published else 0.0
    if share > MAX_LINK_SHARE:
        return f"mostly links ({share:.0%} of its text), no article markup: a home page or section front"
    return ""


def link_share(tree: lxml_html.HtmlElement) -> float:
    """The share of a page's visible text that is link text."""
    body = tree.find("body")
    if body is None:
        return 0.0
    total = len(element_text(body))
    if not total:
        return 0.0
    # An <a> around whole blocks (a card, the article itself on some sites) is layout, not a list of links.
    # and so is one with a long text (an unclosed <a> that swallowed the page): links are short.
    linked = 0
    for anchor in body.iter("a"):
        text = element_text(anchor)
        if len(text) <= MAX_LINK_CHARS and anchor.find(".//p") is None and anchor.find(".//div") is None:
            linked += len(text)
    return min(1.0, linked / total)


def _body_paragraphs(tree: lxml_html.HtmlElement, url: str, facts: PageFacts) -> list[str]:
    import trafilatura

    document = trafilatura.bare_extraction(tree, url=url or None, **TRAFILATURA_OPTIONS)
    text = (document.text or "") if document is not None else ""
    paragraphs = [squash(line) for line in text.split("\n")]
    paragraphs = [p for p in paragraphs if p]
    if not paragraphs and len(facts.json_ld_body.split()) >= MIN_ARTICLE_WORDS:
        paragraphs = [squash(p) for p in re.split(r"\n\s*\n|\r?\n", facts.json_ld_body) if p.strip()]
    return paragraphs
