"""What the SolrCloud engine keeps in Solr for each article: the fields, named once for the loader and the engine.

The product analyses text itself (``search/text/analysis.py``) and sends each full-text field as its analysed
terms, separated by spaces; the configset's ``text_ws`` type (deploy/solr/configset/schema.xml) only splits on
whitespace. So Solr holds the very terms and positions the Whoosh engine holds (stop words removed and
positions renumbered as Whoosh's StopFilter does), and the same parsed query (``query/parser.py``) finds the
same articles in both engines.

Per article (``id`` is Solr's uniqueKey, the article id):

* ``<field>_t`` for each of ``TEXT_FIELDS``: the analysed terms (``matched.field_terms``), space-separated;
* ``<field>_len_f`` for each of ``SCORED_FIELDS``: the field's length as Whoosh's BM25F reads it (its number of
  terms, quantised to one byte and back: ``quantised_length``), for the product's scores;
* ``company_ss``, ``source_s``, ``section_ss``: the facet values, exact (StrField, docValues);
* ``year_i`` (2021), ``month_i`` (202107), ``day_i`` (20210705), all 0 when undated; ``published_l``
  (microseconds since 1970, UTC; 0 when undated); ``undated_b``;
* ``docnum_l``: the article's number in the build (the order the build read it in), the tie-breaker of
  both engines and the key of near-duplicate groups;
* ``checksum_s``: a digest of everything sent but the document number (an incremental load compares it);
* ``stored_stored``: the article's stored fields as JSON (``schema.article_to_document``'s stored ones), for
  hits, snippets, the article page and the CSV export.
"""

from __future__ import annotations

from whoosh.util.numeric import byte_to_length, length_to_byte

# Full-text fields, searched with the product's parsed queries: the Whoosh schema's text fields.
TEXT_FIELDS = ("title", "captions", "body", "dateline", "company", "source", "section", "credit")
# The fields a search's words are scored in (schema.SEARCHED_FIELDS), with their lengths kept for BM25F.
SCORED_FIELDS = ("title", "captions", "body", "dateline")
FACET_FIELDS = {"company": "company_ss", "source": "source_s", "section": "section_ss"}
ID = "id"
DOCNUM = "docnum_l"
YEAR, MONTH, DAY = "year_i", "month_i", "day_i"
PUBLISHED = "published_l"
UNDATED = "undated_b"
CHECKSUM = "checksum_s"
STORED = "stored_stored"


def text_field(field: str) -> str:
    """The Solr field of a product text field ("body" -> "body_t")."""
    return f"{field}_t"


def length_field(field: str) -> str:
    """The Solr field holding a scored field's length ("body" -> "body_len_f")."""
    return f"{field}_len_f"


def quantised_length(terms: int) -> float:
    """A field length as Whoosh stores it (one byte) and its BM25F reads it back."""
    return float(byte_to_length(length_to_byte(terms)))
