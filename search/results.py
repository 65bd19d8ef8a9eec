"""What a search answers, whatever engine answers it: hits, result pages, facet values, article views,
company profiles and the credits of a build.

These are the nouns the web layer shows and the JSON API writes. Engines fill them in through the one
search flow (``engines/flow.py``); nothing here knows Whoosh, numpy or an engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from search.article import Article, iso_published
from search.request import SearchRequest

if TYPE_CHECKING:
    from search.companies.gazetteer import Succession

FACET_LIMIT = 12  # values a facet shows beside the results (its full list: /facet/<name>)
PARTIAL = "Part of the archive did not answer (a search node is down): these results may be incomplete."


@dataclass
class Hit:
    """One search result, ready to show."""

    id: str
    title: str
    title_html: str  # escaped, with matches marked
    url: str
    published: datetime | None
    sections: list[str]
    source: str
    companies: list[str]
    credits: list[str]
    snippet: str  # escaped, with matches marked
    matched_in: list[str]
    score: float | None
    byline: str = ""
    date_only: bool = False  # the source gave no time of day (Article.date_only)
    group: str | None = None  # near-duplicate group: the article id of its first version (index/nearduplicates.py)
    similar: list[Hit] = field(default_factory=list)  # hits of this page folded under this one: its group
    position: int = 0  # rank among all the results, from 1 (folded hits keep theirs)

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "url": self.url,
            "published": iso_published(self.published, self.date_only) or None,
            "section": ", ".join(self.sections),  # the values as one text, as before there could be several
            "sections": self.sections,
            "source": self.source,
            "companies": self.companies,
            "credits": self.credits,
            "snippet": self.snippet,
            "matched_in": self.matched_in,
            "score": self.score,
            "group": self.group,
            "similar": [hit.to_json() for hit in self.similar],
        }


@dataclass
class FacetValue:
    """One line of a facet: a value, how many matching articles have it, and whether it is selected."""

    value: str
    count: int
    selected: bool = False
    label: str = ""  # what to show, where it differs from the value ("July 2021" for "2021-07")

    def to_json(self) -> dict:
        return {"value": self.value, "count": self.count, "selected": self.selected}


class FacetValues(list):
    """The values a value facet (company, source, section) shows beside the results: its top values (a
    list of FacetValue, selected ones always included), carrying ``distinct``, the number of distinct
    values it has for this search (counted as the facet counts: every value with a match, and every
    selected one), so that the facet can offer "Show all 2,714 companies"."""

    def __init__(self, values=(), distinct: int = 0):
        super().__init__(values)
        self.distinct = distinct


@dataclass(frozen=True)
class PeriodTotals:
    """How many live, dated articles the whole archive holds per year and per month (YYYYMM).

    The denominators of the timeline's share mode: what share of a year's articles match.
    """

    years: dict[int, int]
    months: dict[int, int]


class DateValues(list):
    """The date facet's values (a list of FacetValue: years newest first, the months of a chosen year
    under it), carrying the archive's ``PeriodTotals`` so that the timeline can show each period's
    matches as a share of all its articles."""

    def __init__(self, values=(), totals: PeriodTotals | None = None):
        super().__init__(values)
        self.totals = totals


@dataclass
class FacetPage:
    """One page of a facet's full list of values (``facet_values`` of either engine): the values whose
    label contains ``contains`` (case ignored), most articles first, then by label.

    ``total``: how many distinct values match ``contains``; ``distinct``: how many the facet has for this
    search whatever ``contains`` says. Counts are the facet's: its own selection does not narrow them,
    the query and the other facets' selections do."""

    facet: str
    values: list[FacetValue]
    total: int
    distinct: int
    offset: int
    limit: int
    contains: str = ""
    partial: str = ""  # why part of the archive did not answer; "" when all of it did

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.values) < self.total

    def to_json(self) -> dict:
        return {
            "facet": self.facet,
            "contains": self.contains,
            "total": self.total,
            "distinct": self.distinct,
            "offset": self.offset,
            "limit": self.limit,
            "has_more": self.has_more,
            "values": [value.to_json() for value in self.values],
            "partial": bool(self.partial),
        }


@dataclass
class SearchResults:
    """The answer to a SearchRequest."""

    request: SearchRequest
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    suggestion: str = ""  # "did you mean": the query with its unknown words corrected
    took_ms: float = 0.0
    notice: str = ""
    match: str = "all"  # "any" when the words were OR-ed: asked for, or no article had them all
    several_words: bool = False  # the query requires several words when "all" of them are asked for
    partial: str = ""  # why part of the archive did not answer (a search node down); "" when all of it did

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.request.per_page))

    @property
    def first(self) -> int:
        return (self.request.page - 1) * self.request.per_page + 1 if self.hits else 0

    @property
    def last(self) -> int:
        shown = sum(1 + len(hit.similar) for hit in self.hits)  # folded near-duplicates are on the page too
        return self.first + shown - 1 if self.hits else 0

    def to_json(self) -> dict:
        return {
            "query": self.request.q,
            "total": self.total,
            "page": self.request.page,
            "per_page": self.request.per_page,
            "hits": [hit.to_json() for hit in self.hits],
            "facets": {
                name: [value.to_json() for value in values]
                for name, values in self.facets.items()
            },
            # How many distinct values each value facet has for this search (its full list: /api/facet/<name>).
            "facet_distinct": {name: values.distinct for name, values in self.facets.items()
                               if hasattr(values, "distinct")},
            "suggestion": self.suggestion or None,
            "notice": self.notice or None,
            "match": self.match,
            "partial": bool(self.partial),
            "took_ms": round(self.took_ms, 2),
        }


@dataclass
class ArticleView:
    """A whole article, with the query's words marked where it was reached from a search."""

    article: Article
    title_html: str
    paragraphs_html: list[str]
    captions_html: list[str] = field(default_factory=list)
    related: list[Hit] = field(default_factory=list)  # related articles, best first


@dataclass
class CompanyProfile:
    """A company as a first-class object: what the archive knows about one company (its page)."""

    name: str
    slug: str
    aliases: list[str] = field(default_factory=list)
    tickers: list[str] = field(default_factory=list)
    articles: int = 0  # live articles naming it
    undated: int = 0
    by_year: list[tuple[int, int]] = field(default_factory=list)  # every year from the first to the last
    co_mentioned: list[tuple[str, int]] = field(default_factory=list)  # most often named in the same articles
    sources: list[tuple[str, int]] = field(default_factory=list)
    predecessors: list[Succession] = field(default_factory=list)  # "Exxon" and "Mobil" for ExxonMobil
    successors: list[Succession] = field(default_factory=list)  # "ExxonMobil" for Exxon


@dataclass(frozen=True)
class Credit:
    """A source of the articles in a build, with the licence they give ("" for none): what the pages credit."""

    source: str
    license: str
    articles: int
    site: str = ""  # the origin of its articles' links ("https://en.wikinews.org/"), "" if they have none
