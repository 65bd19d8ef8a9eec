"""The one Whoosh schema, and the mapping between Articles and index documents."""

from __future__ import annotations

from datetime import UTC, datetime

from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from search.article import Article
from search.request import VALUE_FACETS
from search.text.analysis import facet_analyzer, text_analyzer, word_analyzer, year_analyzer

# 2: PyStemmer's Snowball stems; the vocabulary is a file, not a field. 3: dateline. 4: several sections.
# 5: date_only (the source gave no time of day). A new version makes `--incremental` rebuild in full; a build
# of an older version is still served, its date-only articles shown at their made-up midnight.
SCHEMA_VERSION = 5
VALUE_SEPARATOR = "\n"  # between the values of a multi-valued field (companies, sections, captions)

# Full-text fields (shown with highlights), and every field a typed word is looked for in: the
# text, and the dateline (the year of publication), so that "pelosi speaker 2019" finds the 2019
# story that never writes "2019". How much a match in each counts (BM25F field weights at query time):
TEXT_FIELDS = ("title", "captions", "body")
SEARCHED_FIELDS = TEXT_FIELDS + ("dateline",)
FIELD_BOOSTS = {"title": 1.0, "captions": 1.5, "body": 1.0, "dateline": 1.0}
# Facets: the exact value is the facet key; the same values are also searchable as words.
FACETS = VALUE_FACETS  # company, source, section (request.py)
FACET_FIELD = {name: f"{name}_facet" for name in FACETS}


def build_schema() -> Schema:
    """Return the schema every index is built with."""
    return Schema(
        id=ID(stored=True, unique=True),
        path=ID(stored=True),
        title=TEXT(analyzer=text_analyzer(), stored=True),
        body=TEXT(analyzer=text_analyzer(), stored=True),
        captions=TEXT(analyzer=text_analyzer(), stored=True),
        dateline=TEXT(analyzer=year_analyzer()),
        credit=TEXT(analyzer=word_analyzer(), stored=True),
        company=TEXT(analyzer=word_analyzer()),
        source=TEXT(analyzer=word_analyzer()),
        section=TEXT(analyzer=word_analyzer()),
        company_facet=KEYWORD(analyzer=facet_analyzer(), stored=True),
        source_facet=KEYWORD(analyzer=facet_analyzer(), stored=True),
        section_facet=KEYWORD(analyzer=facet_analyzer(), stored=True),
        published=DATETIME(sortable=True),
        published_local=STORED(),
        year=NUMERIC(int, bits=32, sortable=True, signed=False),
        month=NUMERIC(int, bits=32, sortable=True, signed=False),  # 202107 for July 2021
        day=NUMERIC(int, bits=32, sortable=True, signed=False),  # 20210705
        byline=STORED(),
        url=STORED(),
        license=STORED(),
        line=STORED(),
        date_only=STORED(),
    )


def article_to_document(article: Article) -> dict:
    """Return the fields Whoosh indexes and stores for ``article``."""
    local = article.published
    join = VALUE_SEPARATOR.join
    document = {
        "id": article.id,
        "path": article.path,
        "title": article.title,
        "body": article.body,
        "captions": join(article.captions),
        "credit": join(article.credits),
        "company": join(article.companies),
        "source": article.source,
        "section": join(article.sections),
        "company_facet": join(article.companies),
        "source_facet": article.source,
        "section_facet": join(article.sections),
        "published_local": local.isoformat() if local else "",
        "byline": article.byline,
        "url": article.url,
        "license": article.license,
        "line": article.line,
        "date_only": article.date_only,
    }
    if local is not None:  # an undated article has no date fields: no date filter or facet matches it
        document.update(
            dateline=str(local.year),
            published=local.astimezone(UTC).replace(tzinfo=None),
            year=local.year,
            month=local.year * 100 + local.month,
            day=local.year * 10000 + local.month * 100 + local.day,
        )
    return document


def document_to_article(stored: dict) -> Article:
    """Rebuild an Article from a document's stored fields."""
    split = lambda value: [v for v in (value or "").split(VALUE_SEPARATOR) if v]  # noqa: E731
    return Article(
        id=stored["id"],
        title=stored.get("title", ""),
        published=datetime.fromisoformat(stored["published_local"]) if stored.get("published_local") else None,
        body=stored.get("body", ""),
        source=stored.get("source_facet", ""),
        sections=split(stored.get("section_facet")),
        captions=split(stored.get("captions")),
        credits=split(stored.get("credit")),
        companies=split(stored.get("company_facet")),
        byline=stored.get("byline", ""),
        url=stored.get("url", ""),
        license=stored.get("license", ""),
        path=stored.get("path", ""),
        line=stored.get("line", 0),
        date_only=bool(stored.get("date_only", False)),
    )
