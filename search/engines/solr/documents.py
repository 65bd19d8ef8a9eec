"""One article as the Solr document the loader sends (the fields of ``fields.py``, the contract with the engine).

The full-text fields are the product's own analysed terms (``matched.field_terms``: the terms the Whoosh
index holds, in order, stop words gone), so both engines match the same articles; the stored fields of the
Whoosh schema travel whole as JSON (``stored_stored``), from which ``schema.document_to_article`` rebuilds
the ``Article`` for hits, snippets, the article page and the CSV export.

A document is encoded once, without its number (``docnum_l``), with the checksum of its content
(``checksum_s``): an incremental load compares checksums with what the collection holds and sends only
the articles whose document changed, and the number is put in front when the document is sent
(``numbered``), so that a document renumbered alone needs no new encoding.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC

from search.article import Article
from search.engines.solr import fields
from search.index.schema import article_to_document, build_schema
from search.text.matched import field_terms

# The stored fields of the Whoosh schema: what ``document_to_article`` reads back.
STORED_NAMES = tuple(sorted(name for name, field in build_schema().items() if field.stored))


@dataclass
class Encoded:
    """An article's Solr document, encoded as a JSON object without ``docnum_l``, with what the build
    keeps from it: its checksum and the number of terms of each scored field (for BM25F's average lengths)."""

    id: str
    checksum: str
    body: str  # '{"id": ..., ...}'
    lengths: dict[str, int]


def published_us(article: Article) -> int:
    """Microseconds since 1970 (UTC) of the publication time; 0 when undated."""
    if article.published is None:
        return 0
    return round(article.published.astimezone(UTC).timestamp() * 1_000_000)


def stored_json(article: Article) -> str:
    """The stored fields of the article's Whoosh document, as JSON (``stored_stored``)."""
    document = article_to_document(article)
    return json.dumps({name: document[name] for name in STORED_NAMES if name in document},
                      ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def solr_document(article: Article) -> tuple[dict, dict[str, int]]:
    """The article's Solr document without ``docnum_l`` and ``checksum_s``, and its scored fields' term counts."""
    document: dict = {fields.ID: article.id}
    lengths = {}
    for name in fields.TEXT_FIELDS:
        terms = field_terms(article, name)
        document[fields.text_field(name)] = " ".join(terms)
        if name in fields.SCORED_FIELDS:
            lengths[name] = len(terms)
            document[fields.length_field(name)] = fields.quantised_length(len(terms))
    # Facet values as Whoosh's facet fields hold them: each value once, empty ones left out.
    companies = [name for name in dict.fromkeys(article.companies) if name]
    sections = [name for name in dict.fromkeys(article.sections) if name]
    if companies:
        document[fields.FACET_FIELDS["company"]] = companies
    if article.source:
        document[fields.FACET_FIELDS["source"]] = article.source
    if sections:
        document[fields.FACET_FIELDS["section"]] = sections
    published = article.published
    document[fields.YEAR] = published.year if published else 0
    document[fields.MONTH] = published.year * 100 + published.month if published else 0
    document[fields.DAY] = published.year * 10000 + published.month * 100 + published.day if published else 0
    document[fields.PUBLISHED] = published_us(article)
    document[fields.UNDATED] = published is None
    document[fields.STORED] = stored_json(article)
    return document, lengths


def encode(article: Article) -> Encoded:
    """The article's document, encoded, with its checksum (of everything sent but the document number)."""
    document, lengths = solr_document(article)
    text = json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    checksum = hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()
    body = f'{{"{fields.CHECKSUM}":"{checksum}",{text[1:]}'
    return Encoded(article.id, checksum, body, lengths)


def numbered(body: str, docnum: int) -> str:
    """An encoded document with its number (``docnum_l``) put in."""
    return f'{{"{fields.DOCNUM}":{int(docnum)},{body[1:]}'
