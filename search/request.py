"""A search request: the typed, validated form of the query string (`?q=...&company=...`)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from urllib.parse import urlencode

from .errors import BadRequest

SORTS = ("relevance", "newest", "oldest")
# "all": every word of the query; "any": any of them, best matches first; not given (""): all of
# them, or any of them when no article has them all (the search box)
MATCHES = ("all", "any")
# The timeline above the results: matching articles per period ("count"), or as a share of all the
# archive's articles of that period ("share"), so that a busy news year does not look like a trend
TIMELINES = ("count", "share")
DEFAULT_PER_PAGE = 10
MAX_PER_PAGE = 100
MAX_RESULT_DEPTH = 10_000  # page * per_page: deeper paging is what filters are for
MAX_QUERY_LENGTH = 1_000
MAX_FILTER_VALUES = 50
MAX_VALUE_LENGTH = 200
# A facet's full list of values (FacetListRequest): values per page, and how deep it may go.
FACET_LIST_DEFAULT = 50
FACET_LIST_MAX = 200
FACET_LIST_MAX_OFFSET = 1_000_000
# The request attribute holding each facet's selection.
FACET_ATTRIBUTES = {"company": "companies", "source": "sources", "section": "sections"}


@dataclass(frozen=True)
class SearchRequest:
    """What the user asked for. Build it with ``from_params`` to get validation."""

    q: str = ""
    companies: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    year: int | None = None
    month: int | None = None  # 1-12, only with a year
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "relevance"
    match: str = ""
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    timeline: str = "count"

    @classmethod
    def from_params(cls, params: Mapping[str, Sequence[str]], per_page_default: int = DEFAULT_PER_PAGE) -> "SearchRequest":
        """Validate query-string parameters (each a list of values) into a request, or raise BadRequest."""
        def one(name: str) -> str:
            values = [v for v in params.get(name, []) if v != ""]
            if len(values) > 1:
                raise BadRequest(f"'{name}' can be given only once")
            return values[0].strip() if values else ""

        def many(name: str) -> tuple[str, ...]:
            values = tuple(dict.fromkeys(v.strip() for v in params.get(name, []) if v.strip()))
            if len(values) > MAX_FILTER_VALUES:
                raise BadRequest(f"at most {MAX_FILTER_VALUES} values of '{name}' at once")
            for value in values:
                _check_text(name, value, MAX_VALUE_LENGTH)
            return values

        q = one("q")
        _check_text("q", q, MAX_QUERY_LENGTH)
        sort = one("sort") or "relevance"
        if sort not in SORTS:
            raise BadRequest(f"'sort' must be one of {', '.join(SORTS)}, not {sort!r}")
        match_mode = one("match")
        if match_mode and match_mode not in MATCHES:
            raise BadRequest(f"'match' must be one of {', '.join(MATCHES)}, not {match_mode[:40]!r}")
        timeline = one("timeline") or "count"
        if timeline not in TIMELINES:
            raise BadRequest(f"'timeline' must be one of {', '.join(TIMELINES)}, not {timeline[:40]!r}")
        per_page = _integer("per_page", one("per_page"), per_page_default, 1, MAX_PER_PAGE)
        page = _integer("page", one("page"), 1, 1, MAX_RESULT_DEPTH)
        if page * per_page > MAX_RESULT_DEPTH:
            raise BadRequest(
                f"results are shown up to number {MAX_RESULT_DEPTH:,}; narrow the search with filters to see more"
            )
        year = _integer("year", one("year"), None, 1, 9999)
        month_text = one("month")
        month = None
        if month_text:
            match = re.fullmatch(r"(\d{4})-(\d{1,2})", month_text)
            if match:
                month_year = int(match.group(1))
                if month_year < 1:
                    raise BadRequest(f"'month' must name a year from 1 on, not {month_text!r}")
                if year is not None and year != month_year:
                    raise BadRequest("'month' and 'year' name different years")
                year, month = month_year, int(match.group(2))
            else:
                month = _integer("month", month_text, None, 1, 12)
                if year is None:
                    raise BadRequest("'month' needs a 'year' (or give it as YYYY-MM)")
            if not 1 <= month <= 12:
                raise BadRequest(f"'month' must be between 1 and 12, not {month}")
        date_from = _date("from", one("from"))
        date_to = _date("to", one("to"))
        if date_from and date_to and date_from > date_to:
            raise BadRequest("'from' is after 'to'")
        return cls(
            q=q,
            companies=many("company"),
            sources=many("source"),
            sections=many("section"),
            year=year,
            month=month,
            date_from=date_from,
            date_to=date_to,
            sort=sort,
            match=match_mode,
            page=page,
            per_page=per_page,
            timeline=timeline,
        )

    def selected(self, facet: str) -> tuple[str, ...]:
        """Return the values chosen in a facet ("company", "source" or "section")."""
        return getattr(self, FACET_ATTRIBUTES[facet])

    @property
    def month_key(self) -> str:
        """The selected month as "YYYY-MM", or ""."""
        return f"{self.year:04d}-{self.month:02d}" if self.year and self.month else ""

    def to_params(self, **changes) -> list[tuple[str, str]]:
        """Return this request (with ``changes``) as query-string pairs, leaving defaults out."""
        request = replace(self, **changes) if changes else self
        pairs: list[tuple[str, str]] = []
        if request.q:
            pairs.append(("q", request.q))
        for facet in FACET_ATTRIBUTES:
            pairs += [(facet, value) for value in request.selected(facet)]
        if request.year:
            pairs.append(("year", str(request.year)))
        if request.year and request.month:
            pairs.append(("month", str(request.month)))
        if request.date_from:
            pairs.append(("from", request.date_from.isoformat()))
        if request.date_to:
            pairs.append(("to", request.date_to.isoformat()))
        if request.sort != "relevance":
            pairs.append(("sort", request.sort))
        if request.match:
            pairs.append(("match", request.match))
        if request.timeline != "count":
            pairs.append(("timeline", request.timeline))
        if request.per_page != DEFAULT_PER_PAGE:
            pairs.append(("per_page", str(request.per_page)))
        if request.page != 1:
            pairs.append(("page", str(request.page)))
        return pairs

    def query_string(self, **changes) -> str:
        return urlencode(self.to_params(**changes))

    def toggled(self, facet: str, value: str) -> "SearchRequest":
        """Return the request with ``value`` added to or removed from a facet, back on page 1."""
        values = self.selected(facet)
        new = tuple(v for v in values if v != value) if value in values else values + (value,)
        return replace(self, **{FACET_ATTRIBUTES[facet]: new, "page": 1})


@dataclass(frozen=True)
class FacetListRequest:
    """A facet's full list of values for a search (``/facet/<name>``, ``/api/facet/<name>``): the search's
    parameters, and ``facet_q`` (a text the values' labels must contain), ``facet_offset``, ``facet_limit``."""

    search: SearchRequest = SearchRequest()
    facet_q: str = ""
    facet_offset: int = 0
    facet_limit: int = FACET_LIST_DEFAULT

    @classmethod
    def from_params(cls, params: Mapping[str, Sequence[str]], per_page_default: int = DEFAULT_PER_PAGE) -> "FacetListRequest":
        """Validate the query string's parameters (each a list of values), or raise BadRequest."""
        search = SearchRequest.from_params(params, per_page_default=per_page_default)

        def one(name: str) -> str:
            values = [v for v in params.get(name, []) if v != ""]
            if len(values) > 1:
                raise BadRequest(f"'{name}' can be given only once")
            return values[0].strip() if values else ""

        facet_q = " ".join(one("facet_q").split())
        _check_text("facet_q", facet_q, MAX_VALUE_LENGTH)
        offset = _integer("facet_offset", one("facet_offset"), 0, 0, FACET_LIST_MAX_OFFSET)
        limit = _integer("facet_limit", one("facet_limit"), FACET_LIST_DEFAULT, 1, FACET_LIST_MAX)
        return cls(search=search, facet_q=facet_q, facet_offset=offset, facet_limit=limit)

    def to_params(self, **changes) -> list[tuple[str, str]]:
        """The search's parameters, then the list's own where they are not the defaults."""
        request = replace(self, **changes) if changes else self
        pairs = request.search.to_params()
        if request.facet_q:
            pairs.append(("facet_q", request.facet_q))
        if request.facet_offset:
            pairs.append(("facet_offset", str(request.facet_offset)))
        if request.facet_limit != FACET_LIST_DEFAULT:
            pairs.append(("facet_limit", str(request.facet_limit)))
        return pairs

    def query_string(self, **changes) -> str:
        return urlencode(self.to_params(**changes))


def _check_text(name: str, value: str, limit: int) -> None:
    if len(value) > limit:
        raise BadRequest(f"'{name}' is longer than {limit:,} characters")
    if "\x00" in value:
        raise BadRequest(f"'{name}' contains a NUL character")


def _integer(name: str, text: str, default, low: int, high: int):
    if not text:
        return default
    if not re.fullmatch(r"[+]?\d{1,9}", text):
        raise BadRequest(f"'{name}' must be a whole number, not {text[:40]!r}")
    value = int(text)
    if not low <= value <= high:
        raise BadRequest(f"'{name}' must be between {low} and {high:,}, not {value:,}")
    return value


def _date(name: str, text: str) -> date | None:
    if not text:
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise BadRequest(f"'{name}' must be a date written YYYY-MM-DD, not {text[:40]!r}") from None
