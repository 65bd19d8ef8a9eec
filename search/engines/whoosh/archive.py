"""Answer searches from the current index: hits, exact totals, facets, snippets, suggestions.

An ``Archive`` keeps the index open between requests and notices when a new build has been
published (the ``current`` link changed), so a rebuilt index is served without a restart.
Each request does two passes: facet counts and the exact total over the unscored match set
(numpy, see ``facets``), then a scored top-N search restricted to the filtered documents.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from itertools import islice
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index
from whoosh import query as wq

from search.query import autocomplete

from search.companies import profile as company_profile

from search.engines.whoosh import feedback
from search.engines.whoosh import related as related_articles
from search.article import Article
from search.companies.profile import CompanyProfile
from search.ingest.dates import iso_published
from search.errors import IndexMissing, NotFound
from search.engines.whoosh.facets import FacetIndex, FacetPage, FacetValue, check_facet, facet_page
from search.text.highlight import mark_all, merged_snippet, plain_snippet
from search.index.store import Credit, IndexStore, credits_of
from search.index.build import INDEX_NAME
from search.text.matched import matched_terms
from search.index.nearduplicates import Groups, fold
from search.query.parser import FIELD_HELP, FIELD_NAMES, ParsedQuery, QueryParser
from search.request import SearchRequest
from search.index.schema import SEARCHED_FIELDS, TEXT_FIELDS, document_to_article
from search.engines.whoosh.scoring import ArchiveBM25F, Evaluated, TermScorer
from search.index.vocabulary import Vocabulary
from search.query.did_you_mean import suggest_query

FACET_LIMIT = 12
MATCHED_IN = {"title": "headline", "captions": "caption", "body": "body", "dateline": "year",
              "company": "company", "source": "source", "section": "section", "credit": "credit"}


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
    group: str | None = None  # near-duplicate group: the article id of its first version (nearduplicates.py)
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
class SearchResults:
    """The answer to a SearchRequest."""

    request: SearchRequest
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    suggestion: str = ""
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
            "facet_distinct": {name: values.distinct for name, values in self.facets.items() if hasattr(values, "distinct")},
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
    related: list[Hit] = field(default_factory=list)  # related articles (related.py), best first


class _OpenIndex:
    """One published build, opened: its index, per-thread searchers, facet arrays and parser.

    Requests hold it while they run (``acquire``/``release``); once a newer build replaces it,
    it is closed as soon as the last request using it is done.
    """

    def __init__(self, path: Path, generation: str):
        self.path = path
        self.generation = generation
        self.index = whoosh_index.open_dir(str(path), indexname=INDEX_NAME)
        self.schema = self.index.schema
        self.vocabulary = Vocabulary.load(path)
        self.parser = QueryParser(self.schema, vocabulary=self.vocabulary)
        self._local = threading.local()
        self._searchers: list = []
        self._lock = threading.Lock()
        self._users = 0
        self._retired = False
        with self.index.searcher(weighting=ArchiveBM25F()) as searcher:
            self.scorer = TermScorer(searcher, tuple(f for f in SEARCHED_FIELDS if f in self.schema))
            self.facets = FacetIndex(searcher.reader())
            self.doc_count = searcher.doc_count()
            self.duplicates = Groups.load(path, searcher.reader().doc_count_all())  # nearduplicates.py
        self.credits = credits_of(IndexStore(path.parent).manifest(path))  # its sources and their licences
        self._derived: dict[str, object] = {}  # what other modules build from this build, once (see derived)
        self._derived_lock = threading.Lock()

    def derived(self, name: str, build):
        """Return ``build(reader, facets)`` for this build, made on first use and kept while it is open."""
        with self._derived_lock:
            if name not in self._derived:
                self._derived[name] = build(self.searcher().reader(), self.facets)
            return self._derived[name]

    def searcher(self):
        """Return this thread's searcher (Whoosh searchers are not shared between threads)."""
        searcher = getattr(self._local, "searcher", None)
        if searcher is None:
            searcher = self._local.searcher = self.index.searcher(weighting=ArchiveBM25F())
            with self._lock:
                self._searchers.append(searcher)
        return searcher

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
        with self._lock:
            searchers, self._searchers = self._searchers, []
        for searcher in searchers:
            searcher.close()
        self.index.close()


class Archive:
    """The search side of the archive: open it once, ask it many times, from many threads."""

    def __init__(self, index_root: Path, facet_limit: int = FACET_LIMIT):
        self.store = IndexStore(index_root)
        self.facet_limit = facet_limit
        self._open: _OpenIndex | None = None
        self._lock = threading.Lock()

    def __enter__(self) -> "Archive":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Close the open index (a later call opens it again)."""
        with self._lock:
            opened, self._open = self._open, None
        if opened is not None:
            opened.retire()

    @contextmanager
    def _using(self):
        """Hold the current build for the length of one request."""
        generation = self.store.generation()
        with self._lock:
            opened = self._open
            if opened is None or opened.generation != generation:
                path = self.store.current()
                if path is None:
                    raise IndexMissing("No index has been built yet. Run `make index` (or `python -m search index`).")
                fresh = _OpenIndex(path, generation)
                if opened is not None:
                    opened.retire()
                self._open = opened = fresh
            opened.acquire()
        try:
            yield opened
        finally:
            opened.release()

    def credits(self) -> list[Credit]:
        """The sources of the build being served, each with the licence its articles give, most articles first."""
        with self._using() as opened:
            return opened.credits

    def stats(self) -> dict:
        """Return what /healthz reports: documents, build time and the build's name."""
        with self._using() as opened:
            manifest = self.store.manifest(opened.path)
            return {
                "documents": opened.doc_count,
                "built_at": manifest.get("built_at"),
                "build": opened.path.name,
                "build_seconds": manifest.get("seconds"),
                "skipped": sum(manifest.get("skipped", {}).values()),
                "backend": "whoosh",
            }

    def search(self, request: SearchRequest, facets: bool = True, snippets: bool = True,
               suggest: bool = True) -> SearchResults:
        """Run ``request`` and return one page of hits with totals, facets and a suggestion.

        ``facets``, ``snippets`` and ``suggest`` switch off parts a caller does not show (the
        benchmark measures the search with and without them).
        """
        started = time.perf_counter()
        with self._using() as opened:
            return self._search(opened, request, started, facets, snippets, suggest)

    def _search(self, opened: _OpenIndex, request: SearchRequest, started: float, with_facets: bool = True,
                with_snippets: bool = True, with_suggestion: bool = True) -> SearchResults:
        facet_index = opened.facets
        masks = facet_index.filter_masks(request)
        parsed, evaluated, matches, selected, match = self._select(opened, request, masks)
        total = int(selected.sum())
        # Several words that "all" requires and "any" would not: switching between the two means something.
        every_word = parsed if match == "all" else opened.parser.parse(request.q)
        several_words = isinstance(every_word.query, wq.And)
        facets = facet_index.counts(request, matches, masks, self.facet_limit) if with_facets else {}

        hits: list[Hit] = []
        if total and (request.page - 1) * request.per_page < total:
            hits = self._page(opened, parsed, evaluated, request, selected, bool(masks), with_snippets)
            for rank, hit in enumerate(hits, start=(request.page - 1) * request.per_page + 1):
                hit.position = rank
            hits = fold(hits)  # near-duplicates of a hit ranked above them on this page go under it
        suggestion = ""
        if with_suggestion and request.q and not parsed.is_everything:
            suggestion = suggest_query(request.q, opened.vocabulary)
            # Offered only if it finds something (with the fallback to any of the words, as its link
            # would) under the same filters: a link to nothing helps nobody.
            strict = request.match == "all"
            if suggestion and not _filtered(self._match(opened, suggestion, any_words=not strict)[2], masks).any():
                suggestion = ""
        return SearchResults(
            request=request,
            total=total,
            hits=hits,
            facets=facets,
            suggestion=suggestion,
            took_ms=(time.perf_counter() - started) * 1000,
            notice=notice(match, request, parsed),
            match=match,
            several_words=several_words,
        )

    def _select(self, opened: _OpenIndex, request: SearchRequest, masks: dict[str, np.ndarray]):
        """Match ``request`` and apply the filter ``masks``: (parsed, evaluated, matches, selected, match).

        Without a ``match`` parameter, when no article has all the words (an AND of several), the
        words are searched as alternatives instead and ``match`` says "any"."""
        any_words = request.match == "any"
        parsed, evaluated, matches = self._match(opened, request.q, any_words)
        selected = _filtered(matches, masks)
        if not request.match and not selected.any() and isinstance(parsed.query, wq.And):
            fallback = self._match(opened, request.q, any_words=True)
            fallback_selected = _filtered(fallback[2], masks)
            if fallback_selected.any():
                return (*fallback, fallback_selected, "any")
        return parsed, evaluated, matches, selected, "any" if any_words else "all"

    def _match(self, opened: _OpenIndex, q: str, any_words: bool) -> tuple[ParsedQuery, Evaluated | None, np.ndarray]:
        """Parse ``q`` and find every live document it matches (a boolean array), scored if possible."""
        searcher = opened.searcher()
        parsed = opened.parser.parse(q, searcher.reader(), any_words=any_words)
        facet_index = opened.facets
        if parsed.is_everything:
            return parsed, None, facet_index.live.copy()
        evaluated = opened.scorer.evaluate(parsed.query, searcher.reader())
        if evaluated is None:  # not words only: Whoosh finds the matches
            return parsed, None, facet_index.matching(searcher.docs_for_query(parsed.query))
        if any_words and feedback.applies(evaluated.leaves):  # re-ranked by the key words of the best matches
            live = facet_index.live[evaluated.ids]
            ids = evaluated.ids[live]
            scores = feedback.rerank(opened.scorer, searcher, ids, evaluated.scores[live])
            evaluated = Evaluated(ids, scores, evaluated.leaves)
        matches = np.zeros(facet_index.doc_count, dtype=bool)  # words only: counted and scored with numpy
        matches[evaluated.ids] = True
        return parsed, evaluated, matches & facet_index.live

    def facet_values(self, request: SearchRequest, facet: str, contains: str = "", offset: int = 0,
                     limit: int = 50) -> FacetPage:
        """Return one page of every value of ``facet`` (company, source, section) the search has, counted
        as its facet counts them (its own selection ignored), those whose label contains ``contains``
        (case ignored), most articles first (``facets.facet_page``). NotFound for another facet."""
        check_facet(facet)
        with self._using() as opened:
            masks = opened.facets.filter_masks(request)
            matches = self._select(opened, request, masks)[2]  # with the fallback to any of the words, as the page
            counted = opened.facets.value_counts(facet, matches, masks)
        return facet_page(facet, counted, request.selected(facet), contains, offset, limit)

    def company(self, slug: str, corpus_dir: Path | None = None, latest: int = 10) -> tuple[CompanyProfile, SearchResults]:
        """Return the profile of the company ``slug`` names and its latest articles (NotFound if none)."""
        started = time.perf_counter()
        with self._using() as opened:
            slugs = opened.derived("company slugs", lambda reader, facets: company_profile.slugs(facets))
            name = slugs.get(slug)
            if name is None:
                raise NotFound(f"No company '{slug[:80]}' is named in the archive.")
            gazetteer = company_profile.directory(corpus_dir)
            profile = company_profile.build_profile(opened.facets, name, gazetteer.get(name) if gazetteer else None)
            newest = SearchRequest(companies=(name,), sort="newest", per_page=latest)
            return profile, self._search(opened, newest, started, with_facets=False, with_suggestion=False)

    def company_named(self, name: str) -> bool:
        with self._using() as opened:
            slugs = opened.derived("company slugs", lambda reader, facets: company_profile.slugs(facets))
            return slugs.get(company_profile.slugify(name)) == name

    def per_build(self, name: str, build):
        """Return ``build(reader, facets)`` for the build being served, made once per build (lazily) and
        dropped with it: data derived from the index, such as the search box's suggestions (autocomplete.py).
        The result must not hold on to the reader."""
        with self._using() as opened:
            return opened.derived(name, build)

    def suggest(self, q: str, limit: int = autocomplete.MAX_SUGGESTIONS) -> list[str]:
        """Return completions of ``q`` for the search box (company names, then headlines: autocomplete.py)."""
        return autocomplete.suggester(self).suggest(q, limit)

    def iter_matches(self, request: SearchRequest, sort: str | None = None) -> Iterator[Article]:
        """Yield every article ``request`` matches, in the order of ``sort`` (default: the request's), not
        one page: ``page`` and ``per_page`` are ignored and there is no depth limit (the CSV export).

        The match set is the search page's, with its fallback to any of the words, so as many articles
        come as ``search(request).total`` says. Only document numbers are held (8 bytes a match); each
        article is read when it is asked for, and the build stays open until the iteration ends or is closed.
        """
        with self._using() as opened:
            parsed, evaluated, _, selected, _ = self._select(opened, request, opened.facets.filter_masks(request))
            if not selected.any():
                return
            searcher = opened.searcher()
            sort = sort or request.sort
            if sort == "relevance" and parsed.is_everything:
                sort = "newest"  # as the page does: every article is equally relevant
            if sort != "relevance":
                docnums = opened.facets.by_date(selected, newest=(sort == "newest"))
            elif evaluated is not None:
                docnums = _best_first(evaluated, selected)[0]
            else:
                docset = set(selected.nonzero()[0].tolist())
                docnums = [hit.docnum for hit in searcher.search(parsed.query, limit=None, filter=docset)]
            for docnum in docnums:  # the thread that resumes this reads with its own searcher
                yield document_to_article(opened.searcher().stored_fields(int(docnum)))

    def rank(self, q: str, limit: int = 1000, any_words: bool = True) -> list[str]:
        """Return the ids of the ``limit`` best articles for ``q``, best first.

        The same parsing, matching and scoring as the search page, without facets, filters or
        snippets: ``make eval`` measures the ranking with it.
        """
        with self._using() as opened:
            parsed, evaluated, matches = self._match(opened, q, any_words)
            if not matches.any():
                return []
            searcher = opened.searcher()
            if evaluated is not None:
                docnums = _best_first(evaluated, matches)[0][:limit].tolist()
            else:
                docset = set(matches.nonzero()[0].tolist())
                docnums = [hit.docnum for hit in searcher.search(parsed.query, limit=limit, filter=docset)]
            return [searcher.stored_fields(d)["id"] for d in docnums]

    def _page(self, opened: _OpenIndex, parsed: ParsedQuery, evaluated: Evaluated | None, request: SearchRequest,
              selected: np.ndarray, filtered: bool, with_snippets: bool = True) -> list[Hit]:
        """Return the hits of the requested page: by score, or by date, among the ``selected`` documents."""
        searcher = opened.searcher()
        limit = request.page * request.per_page
        start = (request.page - 1) * request.per_page
        sort = request.sort if not (parsed.is_everything and request.sort == "relevance") else "newest"
        if sort != "relevance":
            docnums = opened.facets.by_date(selected, newest=(sort == "newest"))[start:limit]
            words = query_words(parsed.query, searcher.reader()) if not parsed.is_everything else {}
            return [self._hit(opened, int(d), None, words, with_snippets) for d in docnums]
        if evaluated is not None:
            ids, scores = _best_first(evaluated, selected)
            hits = []
            for position in range(start, min(limit, len(ids))):
                docnum = int(ids[position])
                terms: dict[str, set[str]] = {}
                for fieldname, text, postings in evaluated.leaves:
                    at = np.searchsorted(postings, docnum)
                    if at < len(postings) and postings[at] == docnum:
                        terms.setdefault(fieldname, set()).add(text)
                hits.append(self._hit(opened, docnum, float(scores[position]), terms, with_snippets))
            return hits
        docset = set(selected.nonzero()[0].tolist()) if filtered else None
        results = searcher.search(parsed.query, limit=limit, filter=docset, terms=True)
        hits = []
        for hit in results[start:limit]:
            terms = {}
            if hit.results.has_matched_terms():
                for fieldname, btext in hit.matched_terms():
                    terms.setdefault(fieldname, set()).add(opened.schema[fieldname].from_bytes(btext))
            hits.append(self._hit(opened, hit.docnum, hit.score, terms, with_snippets))
        return hits

    def _hit(self, opened: _OpenIndex, docnum: int, score: float | None, terms: dict[str, set[str]],
             with_snippets: bool = True) -> Hit:
        article = document_to_article(opened.searcher().stored_fields(docnum))
        if score is None and terms:  # sorted by date: the query's words, not yet those this article has
            terms = matched_terms(article, terms)
        return make_hit(article, terms, score, opened.duplicates.key(docnum), with_snippets)

    def article(self, article_id: str, q: str = "", related: int = 5) -> ArticleView:
        """Return one whole article, with the words of query ``q`` marked if given, and up to
        ``related`` related articles."""
        with self._using() as opened:
            return self._article(opened, article_id, q, related)

    def related(self, article_id: str, limit: int = 5) -> list[Hit]:
        """Return up to ``limit`` articles most like this one (its key words), leaving out itself and its
        near-duplicates, best first (``related.py``). NotFound for an unknown id."""
        with self._using() as opened:
            return self._related(opened, self._docnum(opened, article_id), limit)

    @staticmethod
    def _docnum(opened: _OpenIndex, article_id: str) -> int:
        docnum = opened.searcher().document_number(id=article_id)
        if docnum is None:
            raise NotFound(f"No article with id {article_id!r}.")
        return docnum

    def _related(self, opened: _OpenIndex, docnum: int, limit: int) -> list[Hit]:
        found = related_articles.related_docnums(opened.scorer, opened.searcher(), docnum, opened.duplicates,
                                                 opened.facets.live, limit)
        return [self._hit(opened, other, score, {}, with_snippets=False) for other, score in found]

    def _article(self, opened: _OpenIndex, article_id: str, q: str, related: int = 5) -> ArticleView:
        searcher = opened.searcher()
        docnum = self._docnum(opened, article_id)
        article = document_to_article(searcher.stored_fields(docnum))
        words: dict[str, set[str]] = {}
        if q:
            parsed = opened.parser.parse(q, searcher.reader())
            words = query_words(parsed.query, searcher.reader())
        return ArticleView(
            article=article,
            title_html=mark_all(article.title, words.get("title", set())),
            paragraphs_html=[mark_all(p, words.get("body", set())) for p in article.paragraphs],
            captions_html=[mark_all(c, words.get("captions", set())) for c in article.captions],
            related=self._related(opened, docnum, related) if related > 0 else [],
        )


def make_hit(article: Article, terms: dict[str, set[str]], score: float | None, group: str | None,
             with_snippets: bool = True) -> Hit:
    """The hit of ``article``, given the query's words it has per field (``terms``): its marked
    headline, a snippet of up to three passages from the body and the captions, and where it matched.
    Both engines build their hits with it."""
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


def notice(match: str, request: SearchRequest, parsed: ParsedQuery) -> str:
    """What the results say about how the query was read: words too common to search for, a "name:" that is
    no field, syntax that could not be used, the fallback to any of the words. Both engines show it."""
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


def _best_first(evaluated: Evaluated, selected: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The scored documents that are ``selected``, best first (ties in index order, as Whoosh): (ids, scores)."""
    keep = selected[evaluated.ids]
    ids, scores = evaluated.ids[keep], evaluated.scores[keep]
    order = np.lexsort((ids, -scores))
    return ids[order], scores[order]


def _filtered(matches: np.ndarray, masks: dict[str, np.ndarray]) -> np.ndarray:
    selected = matches
    for mask in masks.values():
        selected = selected & mask
    return selected


def query_words(q: wq.Query, reader) -> dict[str, set[str]]:
    """Return, per text field, the analysed words a query looks for (wildcards expanded)."""
    words: dict[str, set[str]] = {}
    for leaf in q.leaves():
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


__all__ = ["Archive", "ArticleView", "Hit", "SearchResults"]
