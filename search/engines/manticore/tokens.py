"""The product's own analysed terms, written so that searchd indexes them exactly as they are.

Both engines must find the same articles for the same query. Sphinx 2.2's ``stem_en`` is the
first Porter stemmer and its tokenizer knows only the characters its ``charset_table`` lists,
while the product stems with Snowball English and keeps letters of every script. So searchd does
no analysis of its own here: each field is sent as the terms Whoosh indexes for it (``analysis.py``:
the same tokens, stop words and stems), separated by spaces, and a query is sent as the terms
the product's parser produced (``translate.py``).

A term of plain ``[0-9a-z]`` is sent as it is ("compani"). Anything else ("état", "u.s", "公司",
a term past searchd's word length) is encoded as ``_`` followed by the hex of its UTF-8 bytes,
or ``_h`` and a 64-bit hash when that would be too long; neither form can be a plain term, and
``charset_table = 0..9, a..z, _`` keeps each one whole.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC

from search.article import Article
from search.text.matched import field_terms

MAX_TERM = 40  # searchd truncates words past 42 bytes
EVERYTHING = "_all"  # the marker word of the "live" field, in every document ("l" is not a hex digit)
_PLAIN = re.compile(r"[0-9a-z]+")


def encode(term: str) -> str:
    """Return the word searchd indexes for one analysed term."""
    if len(term) <= MAX_TERM and _PLAIN.fullmatch(term):
        return term
    encoded = "_" + term.encode("utf-8").hex()
    if len(encoded) <= MAX_TERM:
        return encoded
    return "_h" + hashlib.blake2b(term.encode("utf-8"), digest_size=8).hexdigest()


FIELDS = ("title", "captions", "body", "dateline", "company", "source", "section", "credit")


def field_texts(article: Article) -> dict[str, str]:
    """Return each full-text field of ``article`` as searchd should index it: its terms, encoded."""
    texts = {name: " ".join(encode(term) for term in field_terms(article, name)) for name in FIELDS}
    texts["live"] = EVERYTHING
    return texts


def value_id(value: str) -> int:
    """A facet value's number (companies, sources, sections): a 63-bit hash of the exact value, never 0."""
    return int.from_bytes(hashlib.blake2b(value.encode("utf-8"), digest_size=8).digest(), "big") >> 1 or 1


def document_id(article_id: str) -> int:
    """An article's document id in searchd: a 63-bit hash of its id, the same in every build and node."""
    return value_id("article:" + article_id)


def published_us(article: Article) -> int:
    """Microseconds since 1970 (UTC) of the publication time; 0 when undated."""
    if article.published is None:
        return 0
    moment = article.published.astimezone(UTC)
    return round(moment.timestamp() * 1_000_000)
