"""The Manticore/Sphinx engine: searchd nodes answer the search flow's primitives (``engines/flow.py``).

A request becomes SphinxQL sent to the head node, which fans it out to the data nodes and merges
their answers. One round trip carries every statement of a search page:

* the page of hits: ``MATCH()`` (``translate.py``) and the filters, ordered by the engine's BM25F
  (ties in build order) or by date; the page's stored articles are read apart, by id;
* ``SHOW META``: the exact total, and a warning when a data node did not answer (the results
  are then flagged ``partial`` and the page says so);
* one ``GROUP BY`` per facet, each with every filter but its own (the counts the Whoosh engine
  computes with numpy), and the years (and months of a chosen year) of the date facet.

Snippets, highlights and "matched in" come from the product's own highlighter over the stored
text and the query's analysed words (``text/highlight.py``, through the flow), so both engines mark the
same words. Per build, the small files the indexer wrote beside its index are read once: the vocabulary
(fuzzy words, wildcards, "did you mean"), near-duplicate groups and the facet names.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from search import deadline
from search.article import Article
from search.engines.flow import Archive, Build, CompanyFacts, CountedPairs, PageRow
from search.engines.manticore.loader import NAMES_FILE
from search.engines.manticore.sphinxql import Node, Settings, in_list
from search.engines.manticore.tokens import document_id, encode, value_id
from search.engines.manticore.translate import to_match
from search.engines.relevance import MIN_SHARED, MIN_SIMILARITY, RELATED_TERMS, term_idf
from search.errors import IndexMissing, NotFound
from search.index.nearduplicates import GROUPS_NAME, Groups
from search.index.schema import FIELD_BOOSTS, build_schema, document_to_article
from search.index.store import IndexStore
from search.index.vocabulary import FILE_NAME as VOCABULARY_FILE
from search.query.parser import ParsedQuery, QueryParser
from search.request import VALUE_FACETS, SearchRequest
from search.results import FACET_LIMIT, PeriodTotals
from search.text.matched import field_terms, query_words

FACET_ATTRIBUTE = dict(zip(VALUE_FACETS, ("company_ids", "source_id", "section_ids")))
# Groups kept per GROUP BY: at least every value the build has (its names file counts them), so
# that each node returns all its groups and the head's merged counts are exact. Sphinx allocates
# a sorter of this size per query and node, so it is not simply set very high (docs/benchmarks.md).
GROUPS_MIN = 20
# bm25f() takes whole-number field weights: the product's boosts (1, 1.5) times 2.
FIELD_WEIGHTS = ",".join(f"{name}={round(weight * 2)}" for name, weight in FIELD_BOOSTS.items())
# The engine's BM25F, k1 1.2 and b 0.75 as the product's; the variants tried and their MAP are in
# docs/scaling-out.md.
RANKER = f"ranker=expr('1000000*bm25f(1.2,0.75,{{{FIELD_WEIGHTS}}})')"


def ranked() -> str:
    """The ranker, and what is left of the request's deadline (``search/deadline.py``) as searchd's
    ``max_query_time`` in milliseconds, as Solr's ``timeAllowed``: searchd stops matching then and answers
    with what it found, a warning in ``SHOW META``, so the page is flagged partial instead of waiting."""
    left = deadline.remaining()
    return RANKER if left is None else f"{RANKER}, max_query_time={max(1, int(left * 1000))}"
NEWEST = "ORDER BY undated ASC, published_us DESC, docnum ASC"
OLDEST = "ORDER BY undated ASC, published_us ASC, docnum ASC"
BEST = "ORDER BY w DESC, docnum ASC"
PAGE_ROWS = 10_000


class ManticoreBuild(Build):
    """One published build as this engine serves it: its index set on the nodes and its small files."""

    def __init__(self, path: Path, generation: str, manifest: dict, head: Node):
        entry = manifest.get("manticore")
        if not entry:
            raise IndexMissing("The build being served was not loaded into Manticore: run "
                               "`python -m search index --backend manticore`.")
        super().__init__(path, generation, manifest)
        self.head = head
        self.index = entry["index"]
        data = json.loads((path / NAMES_FILE).read_text(encoding="utf-8"))
        self.counts = {facet: dict(pairs) for facet, pairs in data["facets"].items()}
        self.names = {facet: {value_id(name): name for name in counts} for facet, counts in self.counts.items()}
        self.parser = QueryParser(build_schema(), vocabulary=self.vocabulary)
        self.duplicates = Groups.load(path, int(data["doc_count_all"]))

    def groups(self, facet: str) -> int:
        """How many groups a GROUP BY of ``facet`` (or "years", "months") may return: all of them."""
        return max(GROUPS_MIN, len(self.counts.get(facet, ())) + 1)

    # --- matching ---

    def parse(self, q: str, any_words: bool = False) -> ParsedQuery:
        return self.parser.parse(q, any_words=any_words)

    def filters(self, request: SearchRequest) -> dict[str, str]:
        return _filters(request)

    def select(self, parsed: ParsedQuery, request: SearchRequest, filters: dict[str, str],
               with_facets: bool = False, with_page: bool = True) -> ManticoreSelection:
        """One round trip: the page, the total and the facet counts of ``parsed`` under ``filters``."""
        match_text = to_match(parsed.query)
        where, params = _where(match_text, filters.values())
        if with_page:
            start = (request.page - 1) * request.per_page
            statements = [(f"SELECT id, docnum, WEIGHT() AS w FROM {self.index}{where} {_order(parsed, request.sort)} "
                           f"LIMIT {start}, {request.per_page} "
                           f"OPTION max_matches={start + request.per_page}, {ranked()}",
                           params)]
        else:
            statements = [(f"SELECT id FROM {self.index}{where} LIMIT 1 OPTION ranker=none", params)]
        statements.append(("SHOW META", ()))
        groups: list[str] = []
        if with_facets:
            # Each facet counts with every filter but its own (a GROUP BY each, sized to the build's
            # values); one FACET statement for those without a selection of their own was slower
            # (docs/benchmarks.md).
            dates = _without(filters, "date")
            if _date_range(request):
                dates["range"] = " AND ".join(_date_range(request))
            wanted = [(facet, attribute, _without(filters, facet)) for facet, attribute in FACET_ATTRIBUTE.items()]
            wanted.append(("years", "year", dates))
            if request.year:
                wanted.append(("months", "month", {**dates, "year": f"year = {request.year}"}))
            for name, attribute, conditions in wanted:
                groups.append(name)
                statements.append(_group_by(self.index, attribute, match_text, conditions, self.groups(name)))
        answers = self.head.results(statements)
        meta = dict(answers[1])
        counts = {name: {int(value): int(count) for value, count in rows} for name, rows in zip(groups, answers[2:])}
        rows = self._stored(answers[0]) if with_page else []
        return ManticoreSelection(self, match_text, filters, rows, int(meta.get("total_found", 0)), counts,
                                  bool(meta.get("warning")))

    def _stored(self, rows: list[tuple]) -> list[tuple]:
        """The page's rows (id, docnum, weight) with their stored articles: (id, docnum, stored, weight).
        Read apart from the ranked query, which would carry every candidate's text through its sorting."""
        if not rows:
            return []
        stored = dict(self.head.rows(f"SELECT id, stored FROM {self.index} WHERE id IN "
                                     f"{in_list(row[0] for row in rows)} LIMIT {len(rows)}"))
        return [(i, d, stored[i], w) for i, d, w in rows if i in stored]

    def count(self, parsed: ParsedQuery, filters: dict[str, str]) -> int:
        where, params = _where(to_match(parsed.query), filters.values())
        rows = self.head.results([(f"SELECT id FROM {self.index}{where} LIMIT 1 OPTION ranker=none", params),
                                  ("SHOW META", ())])
        return int(dict(rows[1]).get("total_found", 0))

    def query_words(self, parsed: ParsedQuery) -> dict[str, set[str]]:
        return query_words(parsed.query)

    def period_totals(self) -> PeriodTotals:
        def count() -> PeriodTotals:
            years, months = self.head.results([_group_by(self.index, "year", None, {}, self.groups("years")),
                                               _group_by(self.index, "month", None, {}, self.groups("months"))])
            return PeriodTotals(years={int(y): int(c) for y, c in years if int(y)},
                                months={int(m): int(c) for m, c in months if int(m)})
        return self.derived("period totals", count)

    def ordered(self, parsed: ParsedQuery, selection: ManticoreSelection, sort: str) -> Iterator[Article]:
        total = selection.total
        where, params = _where(selection.match_text, selection.filters.values())
        ids = [int(row[0]) for row in self.head.rows(
            f"SELECT id, WEIGHT() AS w FROM {self.index}{where} {_order(parsed, sort)} LIMIT 0, {total} "
            f"OPTION max_matches={max(total, 1)}, {ranked()}", params)]
        for start in range(0, len(ids), 200):
            chunk = ids[start:start + 200]
            stored = {int(i): s for i, s in self.head.rows(
                f"SELECT id, stored FROM {self.index} WHERE id IN {in_list(chunk)} LIMIT {len(chunk)}")}
            for doc_id in chunk:
                if doc_id in stored:
                    yield document_to_article(json.loads(stored[doc_id]))

    def rank(self, parsed: ParsedQuery, limit: int) -> list[str]:
        where, params = _where(to_match(parsed.query), ())
        rows = self.head.rows(f"SELECT article_id, WEIGHT() AS w FROM {self.index}{where} {BEST} LIMIT {limit} "
                              f"OPTION max_matches={max(limit, 1)}, {ranked()}", params)
        return [row[0] for row in rows]

    # --- articles, related, companies, the search box ---

    def stored(self, article_id: str) -> tuple[Article, int]:
        rows = self.head.rows(f"SELECT id, docnum, stored FROM {self.index} WHERE id = %s LIMIT 1",
                              (document_id(article_id),))
        if not rows:
            raise NotFound(f"No article with id {article_id!r}.")
        return document_to_article(json.loads(rows[0][2])), int(rows[0][1])

    def related(self, docnum: int, article: Article, limit: int) -> list[tuple[Article, int, float]]:
        """More like this: the article's key words (share of its headline and body, times idf from
        the nodes' document counts) as one query that at least MIN_SHARED of them must match."""
        terms = field_terms(article, "title") + field_terms(article, "body")
        if not terms:
            return []
        shares = {term: count / len(terms) for term, count in Counter(terms).items()}
        candidates = sorted(shares, key=lambda t: (-shares[t], t))[:RELATED_TERMS * 4]
        probe = " | ".join(encode(t) for t in candidates)
        meta = dict(self.head.results([(f"SELECT id FROM {self.index} WHERE MATCH(%s) LIMIT 1",
                                        (f"@body ({probe})",)), ("SHOW META", ())])[1])
        documents = max(1, int(self.manifest["manticore"]["documents"]))
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
        own_group = self.duplicates.key(docnum)
        rows = self.head.rows(
            f"SELECT id, docnum, WEIGHT() AS w FROM {self.index} WHERE MATCH(%s) {BEST} "
            f"LIMIT {limit * 4 + 20} OPTION max_matches={max(1000, limit * 4 + 20)}, {ranked()}", (query,))
        own_score = next((w for _i, d, w in rows if int(d) == docnum), rows[0][2] if rows else 0)
        chosen, seen = [], {own_group}
        for doc_id, other_docnum, weight in rows:
            group = self.duplicates.key(int(other_docnum))
            if int(other_docnum) == docnum or weight < MIN_SIMILARITY * own_score or (group and group in seen):
                continue
            seen.add(group)
            chosen.append((int(doc_id), int(other_docnum), weight))
            if len(chosen) == limit:
                break
        return [(document_to_article(json.loads(stored)), int(other), weight / 1_000_000)
                for _i, other, stored, weight in self._stored(chosen)]

    def company_counts(self) -> dict[str, int]:
        return dict(self.counts.get("company", {}))

    def company_facts(self, name: str) -> CompanyFacts:
        only = {"company": f"company_ids = {value_id(name)}"}
        years, together, sources = self.head.results([
            _group_by(self.index, "year", None, only, self.groups("years")),
            _group_by(self.index, "company_ids", None, only, self.groups("company")),
            _group_by(self.index, "source_id", None, only, self.groups("source")),
        ])
        return CompanyFacts(years={int(y): int(c) for y, c in years},
                            co_mentioned=_named(self.names["company"], together),
                            sources=_named(self.names["source"], sources))

    def completion_candidates(self) -> list[str]:
        counts = self.counts.get("company", {})
        companies = sorted(counts, key=lambda n: (-counts[n], n))
        headlines, last = [], 0
        while True:
            rows = self.head.rows(f"SELECT id, undated, published_us, docnum, headline FROM {self.index} WHERE id > %s "
                                  f"ORDER BY id ASC LIMIT {PAGE_ROWS} OPTION max_matches={PAGE_ROWS}", (last,))
            headlines += [(bool(u), -int(p), int(d), t) for _i, u, p, d, t in rows if t]
            if len(rows) < PAGE_ROWS:
                break
            last = int(rows[-1][0])
        headlines.sort()
        return companies + [title for *_, title in headlines]

    def health(self) -> dict:
        rows = self.head.results([(f"SELECT id FROM {self.index} LIMIT 1", ()), ("SHOW META", ())])
        meta = dict(rows[1])
        return {"documents": int(meta.get("total_found", 0)), "partial": bool(meta.get("warning"))}


@dataclass
class ManticoreSelection:
    """What one round trip brought back: the page's rows with their stored articles, the exact total,
    the facet counts by group (value number -> articles), and whether a data node did not answer."""

    build: ManticoreBuild
    match_text: str | None
    filters: dict[str, str]
    rows: list
    total: int
    counts: dict[str, dict[int, int]]
    partial: bool

    def page(self, request: SearchRequest) -> list[PageRow]:
        """The rows' articles; the words each has are found in its text by the flow."""
        return [PageRow(document_to_article(json.loads(stored)), int(docnum), weight / 1_000_000, None)
                for _id, docnum, stored, weight in self.rows]

    def value_counts(self, facet: str) -> CountedPairs:
        if facet not in self.counts:  # not asked with the page (a facet's full list): one GROUP BY
            rows, meta = self.build.head.results([
                _group_by(self.build.index, FACET_ATTRIBUTE[facet], self.match_text, _without(self.filters, facet),
                          self.build.groups(facet)),
                ("SHOW META", ()),
            ])
            self.counts[facet] = {int(value): int(count) for value, count in rows}
            self.partial = self.partial or bool(dict(meta).get("warning"))
        names = self.build.names.get(facet, {})
        return CountedPairs((names[number], count) for number, count in self.counts[facet].items() if number in names)

    def years(self) -> dict[int, int]:
        return self.counts.get("years", {})

    def months(self, year: int) -> dict[int, int]:
        return self.counts.get("months", {})


class ManticoreArchive(Archive):
    """The search side of the archive, answered by Manticore/Sphinx nodes; safe to share between threads."""

    backend = "manticore"
    answers_fixed_by_build = False  # a data node that stops or comes back changes the answers of one build
    missing = "No index has been built yet. Run `python -m search index --backend manticore`."

    def __init__(self, index_root: Path, settings: Settings, facet_limit: int = FACET_LIMIT,
                 timeout: float | None = None):
        super().__init__(index_root, facet_limit, timeout)
        self.head = Node(settings.head, settings.timeout)

    # The files of a build this engine reads (the index itself is on the nodes), checked when it is opened.
    checked_files = (VOCABULARY_FILE, GROUPS_NAME, NAMES_FILE)

    def open_build(self, path: Path, generation: str) -> ManticoreBuild:
        return ManticoreBuild(path, generation, IndexStore(path.parent).manifest(path), self.head)

    def close(self) -> None:
        super().close()
        self.head.close()


def _named(names: dict[int, str], rows) -> list[tuple[str, int]]:
    return [(names[int(v)], int(c)) for v, c in rows if int(v) in names]


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


__all__ = ["ManticoreArchive"]
