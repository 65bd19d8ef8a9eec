"""The Article record: what every parser produces and what the indexer stores."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass
class Article:
    """One news article, parsed and enriched, ready to be indexed."""

    id: str
    title: str
    published: datetime | None  # timezone-aware, in the publication's own time zone; None: undated
    body: str
    source: str = "Unknown"
    sections: list[str] = field(default_factory=list)  # section or category values, one facet value each
    captions: list[str] = field(default_factory=list)
    credits: list[str] = field(default_factory=list)
    companies: list[str] = field(default_factory=list)
    byline: str = ""
    url: str = ""
    license: str = ""  # terms the article is shown under, e.g. "CC BY 2.5" for Wikinews
    path: str = ""  # corpus file it came from, relative to the corpus folder
    line: int = 0  # line within that file (JSON Lines), 0 for whole-file formats
    date_only: bool = False  # the source gave the day but no time: ``published`` is its midnight, made up

    def __post_init__(self) -> None:
        if self.published is not None and (self.published.tzinfo is None or self.published.utcoffset() is None):
            raise ValueError("published must be timezone-aware")

    @property
    def paragraphs(self) -> list[str]:
        """Return the body split into its paragraphs."""
        return [p for p in self.body.split("\n\n") if p.strip()]


@dataclass
class ArticleDraft:
    """What a parser read from one file or record, before dates, sources and companies are resolved."""

    title: str = ""
    published: object = None  # raw: a string as written, or a date
    paragraphs: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    credits: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    source: str = ""
    url: str = ""
    byline: str = ""
    license: str = ""
    companies: list[str] = field(default_factory=list)
    key: str = ""  # the article's own id in its source, if it has one
    line: int = 0
    language: str = ""  # BCP 47 tag the page gives ("en", "pt-BR"); not indexed yet


_SLUG_DROP = re.compile(r"[^a-z0-9]+")


def ascii_slug(text: str, max_length: int = 60) -> str:
    """Return a lowercase ASCII slug of ``text`` (letters, digits and dashes): article ids and download file names.
    Company pages use another rule (``companies`` ``company_slug``: Unicode kept, as their URLs have always been)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _SLUG_DROP.sub("-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-")


def make_article_id(key: str, readable: str = "") -> str:
    """Return a stable, URL-safe id: a slug for people plus a hash of ``key`` for uniqueness.

    ``key`` is whatever identifies the article in its source (its own id, its URL, or its
    corpus path), so re-indexing the same corpus gives the same ids and links keep working. The hash
    depends on the key alone: when a corrected headline changes the slug, a link with the old id is
    redirected by its hash (``key_hash``) to the new one.
    """
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:8]
    slug = ascii_slug(readable or key, 60)
    return f"{slug}-{digest}" if slug else digest


_KEY_HASH = re.compile(r"(?:^|-)([0-9a-f]{8})$")


def key_hash(article_id: str) -> str:
    """The hash of the key in an id ``make_article_id`` made ("" for another id): the part that stays when
    the headline, and so the slug, changes."""
    found = _KEY_HASH.search(article_id)
    return found.group(1) if found else ""


def iso_published(when: datetime | None, date_only: bool) -> str:
    """A publication date as JSON and CSV give it: "2021-07-05T17:08:00+08:00", the day alone
    ("2019-01-04") when the source gave no time, "" when undated."""
    if when is None:
        return ""
    return when.date().isoformat() if date_only else when.isoformat()


def day_label(day: date) -> str:
    """A day as a reader writes it: '1 May 2020'."""
    return f"{day.day} {day:%B %Y}"


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def month_label(yyyymm: int) -> str:
    """A month (YYYYMM) as a reader writes it: 'July 2021'."""
    return f"{_MONTHS[yyyymm % 100 - 1]} {yyyymm // 100}"
