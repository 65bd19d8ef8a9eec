"""The one search flow: what a search does whatever engine answers it, written once.

An engine (``whoosh/``, ``solr/``) opens a published build as a ``Build`` and answers a few
primitives over it: the match set of a parsed query under the request's filters (a ``Selection``:
its exact total, one page of it, its facet counts), stored articles, term statistics for related
articles, and the counts a company page needs. Everything else is here, the same for every engine:

* the all-words → any-words fallback of the search box, and the notice that says so;
* "did you mean", offered only when the corrected query finds something under the same filters;
* rank positions and near-duplicate folding of a page of hits, their snippets and "matched in";
* the facet lists: top values with the selected ones kept, the distinct count, the years with the
  months of a chosen year under it, and a facet's full list of values (``facet_page``);
* company profiles and their slugs, article views, related articles, autocompletion;
* the per-build cache and the hot swap: a rebuilt index is served at the next request, and the
  build it replaced is let go of once the last request using it is done;
* a build that cannot be opened (its files changed since it was published, missing, unreadable) is
  refused: the build served until then goes on serving, /healthz says "degraded" and why, and the
  refused build is tried again at most every ``RETRY_SECONDS``; with no build to fall back on, every
  request is a 503 that says why (``IndexDamaged``).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Protocol

from whoosh import query as wq

from search import deadline
from search.article import Article, key_hash, month_label
from search.companies.directory import company_slug, page_slugs
from search.companies.profile import CO_MENTIONED, SOURCES, directory, with_gazetteer
from search.errors import ArchiveError, IndexDamaged, IndexMissing, Moved, NotFound
from search.index.nearduplicates import Groups, fold
from search.index.store import IndexStore, credits_of
from search.index.vocabulary import Vocabulary
from search.query import autocomplete
from search.query.autocomplete import Suggester
from search.query.did_you_mean import corrected_query
from search.query.parser import FIELD_HELP, FIELD_NAMES, ParsedQuery, QueryParser
from search.request import VALUE_FACETS, SearchRequest, check_facet
from search.results import (
    FACET_LIMIT,
    PARTIAL,
    ArticleView,
    CompanyProfile,
    Credit,
    DateValues,
    FacetPage,
    FacetValue,
    FacetValues,
    Hit,
    PeriodTotals,
    SearchResults,
)
from search.text.highlight import mark_all, merged_snippet, plain_snippet
from search.text.matched import matched_terms

LOG = logging.getLogger("search.engines")
RETRY_SECONDS = 30.0  # a refused build is opened again at most this often (it may have been repaired)
WATCH_SECONDS = 1.0  # how often ``Archive.watch`` looks for a newly published build

MATCHED_IN = {"title": "headline", "captions": "caption", "body": "body", "dateline": "year",
              "company": "company", "source": "source", "section": "section", "credit": "credit"}


# --- what an engine gives the flow ------------------------------------------------------------------

class ValueCounts(Protocol):
    """How many articles of a match set have each value of one facet (its own selection ignored)."""

    def top(self, limit: int) -> list[tuple[str, int]]:
        """The ``limit`` values counted above 0, most articles first, then by value."""

    def count(self, value: str) -> int:
        """The count of one value (0 for a value the facet does not have)."""

    def nonzero(self) -> int:
        """How many values are counted above 0."""

    def pairs(self) -> list[tuple[str, int]]:
        """Every value counted above 0 with its count, in no particular order."""


class CountedPairs:
    """ValueCounts over (value, count) pairs, for an engine that gets its counts as rows."""

    def __init__(self, pairs):
        self.counts = {value: int(count) for value, count in pairs if count > 0}

    def top(self, limit: int) -> list[tuple[str, int]]:
        return sorted(self.counts.items(), key=lambda pair: (-pair[1], pair[0]))[:limit]

    def count(self, value: str) -> int:
        return self.counts.get(value, 0)

    def nonzero(self) -> int:
        return len(self.counts)

    def pairs(self) -> list[tuple[str, int]]:
        return list(self.counts.items())


@dataclass
class PageRow:
    """One article of a page of results as an engine found it."""

    article: Article
    docnum: int  # its number in the build (near-duplicate groups are kept by it)
    score: float | None  # None when the page is sorted by date
    terms: dict[str, set[str]] | None  # the query's words it has, per field; None: look for them in its text


class Selection(Protocol):
    """The articles a parsed query matches under a request's filters."""

    total: int  # exact
    partial: bool  # part of the archive did not answer

    def page(self, request: SearchRequest) -> list[PageRow]:
        """The request's page: by score, or by date (newest or oldest first, undated last)."""

    def value_counts(self, facet: str) -> ValueCounts:
        """A value facet's counts: every filter applies but the facet's own."""

    def years(self) -> dict[int, int]:
        """Articles per year (> 0): every filter applies but the chosen year or month; from/to do."""

    def months(self, year: int) -> dict[int, int]:
        """Articles per month (YYYYMM) of ``year``, counted as ``years``."""


@dataclass
class CompanyFacts:
    """What a build counts about one company: articles per year (0: undated), the other companies named
    in them and their sources, as (name, articles) pairs in any order."""

    years: dict[int, int]
    co_mentioned: list[tuple[str, int]]
    sources: list[tuple[str, int]]


class Build:
    """One published build as an engine serves it: what every engine keeps per build (its manifest and
    credits, the vocabulary, the query parser, the near-duplicate groups, a cache of what is derived
    from it), the hold that requests keep on it, and the primitives an engine answers over it."""

    parser: QueryParser
    duplicates: Groups

    def __init__(self, path: Path, generation: str, manifest: dict):
        self.path, self.generation, self.manifest = path, generation, manifest
        self.credits: list[Credit] = credits_of(manifest)  # its sources and their licences
        self.vocabulary = Vocabulary.load(path)
        self._derived: dict[str, object] = {}
        self._derived_lock = threading.Lock()
        self._lock = threading.Lock()
        self._users = 0
        self._retired = False

    def derived(self, name: str, make: Callable[[], object]):
        """Return ``make()`` for this build, made on first use and kept while it is served."""
        with self._derived_lock:
            if name not in self._derived:
                self._derived[name] = make()
            return self._derived[name]

    # Requests hold a build while they run; once a newer build replaces it, it is closed as soon as
    # the last request using it is done.
    def acquire(self) -> None:
        with self._lock:
            self._users += 1

    def release(self) -> None:
        with self._lock:
            self._users -= 1
            close = self._retired and self._users == 0
        if close:
            self.close()

    def retire(self) -> None:
        """Mark as replaced by a newer build; close now if no request is using it."""
        with self._lock:
            self._retired = True
            close = self._users == 0
        if close:
            self.close()

    def close(self) -> None:
        """Let go of what the build holds open (nothing, unless the engine holds files)."""

    # --- the primitives every engine answers ---

    def parse(self, q: str, any_words: bool = False) -> ParsedQuery:
        raise NotImplementedError

    def filters(self, request: SearchRequest):
        """The request's filters in the engine's own form, made once per request."""
        raise NotImplementedError

    def select(self, parsed: ParsedQuery, request: SearchRequest, filters, with_facets: bool = False,
               with_page: bool = True) -> Selection:
        raise NotImplementedError

    def count(self, parsed: ParsedQuery, filters) -> int:
        """How many articles ``parsed`` matches under ``filters``."""
        raise NotImplementedError

    def query_words(self, parsed: ParsedQuery) -> dict[str, set[str]]:
        """Per field, the analysed words the query looks for: what is marked where it is found."""
        raise NotImplementedError

    def period_totals(self) -> PeriodTotals:
        raise NotImplementedError

    def ordered(self, parsed: ParsedQuery, selection: Selection, sort: str) -> Iterator[Article]:
        """Every article of ``selection`` in the order of ``sort`` (relevance, newest or oldest)."""
        raise NotImplementedError

    def rank(self, parsed: ParsedQuery, limit: int) -> list[str]:
        """The ids of the ``limit`` best articles for ``parsed``, no filters."""
        raise NotImplementedError

    def stored(self, article_id: str) -> tuple[Article, int]:
        """One article and its number in the build; NotFound for an unknown id."""
        raise NotImplementedError

    def related(self, docnum: int, article: Article, limit: int) -> list[tuple[Article, int, float]]:
        """The articles most like this one, leaving out itself and its near-duplicates: (article, docnum, score)."""
        raise NotImplementedError

    def company_counts(self) -> dict[str, int]:
        """Every company name the build's live articles have, with how many have it."""
        raise NotImplementedError

    def company_facts(self, name: str) -> CompanyFacts:
        raise NotImplementedError

    def completion_candidates(self) -> list[str]:
        """What the search box completes to: company names (most articles first), then headlines
        (newest first, undated last)."""
        raise NotImplementedError

    def health(self) -> dict:
        """{"documents": live articles}, and "partial" for an engine that can lose part of the archive."""
        raise NotImplementedError


# --- the flow ---------------------------------------------------------------------------------------

class Archive:
    """The search side of the archive, whatever engine answers: open it once, ask it many times, from
    many threads. An engine subclasses it with ``open_build`` and its name."""

    backend = ""
    # Whether an answer depends only on the build served (a local index): then web/responsecache.py may keep
    # and tag it. An engine whose nodes answer live (a node down changes the answers within one build) says no.
    answers_fixed_by_build = True
    missing = "No index has been built yet. Run `make index` (or `python -m search index`)."
    # The files of a build checked against their checksums when it is opened: None for all of them
    # (an engine that reads only a few of them names those).
    checked_files: tuple[str, ...] | None = None
    # Whether a build answers one search before it serves (``warm``): for an engine whose first search
    # makes per-process things (the Whoosh one), not for one that would only ask a remote server.
    warms = False

    def __init__(self, index_root: Path, facet_limit: int = FACET_LIMIT, timeout: float | None = None):
        self.store = IndexStore(index_root)
        self.facet_limit = facet_limit
        self.timeout = timeout  # seconds a search may run (deadline.py); None: no limit
        self._build: Build | None = None
        self._lock = threading.Lock()
        self._refused: Refusal | None = None  # the build ``current`` names, when it could not be opened
        self._watching = threading.Event()  # set while ``watch``'s thread should run

    def open_build(self, path: Path, generation: str) -> Build:
        raise NotImplementedError

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Let go of the build being served (a later call opens it again) and stop watching."""
        self._watching.clear()
        with self._lock:
            build, self._build = self._build, None
        if build is not None:
            build.retire()

    @contextmanager
    def _using(self):
        """Hold the current build for the length of one request, opening a newly published one; if it
        cannot be opened, the build served until then (IndexDamaged if there is none)."""
        generation = self.store.generation()
        with self._lock:
            build = self._build
            if build is None or build.generation != generation:
                build = self._swap(build, generation)
            build.acquire()
        try:
            yield build
        finally:
            build.release()

    def _swap(self, served: Build | None, generation: str) -> Build:
        """Open the build ``current`` names (called with the lock held) and serve it from now on; if that
        fails, keep ``served`` and remember why (a refused build is tried again after RETRY_SECONDS)."""
        refused = self._refused
        if refused is not None and refused.generation == generation and time.monotonic() < refused.retry_at:
            if served is None:
                raise refused.error()
            return served
        path = self.store.current()
        if path is None and served is None and not generation:
            raise IndexMissing(self.missing)
        name = Path(generation).name
        try:
            if path is None:
                raise IndexDamaged(f"`current` names {name}, which is missing" if name else "`current` is missing")
            self.store.verify(path, self.checked_files)
            fresh = self.open_build(path, generation)
            self.warm(fresh)
        except Exception as exc:
            if isinstance(exc, ArchiveError):
                kind, message = type(exc), exc.message
            else:
                kind, message = IndexDamaged, f"build {name} cannot be opened ({type(exc).__name__}: {exc})"
            if served is None and kind is IndexDamaged:
                message += ". No earlier build is open to serve instead: rebuild the index"
            self._refused = refusal = Refusal(generation, kind, message, time.monotonic() + RETRY_SECONDS)
            LOG.error("refused the index build %s: %s; %s", name, message,
                      f"still serving {served.path.name}" if served is not None else "no build to serve")
            if served is None:
                raise refusal.error() from exc
            return served
        self._refused = None
        if served is not None:
            served.retire()
        self._build = fresh
        return fresh

    def warm(self, build: Build) -> None:
        """Answer one search on ``build`` before it serves (its most frequent word, with facets, snippets and
        "did you mean"), and make the vocabulary's lists: what a worker's first request would otherwise make
        (the arrays' pages touched, compiled expressions, cached stems, the thread's searcher)."""
        if not self.warms:
            return
        common = build.vocabulary.counts.most_common(1)
        word = common[0][0] if common else ""
        build.vocabulary.starting_with(word[:1])
        build.vocabulary.correct(word + "x")
        self._search(build, SearchRequest(q=word), time.perf_counter())
        self._slugs(build)

    def prepare(self) -> float:
        """Open and warm the build ``current`` names if it is not the one served, while the served one goes on
        answering requests; return the seconds that took (0.0 when there was nothing new to open, or it could
        not be opened: the next request then tries, and refuses it as ``_swap`` does). For a worker's start
        and for ``watch``, so that no request waits for a build to open."""
        generation = self.store.generation()
        with self._lock:
            served = self._build
            if served is not None and served.generation == generation:
                return 0.0
        started = time.perf_counter()
        path = self.store.current()
        if path is None:
            return 0.0
        try:
            self.store.verify(path, self.checked_files)
            fresh = self.open_build(path, generation)
        except Exception:  # refused, with the reason, by the request that tries it next
            return 0.0
        try:
            self.warm(fresh)
        except Exception:
            LOG.exception("warming the build %s failed", path.name)
        with self._lock:
            current = self._build
            if (current is not None and current.generation == generation) or self.store.generation() != generation:
                replaced = fresh  # a request opened it first, or a newer build was published meanwhile
            else:
                replaced, self._build, self._refused = current, fresh, None
        if replaced is not None:
            replaced.retire()
        return time.perf_counter() - started if replaced is not fresh else 0.0

    def watch(self, interval: float = WATCH_SECONDS) -> threading.Thread:
        """Look for a newly published build every ``interval`` seconds in a thread of its own, and open and warm
        it there (``prepare``), until ``close``."""
        self._watching.set()

        def run() -> None:
            while self._watching.is_set():
                try:
                    seconds = self.prepare()
                    if seconds:
                        LOG.info("opened the build %s in %.0f ms", Path(self.store.generation()).name, seconds * 1000)
                except Exception:  # keep watching: the request path reports the problem
                    LOG.exception("looking for a new build failed")
                time.sleep(interval)

        thread = threading.Thread(target=run, name="build-watcher", daemon=True)
        thread.start()
        return thread

    # --- searching ---

    def search(self, request: SearchRequest, facets: bool = True, snippets: bool = True,
               did_you_mean: bool = True) -> SearchResults:
        """Run ``request`` and return one page of hits with the exact total, facets and "did you mean".

        ``facets``, ``snippets`` and ``did_you_mean`` switch off parts a caller does not show (the
        benchmark measures the search with and without them).
        """
        started = time.perf_counter()
        heavy = deadline.is_heavy(request.q, request.per_page)
        with self._using() as build, deadline.heavy_slot(heavy), deadline.within(self.timeout):
            return self._search(build, request, started, facets, snippets, did_you_mean)

    def _search(self, build: Build, request: SearchRequest, started: float, with_facets: bool = True,
                with_snippets: bool = True, with_did_you_mean: bool = True) -> SearchResults:
        filters = build.filters(request)
        parsed, selection, match = self._select(build, request, filters, with_facets)
        # Several words that "all" requires and "any" would not: switching between the two means something.
        every_word = parsed if match == "all" else build.parser.parse(request.q)
        hits: list[Hit] = []
        if selection.total and (request.page - 1) * request.per_page < selection.total:
            hits = self._hits(build, parsed, selection.page(request), request, with_snippets)
        suggestion = self._did_you_mean(build, request, parsed, filters) if with_did_you_mean else ""
        return SearchResults(
            request=request,
            total=selection.total,
            hits=hits,
            facets=self._facet_lists(build, request, selection) if with_facets else {},
            suggestion=suggestion,
            took_ms=(time.perf_counter() - started) * 1000,
            notice=notice(match, request, parsed),
            match=match,
            several_words=_several_words(every_word),
            partial=PARTIAL if selection.partial else "",
        )

    def _select(self, build: Build, request: SearchRequest, filters, with_facets: bool = False,
                with_page: bool = True) -> tuple[ParsedQuery, Selection, str]:
        """Match ``request`` under its filters: (parsed, selection, match).

        Without a ``match`` parameter, when no article has all the words (an AND of several), the
        words are searched as alternatives instead and ``match`` says "any"."""
        any_words = request.match == "any"
        parsed = build.parse(request.q, any_words=any_words)
        selection = build.select(parsed, request, filters, with_facets, with_page)
        if not request.match and not selection.total and _several_words(parsed):
            fallback = build.parse(request.q, any_words=True)
            fallback_selection = build.select(fallback, request, filters, with_facets, with_page)
            if fallback_selection.total:
                return fallback, fallback_selection, "any"
        return parsed, selection, "any" if any_words else "all"

    def _hits(self, build: Build, parsed: ParsedQuery, rows: list[PageRow], request: SearchRequest,
              with_snippets: bool) -> list[Hit]:
        """The page's hits, ranked from the page's first position, near-duplicates folded under the first."""
        words: dict[str, set[str]] | None = None
        hits = []
        for row in rows:
            deadline.check()
            terms = row.terms
            if terms is None:  # sorted by date, or an engine that does not say: found in the article's text
                words = build.query_words(parsed) if words is None else words
                terms = matched_terms(row.article, words) if words else {}
            hits.append(make_hit(row.article, terms, row.score, build.duplicates.key(row.docnum), with_snippets))
        for rank, hit in enumerate(hits, start=(request.page - 1) * request.per_page + 1):
            hit.position = rank
        return fold(hits)  # near-duplicates of a hit ranked above them on this page go under it

    def _did_you_mean(self, build: Build, request: SearchRequest, parsed: ParsedQuery, filters) -> str:
        """The query with its unknown words corrected, offered only if it finds something (with the
        fallback to any of the words, as its link would) under the same filters: a link to nothing
        helps nobody."""
        if not request.q or parsed.is_everything:
            return ""
        suggestion = corrected_query(request.q, build.vocabulary)
        if suggestion and not build.count(build.parse(suggestion, any_words=request.match != "all"), filters):
            return ""
        return suggestion

    def _facet_lists(self, build: Build, request: SearchRequest, selection: Selection) -> dict:
        facets: dict[str, list[FacetValue]] = {
            facet: top_values(selection.value_counts(facet), request.selected(facet), self.facet_limit)
            for facet in VALUE_FACETS
        }
        months = selection.months(request.year) if request.year else {}
        facets["date"] = date_values(request, selection.years(), months, build.period_totals())
        return facets

    def facet_values(self, request: SearchRequest, facet: str, contains: str = "", offset: int = 0,
                     limit: int = 50) -> FacetPage:
        """Return one page of every value of ``facet`` (company, source, section) the search has, counted
        as its facet counts them (its own selection ignored), those whose label contains ``contains``
        (case ignored), most articles first (``facet_page``). NotFound for another facet."""
        check_facet(facet)
        with self._using() as build, deadline.within(self.timeout):
            selection = self._select(build, request, build.filters(request), with_page=False)[1]
            counted = selection.value_counts(facet).pairs()  # with the fallback to any of the words, as the page
            partial = PARTIAL if selection.partial else ""
        return facet_page(facet, counted, request.selected(facet), contains, offset, limit, partial=partial)

    def iter_matches(self, request: SearchRequest, sort: str | None = None) -> Iterator[Article]:
        """Yield every article ``request`` matches, in the order of ``sort`` (default: the request's), not
        one page: ``page`` and ``per_page`` are ignored and there is no depth limit (the CSV export).

        The match set is the search page's, with its fallback to any of the words, so as many articles
        come as ``search(request).total`` says; the build stays open until the iteration ends or is closed.
        """
        with self._using() as build:
            # Matching holds a slot for costly searches and has a deadline; the stream itself goes at the
            # reader's pace (the front buffers it).
            with deadline.heavy_slot(True), deadline.within(self.timeout):
                parsed, selection, _ = self._select(build, request, build.filters(request), with_page=False)
            if not selection.total:
                return
            sort = sort or request.sort
            if sort == "relevance" and parsed.is_everything:
                sort = "newest"  # as the page does: every article is equally relevant
            yield from build.ordered(parsed, selection, sort)

    def rank(self, q: str, limit: int = 1000, any_words: bool = True) -> list[str]:
        """Return the ids of the ``limit`` best articles for ``q``, best first.

        The same parsing, matching and scoring as the search page, without facets, filters or
        snippets: ``make eval`` measures the ranking with it.
        """
        with self._using() as build:
            return build.rank(build.parse(q, any_words=any_words), limit)

    # --- articles ---

    def article(self, article_id: str, q: str = "", related: int = 5) -> ArticleView:
        """Return one whole article, with the words of query ``q`` marked if given, and up to
        ``related`` related articles."""
        with self._using() as build, deadline.within(self.timeout):
            article, docnum = self._stored(build, article_id)
            words = build.query_words(build.parse(q)) if q else {}
            return ArticleView(
                article=article,
                title_html=mark_all(article.title, words.get("title", set())),
                paragraphs_html=[mark_all(p, words.get("body", set())) for p in article.paragraphs],
                captions_html=[mark_all(c, words.get("captions", set())) for c in article.captions],
                related=self._related(build, docnum, article, related),
            )

    def related(self, article_id: str, limit: int = 5) -> list[Hit]:
        """Return up to ``limit`` articles most like this one (its key words), leaving out itself and its
        near-duplicates, best first. NotFound for an unknown id."""
        with self._using() as build, deadline.within(self.timeout):
            article, docnum = self._stored(build, article_id)
            return self._related(build, docnum, article, limit)

    @staticmethod
    def _stored(build: Build, article_id: str) -> tuple[Article, int]:
        """The article of ``article_id``; NotFound, or Moved when the article of the id's key is now served
        under another id (its headline corrected: the slug changed, not the hash of the key)."""
        try:
            return build.stored(article_id)
        except NotFound:
            now = build.derived("ids by key hash", lambda: ids_by_key_hash(build.manifest)).get(key_hash(article_id))
            if now and now != article_id:
                raise Moved(now) from None
            raise

    @staticmethod
    def _related(build: Build, docnum: int, article: Article, limit: int) -> list[Hit]:
        if limit <= 0:
            return []
        return [make_hit(other, {}, score, build.duplicates.key(other_docnum), with_snippets=False)
                for other, other_docnum, score in build.related(docnum, article, limit)]

    # --- companies and the search box ---

    def company(self, slug: str, corpus_dir: Path | None = None,
                latest: int = 10) -> tuple[CompanyProfile, SearchResults]:
        """Return the profile of the company ``slug`` names and its latest articles (NotFound if none)."""
        started = time.perf_counter()
        with self._using() as build, deadline.within(self.timeout):
            name = self._slugs(build).get(slug)
            if name is None:
                raise NotFound(f"No company '{slug[:80]}' is named in the archive.")
            gazetteer = directory(corpus_dir)
            profile = company_profile(name, build.company_facts(name), gazetteer.get(name) if gazetteer else None)
            newest = SearchRequest(companies=(name,), sort="newest", per_page=latest)
            return profile, self._search(build, newest, started, with_facets=False, with_did_you_mean=False)

    def company_named(self, name: str) -> bool:
        """True when the archive has a company page for ``name`` (some live article names it)."""
        with self._using() as build:
            return self._slugs(build).get(company_slug(name)) == name

    @staticmethod
    def _slugs(build: Build) -> dict[str, str]:
        """Each company page's slug and the name it stands for (the name with most articles on a clash)."""
        def make() -> dict[str, str]:
            counts = build.company_counts()
            return page_slugs(name for name in sorted(counts, key=lambda n: (-counts[n], n)) if counts[name])
        return build.derived("company slugs", make)

    def complete(self, q: str, limit: int = autocomplete.MAX_SUGGESTIONS) -> list[str]:
        """Return completions of ``q`` for the search box (company names, then headlines: autocomplete.py)."""
        return self.suggester().suggest(q, limit)

    def suggester(self) -> Suggester:
        """The search box's completions of the build being served, made once per build on first use."""
        with self._using() as build:
            return build.derived(autocomplete.NAME, lambda: Suggester.from_candidates(build.completion_candidates()))

    # --- the build ---

    def credits(self) -> list[Credit]:
        """The sources of the build being served, each with the licence its articles give, most articles first."""
        with self._using() as build:
            return build.credits

    def stats(self) -> dict:
        """Return what /healthz reports: "ok", or "degraded" with the reason when the build ``current``
        names was refused and an earlier one serves; documents, build time and the name of the build
        served. IndexDamaged (or IndexMissing) when no build can be served."""
        with self._using() as build:
            health = build.health()
            refused = self._refused
            stats = {"status": "ok"}
            if refused is not None and build.generation != refused.generation:
                stats = {"status": "degraded", "problem": refused.message,
                         "refused_build": Path(refused.generation).name}
            stats |= {
                "documents": health["documents"],
                "built_at": build.manifest.get("built_at"),
                "build": build.path.name,
                "build_seconds": build.manifest.get("seconds"),
                "skipped": sum(build.manifest.get("skipped", {}).values()),
                "backend": self.backend,
            }
            if "partial" in health:
                stats["partial"] = health["partial"]
            return stats


def ids_by_key_hash(manifest: dict) -> dict[str, str]:
    """The build's article ids by the hash of their key (the ids every file of the manifest keeps), those
    of a hash two ids share left out: a link with that hash cannot say which article it meant."""
    found: dict[str, str] = {}
    shared: set[str] = set()
    for entry in manifest.get("files", {}).values():
        for article_id in entry.get("ids", []):
            digest = key_hash(article_id)
            if digest in found and found[digest] != article_id:
                shared.add(digest)
            found[digest] = article_id
    for digest in shared:
        del found[digest]
    found.pop("", None)
    return found


@dataclass
class Refusal:
    """A build that could not be opened: its generation, the error that says why, when to try it again."""

    generation: str
    kind: type[ArchiveError]
    message: str
    retry_at: float

    def error(self) -> ArchiveError:
        return self.kind(self.message)


# --- hits, notices, facet lists, profiles: the same for every engine ----------------------------------

def make_hit(article: Article, terms: dict[str, set[str]], score: float | None, group: str | None,
             with_snippets: bool = True) -> Hit:
    """The hit of ``article``, given the query's words it has per field (``terms``): its marked
    headline, a snippet of up to three passages from the body and the captions, and where it matched."""
    if with_snippets:
        text = merged_snippet([
            ("", article.body, terms.get("body", set())),
            ("Caption", "\n".join(article.captions), terms.get("captions", set())),
        ]) or plain_snippet(article.body or " ".join(article.captions))
        title_html = mark_all(article.title, terms.get("title", set()))
    else:
        text, title_html = "", escape(article.title, quote=False)
    return Hit(
        id=article.id,
        title=article.title,
        title_html=title_html,
        url=article.url,
        published=article.published,
        sections=article.sections,
        source=article.source,
        companies=article.companies,
        credits=article.credits,
        snippet=text,
        matched_in=[label for name, label in MATCHED_IN.items() if name in terms],
        score=round(score, 4) if score is not None else None,
        byline=article.byline,
        date_only=article.date_only,
        group=group,
    )


def _several_words(parsed: ParsedQuery) -> bool:
    """Whether the query requires several words (an AND of them), so that "any" of them means something else."""
    return isinstance(parsed.query, wq.And)


def notice(match: str, request: SearchRequest, parsed: ParsedQuery) -> str:
    """What the results say about how the query was read: words too common to search for, a "name:" that is
    no field, syntax that could not be used, the fallback to any of the words."""
    parts = []
    if parsed.common_words:
        parts.append(_common_words_notice(parsed.common_words))
    if parsed.unknown_fields:
        parts.append(_unknown_fields_notice(parsed.unknown_fields))
    if parsed.plain_words:
        parts.append("Your query's syntax could not be used, so its words were searched for.")
    if match != (request.match or "all"):
        parts.append("No article has all of these words; these have some of them, the most first.")
    return " ".join(parts)


def _common_words_notice(words: tuple[str, ...]) -> str:
    short = [w for w in words if len(w) < 2]
    why = "too short" if len(short) == len(words) else "too common or too short" if short else "too common"
    one = len(words) == 1
    return (f"{'The word' if one else 'The words'} {_quoted(words)} {'is' if one else 'are'} {why} to search for: "
            "the archive does not index such words, not even in quotes. Add a less common word, "
            "or clear the box and choose filters.")


def _unknown_fields_notice(typed: tuple[str, ...]) -> str:
    names = list(dict.fromkeys(piece.split(":", 1)[0] for piece in typed))
    words = list(dict.fromkeys(w for piece in typed for w in re.findall(r"\w+", piece)))
    one = len(names) == 1
    text = (f"{_listed([name + ':' for name in names])} {'is not a field' if one else 'are not fields'}; "
            f"searched for the words {_quoted(words)}. The fields are {_listed(list(FIELD_HELP))}.")
    if any(name.lower() in FIELD_NAMES for name in names):
        text += " Field names are written in lowercase."
    return text


def _quoted(words) -> str:
    return _listed([f"“{word}”" for word in words])


def _listed(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def top_values(counts: ValueCounts, selected: tuple[str, ...], limit: int) -> FacetValues:
    """A value facet beside the results: its ``limit`` most frequent values, then any selected value not
    among them (a selected value stays visible even when its count drops to 0), and how many distinct
    values it has for this search (every value counted, and every selected one)."""
    values = [FacetValue(value, count, value in selected) for value, count in counts.top(limit)]
    shown = {v.value for v in values}
    values += [FacetValue(value, counts.count(value), True) for value in selected if value not in shown]
    distinct = counts.nonzero() + len({value for value in selected if not counts.count(value)})
    return FacetValues(values, distinct)


def date_values(request: SearchRequest, years: dict[int, int], months: dict[int, int],
                totals: PeriodTotals) -> DateValues:
    """The date facet: the years newest first, and under a chosen year its months (YYYYMM counts)."""
    values = [FacetValue(str(y), c, request.year == y) for y, c in sorted(years.items(), reverse=True) if y > 0 and c]
    if request.year:
        if not any(v.value == str(request.year) for v in values):
            values.insert(0, FacetValue(str(request.year), 0, True))
        month_values = [FacetValue(key, c, request.month_key == key, label=month_label(m))
                        for m, c in sorted(months.items()) if m > 0 and c
                        for key in [f"{m // 100:04d}-{m % 100:02d}"]]
        position = next(i for i, v in enumerate(values) if v.value == str(request.year)) + 1
        values[position:position] = month_values  # the months of the chosen year come right under it
    return DateValues(values, totals)


def fold_label(text: str) -> str:
    """A label or a filter text as compared by ``contains``: case and runs of spaces ignored."""
    return " ".join(text.casefold().split())


def facet_page(facet: str, counted, selected: tuple[str, ...], contains: str = "", offset: int = 0,
               limit: int = 50, partial: str = "") -> FacetPage:
    """A page of a facet's full list of values, from ``counted``: (value, count) pairs, those with no match
    left out or given as 0 (the selected values are listed even then, as the facet shows them)."""
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


def company_profile(name: str, facts: CompanyFacts, entry) -> CompanyProfile:
    """A company's page: its articles per year from the first to the last, the companies most often named
    with it and its sources, and what the gazetteer says of it (``entry``, or None)."""
    profile = with_gazetteer(CompanyProfile(name=name, slug=company_slug(name)), entry)
    by_year = {year: count for year, count in facts.years.items() if count}
    profile.articles = sum(by_year.values())
    profile.undated = by_year.pop(0, 0)
    if by_year:
        profile.by_year = [(y, by_year.get(y, 0)) for y in range(min(by_year), max(by_year) + 1)]
    profile.co_mentioned = _top(facts.co_mentioned, CO_MENTIONED, skip=name)
    profile.sources = _top(facts.sources, SOURCES)
    return profile


def _top(pairs: list[tuple[str, int]], limit: int, skip: str = "") -> list[tuple[str, int]]:
    found = [(name, int(count)) for name, count in pairs if count and name != skip]
    found.sort(key=lambda pair: (-pair[1], pair[0]))
    return found[:limit]
