"""Facet counts and filters over the whole match set, with numpy arrays built once per index.

Whoosh's own ``groupedby=`` scores every match and rebuilds its document-to-value maps on every
query (see WHOOSH-NOTES.md). Instead, each facet's (document, value) pairs are read once from the
index's postings when a searcher opens, and every query then counts with ``numpy.bincount`` over
the documents that match. Counts are disjunctive: a facet's counts ignore that facet's own
selection, so ticking ByteDance still shows how many hits TikTok would add.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from search.engines.whoosh.columns import numeric_column
from search.engines.whoosh.columns import postings as read_postings

from search.errors import NotFound
from search.request import SearchRequest
from search.index.schema import FACET_FIELD, FACETS


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


def check_facet(facet: str) -> None:
    """Refuse (NotFound) a facet that has no list of values: only company, source and section have one."""
    if facet not in FACETS:
        raise NotFound(f"No facet {facet[:80]!r}: the facets with a list of values are {', '.join(FACETS)}.")


def fold_label(text: str) -> str:
    """A label or a filter text as compared by ``contains``: case and runs of spaces ignored."""
    return " ".join(text.casefold().split())


def facet_page(facet: str, counted, selected: tuple[str, ...], contains: str = "", offset: int = 0,
               limit: int = 50, partial: str = "") -> FacetPage:
    """The page of a facet's values that both engines return, from ``counted``: (value, count) pairs,
    those with no match left out or given as 0 (the selected values are listed even then, as the facet
    shows them). Neutral: the engine counts, this filters, orders and pages."""
    found = {value: int(count) for value, count in counted if count > 0}
    for value in selected:
        found.setdefault(value, 0)
    wanted = fold_label(contains)
    matching = [(value, count) for value, count in found.items() if not wanted or wanted in fold_label(value)]
    matching.sort(key=lambda pair: (-pair[1], pair[0]))
    chosen = set(selected)
    values = [FacetValue(value, count, value in chosen) for value, count in matching[offset:offset + limit]]
    return FacetPage(facet=facet, values=values, total=len(matching), distinct=len(found), offset=offset,
                     limit=limit, contains=contains, partial=partial)


def distinct_values(counted, selected: tuple[str, ...]) -> int:
    """How many values a facet lists in full: those counted above 0 and the selected ones."""
    return len({value for value, count in counted if count > 0} | set(selected))


@dataclass(frozen=True)
class PeriodTotals:
    """How many live, dated articles the whole archive holds per year and per month (YYYYMM).

    The denominators of the timeline's share mode: what share of a year's articles match.
    """

    years: dict[int, int]
    months: dict[int, int]


class DateValues(list):
    """The date facet's values (a list of FacetValue), carrying the archive's ``PeriodTotals``
    so that the timeline can show each period's matches as a share of all its articles."""

    def __init__(self, values=(), totals: PeriodTotals | None = None):
        super().__init__(values)
        self.totals = totals


class FacetColumn:
    """The (document, value) pairs of one multi-valued facet field."""

    def __init__(self, values: list[str], postings: list[np.ndarray], doc_count: int):
        self.values = values
        self.index = {value: i for i, value in enumerate(values)}
        self.postings = postings
        self.doc_ids = np.concatenate(postings) if postings else np.zeros(0, dtype=np.int64)
        self.value_ids = (
            np.concatenate([np.full(len(p), i, dtype=np.int64) for i, p in enumerate(postings)])
            if postings
            else np.zeros(0, dtype=np.int64)
        )
        self.doc_count = doc_count

    @classmethod
    def from_reader(cls, reader, fieldname: str) -> "FacetColumn":
        values, postings = [], []
        if fieldname in reader.schema:
            for btext in reader.lexicon(fieldname):
                values.append(btext.decode("utf-8"))
                postings.append(read_postings(reader, fieldname, btext)[0].astype(np.int64))
        return cls(values, postings, reader.doc_count_all())

    def mask_for(self, selected: tuple[str, ...]) -> np.ndarray | None:
        """Return the documents having any of ``selected`` (OR within a facet), or None for no filter."""
        if not selected:
            return None
        mask = np.zeros(self.doc_count, dtype=bool)
        for value in selected:
            i = self.index.get(value)
            if i is not None:
                mask[self.postings[i]] = True
        return mask

    def count(self, matching: np.ndarray) -> np.ndarray:
        """Return, per value, how many of the ``matching`` documents have it."""
        if not len(self.doc_ids):
            return np.zeros(len(self.values), dtype=np.int64)
        hit = matching[self.doc_ids]
        return np.bincount(self.value_ids[hit], minlength=len(self.values))


class FacetIndex:
    """Everything needed to filter and count facets for one open index."""

    def __init__(self, reader):
        self.doc_count = reader.doc_count_all()
        self.live = np.zeros(self.doc_count, dtype=bool)
        self.live[np.fromiter(reader.all_doc_ids(), dtype=np.int64)] = True
        self.columns = {facet: FacetColumn.from_reader(reader, FACET_FIELD[facet]) for facet in FACETS}
        # Whole columns, 0 where an article is undated.
        self.year = numeric_column(reader, "year").astype(np.int64)
        self.month = numeric_column(reader, "month").astype(np.int64)  # YYYYMM
        self.day = numeric_column(reader, "day").astype(np.int64)  # YYYYMMDD
        # Stored microseconds as float64 (exact enough to order articles), for sorting by date.
        self.published = numeric_column(reader, "published", translate=False)
        self._period_totals: PeriodTotals | None = None
        self._period_lock = threading.Lock()

    def period_totals(self) -> PeriodTotals:
        """Return the number of live articles per year and per month, counted once per open index."""
        if self._period_totals is None:
            with self._period_lock:
                if self._period_totals is None:
                    dated = self.live & (self.year > 0)  # undated articles belong to no period
                    years, year_counts = np.unique(self.year[dated], return_counts=True)
                    months, month_counts = np.unique(self.month[dated], return_counts=True)
                    self._period_totals = PeriodTotals(
                        years={int(y): int(c) for y, c in zip(years, year_counts)},
                        months={int(m): int(c) for m, c in zip(months, month_counts)},
                    )
        return self._period_totals

    def by_date(self, selected: np.ndarray, newest: bool) -> np.ndarray:
        """Return the selected docnums newest (or oldest) first; undated articles last either way."""
        ids = np.flatnonzero(selected)
        keys = self.published[ids]
        undated = self.day[ids] == 0
        return ids[np.lexsort((ids, -keys if newest else keys, undated))]

    def matching(self, docnums) -> np.ndarray:
        """Return a mask of the given document numbers (the query's matches)."""
        mask = np.zeros(self.doc_count, dtype=bool)
        ids = np.fromiter(docnums, dtype=np.int64)
        if len(ids):
            mask[ids] = True
        return mask & self.live

    def filter_masks(self, request: SearchRequest) -> dict[str, np.ndarray]:
        """Return one mask per active filter group: company, source, section, date."""
        masks: dict[str, np.ndarray] = {}
        for facet, column in self.columns.items():
            mask = column.mask_for(request.selected(facet))
            if mask is not None:
                masks[facet] = mask
        date_mask = self.date_mask(request, with_period=True)
        if date_mask is not None:
            masks["date"] = date_mask
        return masks

    def date_mask(self, request: SearchRequest, with_period: bool) -> np.ndarray | None:
        """Return the date filter: the from/to range, plus the year/month chosen if ``with_period``."""
        mask = None

        def both(extra: np.ndarray) -> np.ndarray:
            return extra if mask is None else mask & extra

        if request.date_from:
            mask = both(self.day >= _day(request.date_from))
        if request.date_to:
            mask = both(self.day <= _day(request.date_to))
        if with_period and request.year:
            if request.month:
                mask = both(self.month == request.year * 100 + request.month)
            else:
                mask = both(self.year == request.year)
        return mask

    def counts(self, request: SearchRequest, matches: np.ndarray, masks: dict[str, np.ndarray], limit: int) -> dict[str, list[FacetValue]]:
        """Return the facet values for ``matches``; each facet ignores its own selection."""
        facets: dict[str, list[FacetValue]] = {}
        for facet, column in self.columns.items():
            counts = column.count(_narrowed(matches, masks, facet))
            selected = request.selected(facet)
            counted = [i for i in selected if column.index.get(i) is not None and counts[column.index[i]] > 0]
            distinct = int(np.count_nonzero(counts)) + len(set(selected) - set(counted))
            order = np.lexsort((np.arange(len(counts)), -counts))
            values = [
                FacetValue(column.values[i], int(counts[i]), column.values[i] in selected)
                for i in order[:limit]
                if counts[i] > 0
            ]
            shown = {v.value for v in values}
            for value in selected:  # a selected value stays visible even when its count drops to 0
                if value not in shown:
                    i = column.index.get(value)
                    values.append(FacetValue(value, int(counts[i]) if i is not None else 0, True))
            facets[facet] = FacetValues(values, distinct)
        facets["date"] = self._date_counts(request, matches, masks)
        return facets

    def value_counts(self, facet: str, matches: np.ndarray, masks: dict[str, np.ndarray]) -> list[tuple[str, int]]:
        """Every value of ``facet`` that ``matches`` have, with its count, the facet's own selection left
        out of ``masks`` (as ``counts`` counts): (value, count) pairs, in no particular order."""
        column = self.columns[facet]
        counts = column.count(_narrowed(matches, masks, facet))
        return [(column.values[i], int(counts[i])) for i in np.flatnonzero(counts)]

    def _date_counts(self, request: SearchRequest, matches: np.ndarray, masks: dict[str, np.ndarray]) -> DateValues:
        base = _narrowed(matches, masks, "date")
        range_mask = self.date_mask(request, with_period=False)
        if range_mask is not None:
            base = base & range_mask
        years, year_counts = np.unique(self.year[base], return_counts=True)
        values = [
            FacetValue(str(int(y)), int(c), request.year == int(y))
            for y, c in sorted(zip(years, year_counts), reverse=True)
            if y > 0  # 0: undated articles, which no date filter can select
        ]
        if request.year:
            if not any(v.value == str(request.year) for v in values):
                values.insert(0, FacetValue(str(request.year), 0, True))
            in_year = base & (self.year == request.year)
            months, month_counts = np.unique(self.month[in_year], return_counts=True)
            month_values = [
                FacetValue(key, int(c), request.month_key == key, label=month_label(int(m)))
                for m, c in zip(months, month_counts)
                for key in [f"{int(m) // 100:04d}-{int(m) % 100:02d}"]
            ]
            # The months of the chosen year come right under it.
            position = next(i for i, v in enumerate(values) if v.value == str(request.year)) + 1
            values[position:position] = month_values
        return DateValues(values, self.period_totals())


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def _narrowed(matches: np.ndarray, masks: dict[str, np.ndarray], except_group: str) -> np.ndarray:
    """Return ``matches`` with every filter applied but ``except_group``'s own (disjunctive counts)."""
    result = matches
    for group, mask in masks.items():
        if group != except_group:
            result = result & mask
    return result


def month_label(yyyymm: int) -> str:
    return f"{_MONTHS[yyyymm % 100 - 1]} {yyyymm // 100}"


def _day(value) -> int:
    return value.year * 10000 + value.month * 100 + value.day
