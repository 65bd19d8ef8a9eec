"""Facet counts and filters over the whole match set, with numpy arrays built once per index.

Whoosh's own ``groupedby=`` scores every match and rebuilds its document-to-value maps on every
query (see WHOOSH-NOTES.md). Instead, each facet's (document, value) pairs are read once from the
index's postings when a searcher opens, and every query then counts with ``numpy.bincount`` over
the documents that match. Counts are disjunctive: a facet's counts ignore that facet's own
selection, so ticking ByteDance still shows how many hits TikTok would add.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import numpy as np

from search.engines.whoosh.columns import numeric_column
from search.engines.whoosh.columns import postings as read_postings
from search.index.schema import FACET_FIELD, FACETS
from search.request import SearchRequest
from search.results import PeriodTotals

if TYPE_CHECKING:
    from search.engines.whoosh.derived import Derived


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
    def from_reader(cls, reader, fieldname: str) -> FacetColumn:
        values, postings = [], []
        if fieldname in reader.schema:
            for btext in reader.lexicon(fieldname):
                values.append(btext.decode("utf-8"))
                postings.append(read_postings(reader, fieldname, btext)[0].astype(np.int64))
        return cls(values, postings, reader.doc_count_all())

    @classmethod
    def from_derived(cls, derived: Derived, facet: str) -> FacetColumn:
        """The column as the build wrote it (``derived.py``): its postings are views of one mapped array."""
        values, starts, docs = derived.facet(facet)
        bounds = starts.tolist()
        column = cls.__new__(cls)
        column.values = [values[i] for i in range(len(values))]
        column.index = {value: i for i, value in enumerate(column.values)}
        column.postings = [docs[bounds[i]:bounds[i + 1]] for i in range(len(column.values))]
        column.doc_ids = docs
        column.value_ids = np.repeat(np.arange(len(column.values), dtype=np.int32), np.diff(starts))
        column.doc_count = derived.doc_count_all
        return column

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

    def __init__(self, reader, derived: Derived | None = None):
        """Read from the build's derived arrays if given (memory-mapped), else from the Whoosh index."""
        self.doc_count = reader.doc_count_all()
        if derived is not None:
            self.live = derived.array("live")
            self.columns = {facet: FacetColumn.from_derived(derived, facet) for facet in FACETS}
            self.year, self.month, self.day = (derived.array(name) for name in ("year", "month", "day"))
            self.published = derived.array("published")
        else:
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


def narrowed(matches: np.ndarray, masks: dict[str, np.ndarray], except_group: str) -> np.ndarray:
    """Return ``matches`` with every filter applied but ``except_group``'s own (disjunctive counts)."""
    result = matches
    for group, mask in masks.items():
        if group != except_group:
            result = result & mask
    return result


def _day(value) -> int:
    return value.year * 10000 + value.month * 100 + value.day


class ArrayCounts:
    """A facet's counts over a match set as the flow reads them (``flow.ValueCounts``): a count per value
    of the column, in the column's (lexicon) order, which is the values' order."""

    def __init__(self, column: FacetColumn, counts: np.ndarray):
        self.column, self.counts = column, counts

    def top(self, limit: int) -> list[tuple[str, int]]:
        order = np.lexsort((np.arange(len(self.counts)), -self.counts))[:limit]
        return [(self.column.values[i], int(self.counts[i])) for i in order if self.counts[i] > 0]

    def count(self, value: str) -> int:
        i = self.column.index.get(value)
        return int(self.counts[i]) if i is not None else 0

    def nonzero(self) -> int:
        return int(np.count_nonzero(self.counts))

    def pairs(self) -> list[tuple[str, int]]:
        return [(self.column.values[i], int(self.counts[i])) for i in np.flatnonzero(self.counts)]
