"""The fixed query set: the same logical queries for every engine, with their translations.

A query is a list of terms (a word, or a phrase when it holds a space), all of which must match
(the product's default AND), optionally restricted by a company, a source and a year. Each engine
gets the same logical query in its own syntax:

- the product: ``q`` as typed in the search box (phrases in double quotes) plus ``company``,
  ``source`` and ``year`` parameters;
- SQLite FTS5 and Datasette: an FTS5 MATCH expression, every term quoted and AND'ed;
- tantivy: its query language with ``conjunction_by_default`` (every term must match).

Terms were checked against the 24k-article benchmark corpus (Reuters-21578, BBC News, Wikinews):
common and rare words, two-word ANDs, phrases, a company filter and a source + year filter.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BenchQuery:
    kind: str  # common, rare, and, phrase, company, source+year
    terms: tuple[str, ...]
    company: str = ""
    source: str = ""
    year: int | None = None

    @property
    def text(self) -> str:
        """The search-box text: words as they are, phrases in double quotes."""
        return " ".join(f'"{term}"' if " " in term else term for term in self.terms)

    @property
    def label(self) -> str:
        filters = [f"company={self.company}"] if self.company else []
        filters += [f"source={self.source}"] if self.source else []
        filters += [f"year={self.year}"] if self.year else []
        return " ".join([self.text, *(f"[{f}]" for f in filters)])

    def product_params(self) -> dict[str, list[str]]:
        """Query-string parameters for the product (SearchRequest.from_params, /, /api/search)."""
        # match=all: every word, as the peers do (no fallback to any of the words when none has them all)
        params = {"q": [self.text], "match": ["all"]}
        if self.company:
            params["company"] = [self.company]
        if self.source:
            params["source"] = [self.source]
        if self.year:
            params["year"] = [str(self.year)]
        return params

    def fts5_match(self) -> str:
        """An FTS5 MATCH expression: each term a quoted string (a phrase if several words), AND'ed."""
        return " AND ".join('"' + term.replace('"', '""') + '"' for term in self.terms)

    def tantivy_text(self) -> str:
        """tantivy query-language text; parsed with conjunction_by_default, so all terms must match."""
        return " ".join(f'"{term}"' if " " in term else term for term in self.terms)


def _q(kind: str, *terms: str, company: str = "", source: str = "", year: int | None = None) -> BenchQuery:
    return BenchQuery(kind, tuple(terms), company=company, source=source, year=year)


QUERIES: tuple[BenchQuery, ...] = (
    # Common words (hundreds to thousands of matches in 24k articles).
    _q("common", "oil"),
    _q("common", "bank"),
    _q("common", "shares"),
    _q("common", "stock"),
    _q("common", "government"),
    _q("common", "profit"),
    _q("common", "dollar"),
    _q("common", "japan"),
    _q("common", "tonnes"),
    _q("common", "dividend"),
    _q("common", "budget"),
    _q("common", "computer"),
    # Rare words (tens of matches).
    _q("rare", "zambia"),
    _q("rare", "coronavirus"),
    _q("rare", "vaccine"),
    _q("rare", "referendum"),
    _q("rare", "platinum"),
    _q("rare", "tsunami"),
    _q("rare", "broadband"),
    _q("rare", "cocoa"),
    _q("rare", "earthquake"),
    _q("rare", "opec"),
    _q("rare", "chelsea"),
    _q("rare", "microsoft"),
    # Two words, both required.
    _q("and", "oil", "prices"),
    _q("and", "bank", "loan"),
    _q("and", "wheat", "export"),
    _q("and", "trade", "surplus"),
    _q("and", "tax", "cut"),
    _q("and", "gold", "mine"),
    _q("and", "coffee", "quota"),
    _q("and", "mobile", "phone"),
    _q("and", "labour", "election"),
    _q("and", "airline", "merger"),
    # Phrases.
    _q("phrase", "interest rates"),
    _q("phrase", "trade deficit"),
    _q("phrase", "stock exchange"),
    _q("phrase", "chief executive"),
    _q("phrase", "prime minister"),
    _q("phrase", "central bank"),
    _q("phrase", "world cup"),
    _q("phrase", "mobile phones"),
    _q("phrase", "interest rates", "cut"),
    # A company filter (the Company facet ticked).
    _q("company", "software", company="Microsoft"),
    _q("company", "oil", company="Texaco"),
    _q("company", "bank", company="Citigroup"),
    _q("company", "music", company="Sony"),
    _q("company", "computer", company="IBM"),
    _q("company", "cars", company="General Motors"),
    _q("company", "mobile", company="Nokia"),
    # A source and a year (the Source facet and a year ticked).
    _q("source+year", "oil", source="Reuters", year=1987),
    _q("source+year", "interest rates", source="Reuters", year=1987),
    _q("source+year", "coffee", source="Reuters", year=1987),
    _q("source+year", "election", source="Wikinews", year=2020),
    _q("source+year", "police", source="Wikinews", year=2019),
    _q("source+year", "government", source="Wikinews", year=2020),
)

KINDS = tuple(dict.fromkeys(q.kind for q in QUERIES))
