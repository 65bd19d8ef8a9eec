"""The Whoosh engine: the index on this machine answers the search flow's primitives (``engines/flow.py``).

A ``WhooshBuild`` is one published build, opened: its index, per-thread searchers, facet arrays
(``facets.py``) and the numpy scorer (``scoring.py``). Each search does two passes: the exact total and
the facet counts over the unscored match set (numpy boolean arrays), then the requested page, scored
or sorted by date, among the filtered documents. A query that is not made of words only (a phrase
with a gap, a range) is matched by Whoosh itself and then counted the same way.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index
from whoosh import query as wq

from search.article import Article
from search.engines.flow import Archive, Build, CompanyFacts, PageRow
from search.engines.whoosh import feedback
from search.engines.whoosh.columns import share_stored_layout, stored_layout
from search.engines.whoosh.derived import open_derived, write_derived
from search.engines.whoosh.facets import ArrayCounts, FacetIndex, narrowed
from search.engines.whoosh.related import related_docnums
from search.engines.whoosh.scoring import ArchiveBM25F, Evaluated, TermScorer
from search.errors import NotFound
from search.index.build import INDEX_NAME
from search.index.nearduplicates import Groups
from search.index.schema import SEARCHED_FIELDS, TEXT_FIELDS, document_to_article
from search.index.store import IndexStore
from search.query import autocomplete
from search.query.parser import ParsedQuery, QueryParser
from search.request import SearchRequest
from search.results import PeriodTotals


class WhooshBuild(Build):
    """One published build, opened: its Whoosh index, per-thread searchers, facet arrays and scorer."""

    def __init__(self, path: Path, generation: str):
        super().__init__(path, generation, IndexStore(path.parent).manifest(path))
        self.index = whoosh_index.open_dir(str(path), indexname=INDEX_NAME)
        self.schema = self.index.schema
        self.parser = QueryParser(self.schema, vocabulary=self.vocabulary)
        self._local = threading.local()
        self._searchers: list = []
        with self.index.searcher(weighting=ArchiveBM25F()) as searcher:
            self.derived_arrays = open_derived(path, searcher.reader())  # None: read from Whoosh (derived.py)
            self.scorer = TermScorer(searcher, tuple(f for f in SEARCHED_FIELDS if f in self.schema),
                                     self.derived_arrays)
            self.facets = FacetIndex(searcher.reader(), self.derived_arrays)
            self.doc_count = searcher.doc_count()
            self.duplicates = Groups.load(path, searcher.reader().doc_count_all())  # index/nearduplicates.py
            self._stored_layouts = [stored_layout(leaf) for leaf, _ in searcher.reader().leaf_readers()]
        if self.derived_arrays is not None and self.derived_arrays.meta.get("suggest"):
            self._derived[autocomplete.NAME] = self.derived_arrays.suggester()

    def searcher(self):
        """Return this thread's searcher (Whoosh searchers are not shared between threads)."""
        searcher = getattr(self._local, "searcher", None)
        if searcher is None:
            searcher = self._local.searcher = self.index.searcher(weighting=ArchiveBM25F())
            leaves = [leaf for leaf, _ in searcher.reader().leaf_readers()]
            if len(leaves) == len(self._stored_layouts):  # the same segments: read once, shared by every thread
                for leaf, layout in zip(leaves, self._stored_layouts):
                    if layout is not None:
                        share_stored_layout(leaf, layout)
            with self._lock:
                self._searchers.append(searcher)
        return searcher

    def close(self) -> None:
        with self._lock:
            searchers, self._searchers = self._searchers, []
        for searcher in searchers:
            searcher.close()
        self.index.close()

    # --- matching ---

    def parse(self, q: str, any_words: bool = False) -> ParsedQuery:
        return self.parser.parse(q, self.searcher().reader(), any_words=any_words)

    def filters(self, request: SearchRequest) -> dict[str, np.ndarray]:
        """One mask per active filter group: company, source, section, date."""
        return self.facets.filter_masks(request)

    def select(self, parsed: ParsedQuery, request: SearchRequest, filters: dict[str, np.ndarray],
               with_facets: bool = False, with_page: bool = True) -> WhooshSelection:
        evaluated, matches = self._match(parsed, any_words=parsed.any_words)
        return WhooshSelection(self, parsed, request, evaluated, matches, filters)

    def count(self, parsed: ParsedQuery, filters: dict[str, np.ndarray]) -> int:
        return int(_filtered(self._match(parsed, any_words=parsed.any_words)[1], filters).sum())

    def _match(self, parsed: ParsedQuery, any_words: bool) -> tuple[Evaluated | None, np.ndarray]:
        """Every live document ``parsed`` matches (a boolean array), scored if possible."""
        if parsed.is_everything:
            return None, self.facets.live.copy()
        searcher = self.searcher()
        evaluated = self.scorer.evaluate(parsed.query, searcher.reader())
        if evaluated is None:  # not words only: Whoosh finds the matches
            return None, self.facets.matching(searcher.docs_for_query(parsed.query))
        if any_words and feedback.applies(evaluated.leaves):  # re-ranked by the key words of the best matches
            live = self.facets.live[evaluated.ids]
            ids = evaluated.ids[live]
            scores = feedback.rerank(self.scorer, searcher, ids, evaluated.scores[live])
            evaluated = Evaluated(ids, scores, evaluated.leaves)
        matches = np.zeros(self.facets.doc_count, dtype=bool)  # words only: counted and scored with numpy
        matches[evaluated.ids] = True
        return evaluated, matches & self.facets.live

    def query_words(self, parsed: ParsedQuery) -> dict[str, set[str]]:
        """Per text field, the analysed words the query looks for, wildcards expanded (up to 1,000 each)."""
        if parsed.is_everything:
            return {}
        reader = self.searcher().reader()
        words: dict[str, set[str]] = {}
        for leaf in parsed.query.leaves():
            fieldname = leaf.field()
            if fieldname not in TEXT_FIELDS or isinstance(leaf, wq.Not):
                continue
            if isinstance(leaf, wq.MultiTerm):
                found = {reader.schema[fieldname].from_bytes(b) for b in islice(leaf._btexts(reader), 1000)}
            elif isinstance(leaf, wq.Phrase):
                found = set(leaf.words)
            elif isinstance(leaf, wq.Term):
                found = {leaf.text}
            else:
                continue
            words.setdefault(fieldname, set()).update(found)
        return words

    def period_totals(self) -> PeriodTotals:
        return self.facets.period_totals()

    def ordered(self, parsed: ParsedQuery, selection: WhooshSelection, sort: str) -> Iterator[Article]:
        """Only document numbers are held (8 bytes a match); each article is read when it is asked for."""
        if sort != "relevance":
            docnums = self.facets.by_date(selection.selected, newest=(sort == "newest"))
        elif selection.evaluated is not None:
            docnums = _best_first(selection.evaluated, selection.selected)[0]
        else:
            docset = set(selection.selected.nonzero()[0].tolist())
            docnums = [hit.docnum for hit in self.searcher().search(parsed.query, limit=None, filter=docset)]
        for docnum in docnums:  # the thread that resumes this reads with its own searcher
            yield self.article_at(int(docnum))

    def rank(self, parsed: ParsedQuery, limit: int) -> list[str]:
        evaluated, matches = self._match(parsed, any_words=parsed.any_words)
        if not matches.any():
            return []
        searcher = self.searcher()
        if evaluated is not None:
            docnums = _best_first(evaluated, matches, limit)[0].tolist()
        else:
            docset = set(matches.nonzero()[0].tolist())
            docnums = [hit.docnum for hit in searcher.search(parsed.query, limit=limit, filter=docset)]
        return [searcher.stored_fields(d)["id"] for d in docnums]

    # --- articles and companies ---

    def article_at(self, docnum: int) -> Article:
        return document_to_article(self.searcher().stored_fields(docnum))

    def stored(self, article_id: str) -> tuple[Article, int]:
        docnum = self.searcher().document_number(id=article_id)
        if docnum is None:
            raise NotFound(f"No article with id {article_id!r}.")
        return self.article_at(docnum), docnum

    def related(self, docnum: int, article: Article, limit: int) -> list[tuple[Article, int, float]]:
        found = related_docnums(self.scorer, self.searcher(), docnum, self.duplicates, self.facets.live, limit)
        return [(self.article_at(other), other, score) for other, score in found]

    def company_counts(self) -> dict[str, int]:
        column = self.facets.columns["company"]
        return dict(ArrayCounts(column, column.count(self.facets.live)).pairs())

    def company_facts(self, name: str) -> CompanyFacts:
        column = self.facets.columns["company"]
        mask = column.mask_for((name,))
        mask = mask & self.facets.live if mask is not None else np.zeros(self.facets.doc_count, dtype=bool)
        years, counts = np.unique(self.facets.year[mask], return_counts=True)
        sources = self.facets.columns["source"]
        return CompanyFacts(years={int(y): int(c) for y, c in zip(years, counts)},
                            co_mentioned=ArrayCounts(column, column.count(mask)).pairs(),
                            sources=ArrayCounts(sources, sources.count(mask)).pairs())

    def completion_candidates(self) -> list[str]:
        return completion_candidates(self.searcher(), self.facets)

    def health(self) -> dict:
        return {"documents": self.doc_count}


class WhooshSelection:
    """The documents a parsed query matches (``matches``) and those of them the filters keep (``selected``)."""

    partial = False

    def __init__(self, build: WhooshBuild, parsed: ParsedQuery, request: SearchRequest, evaluated: Evaluated | None,
                 matches: np.ndarray, masks: dict[str, np.ndarray]):
        self.build, self.parsed, self.request, self.evaluated = build, parsed, request, evaluated
        self.matches, self.masks = matches, masks
        self.selected = _filtered(matches, masks)
        self.total = int(self.selected.sum())
        self._dated: np.ndarray | None = None

    def page(self, request: SearchRequest) -> list[PageRow]:
        """The hits of the requested page: by score, or by date, among the ``selected`` documents."""
        build, parsed, evaluated = self.build, self.parsed, self.evaluated
        limit = request.page * request.per_page
        start = (request.page - 1) * request.per_page
        sort = request.sort if not (parsed.is_everything and request.sort == "relevance") else "newest"
        if sort != "relevance":
            docnums = build.facets.by_date(self.selected, newest=(sort == "newest"))[start:limit]
            return [PageRow(build.article_at(int(d)), int(d), None, None) for d in docnums]
        if evaluated is not None:
            ids, scores = _best_first(evaluated, self.selected, limit)
            rows = []
            for position in range(start, min(limit, len(ids))):
                docnum = int(ids[position])
                terms: dict[str, set[str]] = {}
                for fieldname, text, postings in evaluated.leaves:
                    at = np.searchsorted(postings, docnum)
                    if at < len(postings) and postings[at] == docnum:
                        terms.setdefault(fieldname, set()).add(text)
                rows.append(PageRow(build.article_at(docnum), docnum, float(scores[position]), terms))
            return rows
        docset = set(self.selected.nonzero()[0].tolist()) if self.masks else None
        results = build.searcher().search(parsed.query, limit=limit, filter=docset, terms=True)
        rows = []
        for hit in results[start:limit]:
            terms = {}
            if hit.results.has_matched_terms():
                for fieldname, btext in hit.matched_terms():
                    terms.setdefault(fieldname, set()).add(build.schema[fieldname].from_bytes(btext))
            rows.append(PageRow(build.article_at(hit.docnum), hit.docnum, hit.score, terms))
        return rows

    def value_counts(self, facet: str) -> ArrayCounts:
        column = self.build.facets.columns[facet]
        return ArrayCounts(column, column.count(narrowed(self.matches, self.masks, facet)))

    def _date_base(self) -> np.ndarray:
        """The matches under every filter but the date's own, the from/to range kept."""
        if self._dated is None:
            base = narrowed(self.matches, self.masks, "date")
            range_mask = self.build.facets.date_mask(self.request, with_period=False)
            self._dated = base & range_mask if range_mask is not None else base
        return self._dated

    def years(self) -> dict[int, int]:
        return _counted(self.build.facets.year[self._date_base()])

    def months(self, year: int) -> dict[int, int]:
        facets = self.build.facets
        in_year = self._date_base() & (facets.year == year)
        return _counted(facets.month[in_year])


class WhooshArchive(Archive):
    """The search side of the archive, answered by the Whoosh index on this machine."""

    backend = "whoosh"
    warms = True  # its first search maps arrays, compiles expressions, opens the thread's searcher

    def open_build(self, path: Path, generation: str) -> WhooshBuild:
        return WhooshBuild(path, generation)


def completion_candidates(searcher, facets: FacetIndex) -> list[str]:
    """Company names (most articles first), then headlines (newest first, undated last): every stored one."""
    column = facets.columns["company"]
    article_counts = [len(postings) for postings in column.postings]
    companies = [column.values[i] for i in sorted(range(len(column.values)), key=lambda i: -article_counts[i])]
    headlines = []
    for docnum, stored in searcher.reader().iter_docs():
        title = stored.get("title", "")
        if title:
            undated = facets.day[docnum] == 0
            headlines.append((bool(undated), -float(facets.published[docnum]), docnum, title))
    headlines.sort()
    return companies + [title for *_, title in headlines]


def write_derived_arrays(build_dir: Path) -> dict:
    """Write a build's derived arrays (``derived.py``) with the search box's completions; {"seconds", "bytes"}."""
    return write_derived(build_dir, completions=completion_candidates)


def _best_first(evaluated: Evaluated, selected: np.ndarray, limit: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The scored documents that are ``selected``, best first (ties in index order, as Whoosh): (ids, scores);
    only the ``limit`` best if given.

    For a page, the matches are not all sorted: the ``limit``-th best score is found in linear time
    (``np.partition``) and only the documents scoring at least that are sorted, which gives the same first
    ``limit`` documents in the same order as sorting them all (a test checks).
    """
    keep = selected[evaluated.ids]
    ids, scores = evaluated.ids[keep], evaluated.scores[keep]
    if limit is not None and limit < len(ids):
        if limit <= 0:
            return ids[:0], scores[:0]
        threshold = np.partition(scores, len(scores) - limit)[len(scores) - limit]
        best = scores >= threshold  # every tie with the limit-th score too: ties are ordered by docnum below
        ids, scores = ids[best], scores[best]
    order = np.lexsort((ids, -scores))
    if limit is not None:
        order = order[:limit]
    return ids[order], scores[order]


def _counted(values: np.ndarray) -> dict[int, int]:
    """How many times each value occurs: counted in one slot per value (years, YYYYMM months), not sorted."""
    if len(values) and 0 <= values.min() and values.max() < 1_000_000:
        counts = np.bincount(values)
        return {int(v): int(counts[v]) for v in np.flatnonzero(counts)}
    found, counts = np.unique(values, return_counts=True)
    return {int(v): int(c) for v, c in zip(found, counts)}


def _filtered(matches: np.ndarray, masks: dict[str, np.ndarray]) -> np.ndarray:
    selected = matches
    for mask in masks.values():
        selected = selected & mask
    return selected


__all__ = ["WhooshArchive", "WhooshBuild"]
