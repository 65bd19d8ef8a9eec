"""A search request: the typed, validated form of the query string (`?q=...&company=...`)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from urllib.parse import urlencode

from search.article import day_label
from search.errors import BadRequest, NotFound

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
# The value facets, in the order they are shown: the one list every layer takes them from (the schema's
# facet fields, the engines' counts, the links and the page's filters).
VALUE_FACETS = tuple(FACET_ATTRIBUTES)


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
    def from_params(cls, params: Mapping[str, Sequence[str]],
                    per_page_default: int = DEFAULT_PER_PAGE) -> SearchRequest:
        """Validate query-string parameters (each a list of values) into a request, or raise BadRequest."""
        request, problems = cls._read(params, per_page_default)
        if problems:
            raise problems[0]
        return request

    @classmethod
    def keeping_valid(cls, params: Mapping[str, Sequence[str]],
                      per_page_default: int = DEFAULT_PER_PAGE) -> SearchRequest:
        """What a page answering a bad request shows: every parameter that is valid kept, each invalid one
        at its default (the query cut to its limit). Dates that are each valid are both kept, even when
        'from' is after 'to', so that the form shows them to be put right."""
        return cls._read(params, per_page_default)[0]

    @classmethod
    def _read(cls, params: Mapping[str, Sequence[str]],
              per_page_default: int) -> tuple[SearchRequest, list[BadRequest]]:
        """The request the parameters make, each invalid one at its default, and what was wrong, in order."""
        problems: list[BadRequest] = []

        def checked(read, default):
            try:
                return read()
            except BadRequest as exc:
                problems.append(exc)
                return default

        def one(name: str) -> str:
            return _single(params, name)

        def many(name: str) -> tuple[str, ...]:
            values = tuple(dict.fromkeys(v.strip() for v in params.get(name, []) if v.strip()))
            if len(values) > MAX_FILTER_VALUES:
                raise BadRequest(f"at most {MAX_FILTER_VALUES} values of '{name}' at once")
            for value in values:
                _check_text(name, value, MAX_VALUE_LENGTH)
            return values

        def usable(name: str) -> tuple[str, ...]:  # the values of a facet that are right by themselves
            values = tuple(dict.fromkeys(v.strip() for v in params.get(name, []) if v.strip()))
            return tuple(v for v in values if len(v) <= MAX_VALUE_LENGTH and "\x00" not in v)[:MAX_FILTER_VALUES]

        def query() -> str:
            q = one("q")
            _check_text("q", q, MAX_QUERY_LENGTH)
            return q

        def first_query() -> str:  # shown again in the box when the query itself is wrong
            values = [v for v in params.get("q", []) if v != ""]
            return values[0].strip()[:MAX_QUERY_LENGTH].replace("\x00", "") if values else ""

        def choice(name: str, choices: tuple[str, ...], default: str) -> str:
            value = one(name) or default
            if value and value not in choices:
                raise BadRequest(f"'{name}' must be one of {', '.join(choices)}, not {value[:40]!r}")
            return value

        def month_of(year: int | None) -> tuple[int | None, int | None]:
            """(year, month): a month as YYYY-MM gives its year; a month number needs ``year``."""
            month_text = one("month")
            if not month_text:
                return year, None
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
            return year, month

        q = checked(query, None)
        if q is None:
            q = first_query()
        sort = checked(lambda: choice("sort", SORTS, "relevance"), "relevance")
        match_mode = checked(lambda: choice("match", MATCHES, ""), "")
        timeline = checked(lambda: choice("timeline", TIMELINES, "count"), "count")
        per_page = checked(lambda: _integer("per_page", one("per_page"), per_page_default, 1, MAX_PER_PAGE),
                           per_page_default)
        page = checked(lambda: _integer("page", one("page"), 1, 1, MAX_RESULT_DEPTH), 1)
        if page * per_page > MAX_RESULT_DEPTH:
            problems.append(BadRequest(
                f"results are shown up to number {MAX_RESULT_DEPTH:,}; narrow the search with filters to see more"
            ))
            page = 1
        year = checked(lambda: _integer("year", one("year"), None, 1, 9999), None)
        year, month = checked(lambda: month_of(year), (year, None))  # a wrong month leaves the year
        date_from = checked(lambda: _date("from", one("from")), None)
        date_to = checked(lambda: _date("to", one("to")), None)
        if date_from and date_to and date_from > date_to:
            problems.append(BadRequest(
                f"'From' ({day_label(date_from)}) is after 'To' ({day_label(date_to)}): "
                "change one of them, or swap them, to search the days between."
            ))
        companies, sources, sections = (checked(lambda name=name: many(name), usable(name))
                                        for name in FACET_ATTRIBUTES)
        request = cls(
            q=q,
            companies=companies,
            sources=sources,
            sections=sections,
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
        return request, problems

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

    def toggled(self, facet: str, value: str) -> SearchRequest:
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
    def from_params(cls, params: Mapping[str, Sequence[str]],
                    per_page_default: int = DEFAULT_PER_PAGE) -> FacetListRequest:
        """Validate the query string's parameters (each a list of values), or raise BadRequest."""
        search = SearchRequest.from_params(params, per_page_default=per_page_default)

        facet_q = " ".join(_single(params, "facet_q").split())
        _check_text("facet_q", facet_q, MAX_VALUE_LENGTH)
        offset = _integer("facet_offset", _single(params, "facet_offset"), 0, 0, FACET_LIST_MAX_OFFSET)
        limit = _integer("facet_limit", _single(params, "facet_limit"), FACET_LIST_DEFAULT, 1, FACET_LIST_MAX)
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


def _single(params: Mapping[str, Sequence[str]], name: str) -> str:
    """The one value of a parameter that may be given once ("" when it is not given), or BadRequest."""
    values = [v for v in params.get(name, []) if v != ""]
    if len(values) > 1:
        raise BadRequest(f"'{name}' can be given only once")
    return values[0].strip() if values else ""


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


def check_facet(facet: str) -> None:
    """Refuse (NotFound) a facet that has no list of values: only company, source and section have one."""
    if facet not in VALUE_FACETS:
        raise NotFound(f"No facet {facet[:80]!r}: the facets with a list of values are {', '.join(VALUE_FACETS)}.")
