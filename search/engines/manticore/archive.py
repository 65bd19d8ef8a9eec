"""The Manticore/Sphinx engine behind the same contract as the Whoosh one (``backend.py``).

A request becomes SphinxQL sent to the head node, which fans it out to the data nodes and merges
their answers. One round trip carries every statement of a search page:

* the page of hits: ``MATCH()`` (``translate.py``) and the filters, ordered by the engine's BM25F
  (ties in build order) or by date, the stored articles in the rows;
* ``SHOW META``: the exact total, and a warning when a data node did not answer (the results
  are then flagged ``partial`` and the page says so);
* one ``GROUP BY`` per facet, each with every filter but its own (the counts the Whoosh engine
  computes with numpy), and the years (and months of a chosen year) of the date facet.

Snippets, highlights and "matched in" come from the product's own highlighter over the stored
text and the query's analysed words (``highlight.py``), so both engines mark the same words.
Per build, the small files the indexer wrote beside its index are read once: the vocabulary
(fuzzy words, wildcards, "did you mean"), near-duplicate groups and the facet names.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from whoosh import query as wq

from search.query import autocomplete

from search.companies import profile as company_profile
from search.article import Article
from search.query.autocomplete import Suggester
from search.companies.profile import CompanyProfile
from search.errors import IndexMissing, NotFound
from search.engines.whoosh.facets import (DateValues, FacetPage, FacetValue, FacetValues, PeriodTotals, check_facet, distinct_values,
                      facet_page, month_label)
from search.text.highlight import mark_all
from search.index.store import Credit, IndexStore, credits_of
from search.text.matched import field_terms, matched_terms, query_words
from search.index.nearduplicates import Groups, fold
from search.query.parser import ParsedQuery, QueryParser
from search.engines.whoosh.related import MIN_SHARED, MIN_SIMILARITY
from search.request import SearchRequest
from search.index.schema import FIELD_BOOSTS, build_schema, document_to_article
from search.engines.whoosh.scoring import term_idf
from search.engines.whoosh.archive import FACET_LIMIT, ArticleView, Hit, SearchResults, make_hit, notice
from search.index.vocabulary import Vocabulary
from search.query.did_you_mean import suggest_query
from search.engines.manticore.loader import NAMES_FILE
from search.engines.manticore.sphinxql import Node, Settings, in_list
from search.engines.manticore.tokens import document_id, encode, value_id
from search.engines.manticore.translate import to_match

FACET_ATTRIBUTE = {"company": "company_ids", "source": "source_id", "section": "section_ids"}
# Groups kept per GROUP BY: at least every value the build has (its names file counts them), so
# that each node returns all its groups and the head's merged counts are exact. Sphinx allocates
# a sorter of this size per query and node, so it is not simply set very high (1,000,000: 1 s a query).
GROUPS_MIN = 20
# bm25f() takes whole-number field weights: the product's boosts (1, 1.5) times 2.
FIELD_WEIGHTS = ",".join(f"{name}={round(weight * 2)}" for name, weight in FIELD_BOOSTS.items())
# The engine's BM25F, k1 1.2 and b 0.75 as the product's. `make eval --backend manticore`, mean MAP over
# the 7 collections: this 0.3228 (the Whoosh engine: 0.3947). With index_field_lengths (so that b
# normalises by length) 0.2886, CACM and NPL falling to a third; with that and the plain idf 0.3039;
# the plain idf alone, on Cranfield, CISI and MED: 0.2923 against 0.2940.
RANKER = f"ranker=expr('1000000*bm25f(1.2,0.75,{{{FIELD_WEIGHTS}}})')"
NEWEST = "ORDER BY undated ASC, published_us DESC, docnum ASC"
OLDEST = "ORDER BY undated ASC, published_us ASC, docnum ASC"
BEST = "ORDER BY w DESC, docnum ASC"
RELATED_TERMS = 25
PAGE_ROWS = 10_000
PARTIAL = "Part of the archive did not answer (a search node is down): these results may be incomplete."


class _Build:
    """One published build as this engine serves it: its index set on the nodes and its small files."""

    def __init__(self, path: Path, generation: str, manifest: dict):
        entry = manifest.get("manticore")
        if not entry:
            raise IndexMissing("The build being served was not loaded into Manticore: run "
                               "`python -m search index --backend manticore`.")
        self.path, self.generation, self.manifest = path, generation, manifest
        self.index = entry["index"]
        self.credits = credits_of(manifest)
        data = json.loads((path / NAMES_FILE).read_text(encoding="utf-8"))
        self.counts = {facet: dict(pairs) for facet, pairs in data["facets"].items()}
        self.names = {facet: {value_id(name): name for name in counts} for facet, counts in self.counts.items()}
        self.vocabulary = Vocabulary.load(path)
        self.parser = QueryParser(build_schema(), vocabulary=self.vocabulary)
        self.duplicates = Groups.load(path, int(data["doc_count_all"]))
        self._derived: dict[str, object] = {}
        self._lock = threading.Lock()

    def groups(self, facet: str) -> int:
        """How many groups a GROUP BY of ``facet`` (or "years", "months") may return: all of them."""
        return max(GROUPS_MIN, len(self.counts.get(facet, ())) + 1)

    def derived(self, name: str, build):
        with self._lock:
            if name not in self._derived:
                self._derived[name] = build()
            return self._derived[name]


class ManticoreArchive:
    """The search side of the archive, answered by Manticore/Sphinx nodes; safe to share between threads."""

    def __init__(self, index_root: Path, settings: Settings, facet_limit: int = FACET_LIMIT):
        self.store = IndexStore(index_root)
        self.facet_limit = facet_limit
        self.head = Node(settings.head, settings.timeout)
        self._build: _Build | None = None
        self._lock = threading.Lock()

    def __enter__(self) -> "ManticoreArchive":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.head.close()
        self._build = None

    def _current(self) -> _Build:
        generation = self.store.generation()
        with self._lock:
            if self._build is None or self._build.generation != generation:
                path = self.store.current()
                if path is None:
                    raise IndexMissing("No index has been built yet. Run `python -m search index --backend manticore`.")
                self._build = _Build(path, generation, self.store.manifest(path))
            return self._build

    # --- searching -----------------------------------------------------------------------------

    def search(self, request: SearchRequest, facets: bool = True, snippets: bool = True,
               suggest: bool = True) -> SearchResults:
        started = time.perf_counter()
        build = self._current()
        return self._search(build, request, started, facets, snippets, suggest)

    def _search(self, build: _Build, request: SearchRequest, started: float, with_facets: bool = True,
                with_snippets: bool = True, with_suggestion: bool = True) -> SearchResults:
        filters = _filters(request)
        any_words = request.match == "any"
        parsed = build.parser.parse(request.q, any_words=any_words)
        match = "any" if any_words else "all"
        answer = self._ask(build, parsed, request, filters, with_facets)
        if not request.match and not answer.total and isinstance(parsed.query, wq.And):
            fallback = build.parser.parse(request.q, any_words=True)
            fallback_answer = self._ask(build, fallback, request, filters, with_facets)
            if fallback_answer.total:
                parsed, answer, match = fallback, fallback_answer, "any"
        every_word = parsed if match == "all" else build.parser.parse(request.q)
        words = query_words(parsed.query)
        hits = [self._hit(build, row, words, with_snippets) for row in answer.rows]
        for rank, hit in enumerate(hits, start=(request.page - 1) * request.per_page + 1):
            hit.position = rank
        hits = fold(hits)
        suggestion = ""
        if with_suggestion and request.q and not parsed.is_everything:
            suggestion = suggest_query(request.q, build.vocabulary)
            if suggestion and not self._count(build, build.parser.parse(suggestion, any_words=request.match != "all"),
                                              filters):
                suggestion = ""
        return SearchResults(
            request=request,
            total=answer.total,
            hits=hits,
            facets=self._facets(build, request, answer) if with_facets else {},
            suggestion=suggestion,
            took_ms=(time.perf_counter() - started) * 1000,
            notice=notice(match, request, parsed),
            match=match,
            several_words=isinstance(every_word.query, wq.And),
            partial=PARTIAL if answer.partial else "",
        )

    def _ask(self, build: _Build, parsed: ParsedQuery, request: SearchRequest, filters: dict[str, str],
             with_facets: bool) -> "_Answer":
        """One round trip: the page, the total and the facet counts of ``parsed`` under ``filters``."""
        match_text = to_match(parsed.query)
        start = (request.page - 1) * request.per_page
        order = _order(parsed, request.sort)
        where, params = _where(match_text, filters.values())
        statements = [
            (f"SELECT id, docnum, WEIGHT() AS w FROM {build.index}{where} {order} "
             f"LIMIT {start}, {request.per_page} OPTION max_matches={start + request.per_page}, {RANKER}",
             params),
            ("SHOW META", ()),
        ]
        groups: list[str] = []
        if with_facets:
            # Each facet counts with every filter but its own (a GROUP BY each, sized to the build's
            # values). One FACET statement for those without a selection of their own was slower:
            # at 234k articles, 111 ms against 23 + 5 + 5 + 5 ms (2.2's FACET sizes every sorter alike).
            dates = _without(filters, "date")
            if _date_range(request):
                dates["range"] = " AND ".join(_date_range(request))
            wanted = [(facet, attribute, _without(filters, facet)) for facet, attribute in FACET_ATTRIBUTE.items()]
            wanted.append(("years", "year", dates))
            if request.year:
                wanted.append(("months", "month", {**dates, "year": f"year = {request.year}"}))
            for name, attribute, conditions in wanted:
                groups.append(name)
                statements.append(_group_by(build.index, attribute, match_text, conditions, build.groups(name)))
        answers = self.head.results(statements)
        meta = dict(answers[1])
        counts = {name: {int(value): int(count) for value, count in rows} for name, rows in zip(groups, answers[2:])}
        rows = self._stored(build, answers[0])
        return _Answer(rows=rows, total=int(meta.get("total_found", 0)), counts=counts, partial=bool(meta.get("warning")))

    def _stored(self, build: _Build, rows: list[tuple]) -> list[tuple]:
        """The page's rows (id, docnum, weight) with their stored articles: (id, docnum, stored, weight).
        Read apart from the ranked query, which would carry every candidate's text through its sorting."""
        if not rows:
            return []
        stored = dict(self.head.rows(f"SELECT id, stored FROM {build.index} WHERE id IN "
                                     f"{in_list(row[0] for row in rows)} LIMIT {len(rows)}"))
        return [(i, d, stored[i], w) for i, d, w in rows if i in stored]

    def _count(self, build: _Build, parsed: ParsedQuery, filters: dict[str, str]) -> int:
        where, params = _where(to_match(parsed.query), filters.values())
        rows = self.head.results([(f"SELECT id FROM {build.index}{where} LIMIT 1 OPTION ranker=none", params),
                                  ("SHOW META", ())])
        return int(dict(rows[1]).get("total_found", 0))

    def _facets(self, build: _Build, request: SearchRequest, answer: "_Answer") -> dict:
        facets: dict[str, list] = {}
        for facet in FACET_ATTRIBUTE:
            names = build.names.get(facet, {})
            found = [(names[number], count) for number, count in answer.counts.get(facet, {}).items()
                     if number in names and count > 0]
            found.sort(key=lambda pair: (-pair[1], pair[0]))
            selected = request.selected(facet)
            values = [FacetValue(name, count, name in selected) for name, count in found[:self.facet_limit]]
            shown = {v.value for v in values}
            counted = dict(found)
            values += [FacetValue(name, counted.get(name, 0), True) for name in selected if name not in shown]
            facets[facet] = FacetValues(values, distinct_values(found, selected))
        years = answer.counts.get("years", {})
        values = [FacetValue(str(y), c, request.year == y) for y, c in sorted(years.items(), reverse=True) if y > 0 and c]
        if request.year:
            if not any(v.value == str(request.year) for v in values):
                values.insert(0, FacetValue(str(request.year), 0, True))
            months = [FacetValue(f"{m // 100:04d}-{m % 100:02d}", c, request.month_key == f"{m // 100:04d}-{m % 100:02d}",
                                 label=month_label(m))
                      for m, c in sorted(answer.counts.get("months", {}).items()) if m > 0 and c]
            position = next(i for i, v in enumerate(values) if v.value == str(request.year)) + 1
            values[position:position] = months
        facets["date"] = DateValues(values, self._period_totals(build))
        return facets

    def facet_values(self, request: SearchRequest, facet: str, contains: str = "", offset: int = 0,
                     limit: int = 50) -> FacetPage:
        """One page of every value of ``facet`` the search has (``backend.SearchBackend.facet_values``): one
        GROUP BY with every filter but the facet's own, all its groups, filtered and paged here."""
        check_facet(facet)
        build = self._current()
        filters = _filters(request)
        parsed = build.parser.parse(request.q, any_words=request.match == "any")
        if not request.match and isinstance(parsed.query, wq.And) and not self._count(build, parsed, filters):
            fallback = build.parser.parse(request.q, any_words=True)  # as the page falls back to any of the words
            if self._count(build, fallback, filters):
                parsed = fallback
        rows, meta = self.head.results([
            _group_by(build.index, FACET_ATTRIBUTE[facet], to_match(parsed.query), _without(filters, facet),
                      build.groups(facet)),
            ("SHOW META", ()),
        ])
        names = build.names.get(facet, {})
        counted = [(names[int(number)], int(count)) for number, count in rows if int(number) in names]
        return facet_page(facet, counted, request.selected(facet), contains, offset, limit,
                          partial=PARTIAL if dict(meta).get("warning") else "")

    def _period_totals(self, build: _Build) -> PeriodTotals:
        def count() -> PeriodTotals:
            years, months = self.head.results([_group_by(build.index, "year", None, {}, build.groups("years")),
                                               _group_by(build.index, "month", None, {}, build.groups("months"))])
            return PeriodTotals(years={int(y): int(c) for y, c in years if int(y)},
                                months={int(m): int(c) for m, c in months if int(m)})
        return build.derived("period totals", count)

    def _hit(self, build: _Build, row, words: dict[str, set[str]], with_snippets: bool = True) -> Hit:
        """The hit of a row (id, docnum, stored, weight): the words it matched are found in its text."""
        _id, docnum, stored, weight = row
        article = document_to_article(json.loads(stored))
        return make_hit(article, matched_terms(article, words), weight / 1_000_000, build.duplicates.key(int(docnum)),
                        with_snippets)

    def iter_matches(self, request: SearchRequest, sort: str | None = None) -> Iterator[Article]:
        build = self._current()
        filters = _filters(request)
        parsed = build.parser.parse(request.q, any_words=request.match == "any")
        total = self._count(build, parsed, filters)
        if not total and not request.match and isinstance(parsed.query, wq.And):
            parsed = build.parser.parse(request.q, any_words=True)
            total = self._count(build, parsed, filters)
        if not total:
            return
        order = _order(parsed, sort or request.sort)
        where, params = _where(to_match(parsed.query), filters.values())
        ids = [int(row[0]) for row in self.head.rows(
            f"SELECT id, WEIGHT() AS w FROM {build.index}{where} {order} LIMIT 0, {total} "
            f"OPTION max_matches={max(total, 1)}, {RANKER}", params)]
        for start in range(0, len(ids), 200):
            chunk = ids[start:start + 200]
            stored = {int(i): s for i, s in self.head.rows(
                f"SELECT id, stored FROM {build.index} WHERE id IN {in_list(chunk)} LIMIT {len(chunk)}")}
            for doc_id in chunk:
                if doc_id in stored:
                    yield document_to_article(json.loads(stored[doc_id]))

    def rank(self, q: str, limit: int = 1000, any_words: bool = True) -> list[str]:
        build = self._current()
        parsed = build.parser.parse(q, any_words=any_words)
        where, params = _where(to_match(parsed.query), ())
        rows = self.head.rows(f"SELECT article_id, WEIGHT() AS w FROM {build.index}{where} {BEST} LIMIT {limit} "
                              f"OPTION max_matches={max(limit, 1)}, {RANKER}", params)
        return [row[0] for row in rows]

    # --- articles, related, companies, suggestions ---------------------------------------------

    def _row(self, build: _Build, article_id: str):
        rows = self.head.rows(f"SELECT id, docnum, stored, 0 AS w FROM {build.index} WHERE id = %s LIMIT 1",
                              (document_id(article_id),))
        if not rows:
            raise NotFound(f"No article with id {article_id!r}.")
        return rows[0]

    def article(self, article_id: str, q: str = "", related: int = 5) -> ArticleView:
        build = self._current()
        row = self._row(build, article_id)
        article = document_to_article(json.loads(row[2]))
        marked = query_words(build.parser.parse(q).query) if q else {}
        return ArticleView(
            article=article,
            title_html=mark_all(article.title, marked.get("title", set())),
            paragraphs_html=[mark_all(p, marked.get("body", set())) for p in article.paragraphs],
            captions_html=[mark_all(c, marked.get("captions", set())) for c in article.captions],
            related=self._related(build, row, article, related) if related > 0 else [],
        )

    def related(self, article_id: str, limit: int = 5) -> list[Hit]:
        build = self._current()
        row = self._row(build, article_id)
        return self._related(build, row, document_to_article(json.loads(row[2])), limit)

    def _related(self, build: _Build, row, article: Article, limit: int) -> list[Hit]:
        """More like this: the article's key words (share of its headline and body, times idf from
        the nodes' document counts) as one query that at least MIN_SHARED of them must match."""
        terms = field_terms(article, "title") + field_terms(article, "body")
        if not terms or limit <= 0:
            return []
        shares = {term: count / len(terms) for term, count in Counter(terms).items()}
        candidates = sorted(shares, key=lambda t: (-shares[t], t))[:RELATED_TERMS * 4]
        probe = " | ".join(encode(t) for t in candidates)
        meta = self.head.results([(f"SELECT id FROM {build.index} WHERE MATCH(%s) LIMIT 1",
                                   (f"@body ({probe})",)), ("SHOW META", ())])[1]
        meta = dict(meta)
        documents = max(1, int(build.manifest["manticore"]["documents"]))
        frequency = {}
        for key, value in meta.items():
            if key.startswith("keyword["):
                frequency[value] = int(meta.get("docs" + key[len("keyword"):], 0))
        weights = {t: shares[t] * term_idf(documents, frequency[encode(t)])
                   for t in candidates if frequency.get(encode(t), 0)}
        best = sorted(weights, key=lambda t: (-weights[t], t))[:RELATED_TERMS]
        if len(best) < MIN_SHARED:
            return []
        query = "@(title,body) \"" + " ".join(encode(t) for t in best) + f"\"/{MIN_SHARED}"
        docnum = int(row[1])
        own_group = build.duplicates.key(docnum)
        rows = self.head.rows(
            f"SELECT id, docnum, WEIGHT() AS w FROM {build.index} WHERE MATCH(%s) {BEST} "
            f"LIMIT {limit * 4 + 20} OPTION max_matches={max(1000, limit * 4 + 20)}, {RANKER}", (query,))
        own_score = next((w for _i, d, w in rows if int(d) == docnum), rows[0][2] if rows else 0)
        chosen, seen = [], {own_group}
        for doc_id, other_docnum, weight in rows:
            group = build.duplicates.key(int(other_docnum))
            if int(other_docnum) == docnum or weight < MIN_SIMILARITY * own_score or (group and group in seen):
                continue
            seen.add(group)
            chosen.append((int(doc_id), int(other_docnum), weight))
            if len(chosen) == limit:
                break
        return [self._hit(build, row, {}, with_snippets=False) for row in self._stored(build, chosen)]

    def company(self, slug: str, corpus_dir: Path | None = None, latest: int = 10) -> tuple[CompanyProfile, SearchResults]:
        started = time.perf_counter()
        build = self._current()
        name = self._slugs(build).get(slug)
        if name is None:
            raise NotFound(f"No company '{slug[:80]}' is named in the archive.")
        gazetteer = company_profile.directory(corpus_dir)
        entry = gazetteer.get(name) if gazetteer else None
        only = {"company": f"company_ids = {value_id(name)}"}
        years, together, sources = self.head.results([
            _group_by(build.index, "year", None, only, build.groups("years")),
            _group_by(build.index, "company_ids", None, only, build.groups("company")),
            _group_by(build.index, "source_id", None, only, build.groups("source")),
        ])
        profile = company_profile.with_gazetteer(CompanyProfile(name=name, slug=company_profile.slugify(name)), entry)
        by_year = {int(y): int(c) for y, c in years}
        profile.articles = sum(by_year.values())
        profile.undated = by_year.pop(0, 0)
        if by_year:
            profile.by_year = [(y, by_year.get(y, 0)) for y in range(min(by_year), max(by_year) + 1)]
        profile.co_mentioned = _top(build.names["company"], together, company_profile.CO_MENTIONED, skip=name)
        profile.sources = _top(build.names["source"], sources, company_profile.SOURCES)
        newest = SearchRequest(companies=(name,), sort="newest", per_page=latest)
        return profile, self._search(build, newest, started, with_facets=False, with_suggestion=False)

    def _slugs(self, build: _Build) -> dict[str, str]:
        counts = build.counts.get("company", {})

        def slugs() -> dict[str, str]:
            found: dict[str, str] = {}
            for name in sorted(counts, key=lambda n: (-counts[n], n)):
                found.setdefault(company_profile.slugify(name), name)
            return found

        return build.derived("company slugs", slugs)

    def company_named(self, name: str) -> bool:
        return self._slugs(self._current()).get(company_profile.slugify(name)) == name

    def suggest(self, q: str, limit: int = autocomplete.MAX_SUGGESTIONS) -> list[str]:
        build = self._current()
        return build.derived("autocomplete", lambda: self._suggester(build)).suggest(q, limit)

    def _suggester(self, build: _Build) -> Suggester:
        """Company names (most articles first), then headlines (newest first), as the Whoosh engine's."""
        counts = build.counts.get("company", {})
        companies = sorted(counts, key=lambda n: (-counts[n], n))
        headlines, last = [], 0
        while True:
            rows = self.head.rows(f"SELECT id, undated, published_us, docnum, headline FROM {build.index} WHERE id > %s "
                                  f"ORDER BY id ASC LIMIT {PAGE_ROWS} OPTION max_matches={PAGE_ROWS}", (last,))
            headlines += [(bool(u), -int(p), int(d), t) for _i, u, p, d, t in rows if t]
            if len(rows) < PAGE_ROWS:
                break
            last = int(rows[-1][0])
        headlines.sort()
        return Suggester.from_candidates(companies + [title for *_, title in headlines])

    def credits(self) -> list[Credit]:
        return self._current().credits

    def stats(self) -> dict:
        build = self._current()
        rows = self.head.results([(f"SELECT id FROM {build.index} LIMIT 1", ()), ("SHOW META", ())])
        meta = dict(rows[1])
        return {
            "documents": int(meta.get("total_found", 0)),
            "built_at": build.manifest.get("built_at"),
            "build": build.path.name,
            "build_seconds": build.manifest.get("seconds"),
            "skipped": sum(build.manifest.get("skipped", {}).values()),
            "backend": "manticore",
            "partial": bool(meta.get("warning")),
        }


@dataclass
class _Answer:
    """What one round trip brought back: the page's rows, the exact total, the facet counts by
    group (value number -> articles), and whether a data node did not answer."""

    rows: list
    total: int
    counts: dict[str, dict[int, int]]
    partial: bool


def _order(parsed: ParsedQuery, sort: str) -> str:
    """The ORDER BY of ``sort``; every article is as relevant as the next to an empty query: newest first."""
    if sort == "relevance" and parsed.is_everything:
        sort = "newest"
    return {"relevance": BEST, "newest": NEWEST, "oldest": OLDEST}[sort]


def _filters(request: SearchRequest) -> dict[str, str]:
    """One SQL condition per active filter group (company, source, section, date), numbers only."""
    filters: dict[str, str] = {}
    for facet, attribute in FACET_ATTRIBUTE.items():
        selected = request.selected(facet)
        if selected:
            filters[facet] = f"{attribute} IN {in_list(value_id(v) for v in selected)}"
    date = _date_range(request)
    if request.year:
        date.append(f"month = {request.year * 100 + request.month}" if request.month else f"year = {request.year}")
    if date:
        filters["date"] = " AND ".join(date)
    return filters


def _date_range(request: SearchRequest) -> list[str]:
    """The from/to conditions, which the date facet's own counts keep (the year chosen they do not)."""
    date = []
    if request.date_from:
        date.append(f"day >= {_day(request.date_from)}")
    if request.date_to:
        date.append(f"day <= {_day(request.date_to)}")
    return date


def _without(filters: dict[str, str], group: str) -> dict[str, str]:
    return {name: condition for name, condition in filters.items() if name != group}


def _where(match_text: str | None, conditions) -> tuple[str, tuple]:
    parts, params = [], ()
    if match_text is not None:
        parts.append("MATCH(%s)")
        params = (match_text,)
    parts += [c for c in conditions if c]
    return (" WHERE " + " AND ".join(parts) if parts else ""), params


def _group_by(index: str, attribute: str, match_text: str | None, filters: dict[str, str],
              groups: int = GROUPS_MIN) -> tuple[str, tuple]:
    where, params = _where(match_text, filters.values())
    return (f"SELECT groupby() AS value, COUNT(*) AS n FROM {index}{where} GROUP BY {attribute} "
            f"LIMIT {groups} OPTION max_matches={groups}, ranker=none", params)


def _day(value) -> int:
    return value.year * 10000 + value.month * 100 + value.day


def _top(names: dict[int, str], rows, limit: int, skip: str = "") -> list[tuple[str, int]]:
    found = [(names[int(v)], int(c)) for v, c in rows if int(v) in names and names[int(v)] != skip and int(c)]
    found.sort(key=lambda pair: (-pair[1], pair[0]))
    return found[:limit]


__all__ = ["ManticoreArchive"]
