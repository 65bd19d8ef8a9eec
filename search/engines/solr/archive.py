"""The SolrCloud engine: a SolrCloud collection answers the search flow's primitives (``engines/flow.py``).

A search page is one request to any node (``client.py``), which fans it out to a live replica of each
shard and merges, with the JSON Request API:

* what matches: the parsed query as a filter in Solr's JSON Query DSL (``translate.py``), beside the
  request's filters, each tagged with its group (``#company``, ``#source``, ``#section``, ``#date``);
* the page: scored by the product's own BM25F as a function query (below), ties by ``docnum_l``, or
  sorted by date (undated last); ``numFound`` is the exact total;
* the facets with the JSON Facet API, each value facet excluding its own group's tag (so it counts with
  every filter but its own, as the Whoosh engine's arrays do), the years of the date facet excluding the
  date group but keeping from/to, and the months of a chosen year.

**Scores.** The Whoosh engine adds up, per (field, term) of the query, ``idf * tf*(K1+1) / (tf + K1*((1-B) +
B*len/avg_len)) * boost`` (``whoosh/scoring.py``). Here the same sum is a function query over Solr's
``termfreq``, the quantised lengths the loader stored (``<field>_len_f``), the build's average lengths and
``doc_count_all`` (its manifest), and document frequencies asked from the cluster once per term and kept
per build (exact: a distributed ``query`` facet per term). The match set is the filter; the function
only orders it, so totals do not depend on it. "Any of the words" searches of five words or more are
re-ranked as the Whoosh engine does (``whoosh/feedback.py``): the key words of the ten best matches
(read from Solr, weighed by ``relevance.key_terms_of`` with document frequencies from Solr) are added to
the function with their weights. A query of more than ``MAX_FUNCTION_TERMS`` terms (a wildcard over
thousands of words) is ranked by Solr's own BM25 instead (docs/solr.md).

Snippets, highlights and "matched in" come from the product's highlighter over the stored text (through
the flow), as with the Manticore engine. Per build, the small files the loader wrote beside the manifest
are read once: the vocabulary (fuzzy words, wildcards, "did you mean") and near-duplicate groups.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from search.article import Article
from search.engines.flow import Archive, Build, CompanyFacts, CountedPairs, PageRow
from search.engines.relevance import (
    MIN_SHARED,
    MIN_SIMILARITY,
    RELATED_TERMS,
    key_terms_of,
    ordered_shares,
    term_idf,
    text_shares,
)
from search.engines.solr import fields as F
from search.engines.solr.build_files import COMPLETIONS_FILE
from search.engines.solr.client import Answer, SolrClient
from search.engines.solr.settings import Settings
from search.engines.solr.translate import EVERYTHING, Leaf, Scoring, scoring, to_filter
from search.errors import IndexMissing, NotFound
from search.index.nearduplicates import GROUPS_NAME, Groups
from search.index.schema import FIELD_BOOSTS, build_schema, document_to_article
from search.index.store import IndexStore
from search.index.vocabulary import FILE_NAME as VOCABULARY_FILE
from search.query.parser import ParsedQuery, QueryParser
from search.request import VALUE_FACETS, SearchRequest
from search.results import FACET_LIMIT, PeriodTotals
from search.text.matched import query_words

# The product's BM25 (whoosh/scoring.py) and its feedback re-ranking (whoosh/feedback.py).
B = 0.75
K1 = 1.2
FEEDBACK_DOCUMENTS = 10
FEEDBACK_TERMS = 20
FEEDBACK_WEIGHT = 0.5
FEEDBACK_MIN_WORDS = 5
FEEDBACK_FIELDS = ("title", "body")
# Past this many (field, term) pairs a query is ranked by Solr's own BM25, not the function (each
# pair costs a termfreq per matching document).
MAX_FUNCTION_TERMS = 600
FREQUENCY_BATCH = 200  # document frequencies asked per request
REQUEST_TIMEOUT = 60.0  # seconds a request may take without a deadline, when no settings say
EXPORT_ROWS = 500  # rows per cursorMark page (CSV export, completion candidates)
SINGLE_PASS_ROWS = 100  # pages ending at most this deep are fetched in one pass (``select``)
BY_SCORE = f"score desc,{F.DOCNUM} asc"
NEWEST = f"{F.UNDATED} asc,{F.PUBLISHED} desc,{F.DOCNUM} asc"
OLDEST = f"{F.UNDATED} asc,{F.PUBLISHED} asc,{F.DOCNUM} asc"
PAGE_FIELDS = f"{F.ID},{F.DOCNUM},score,{F.STORED}"
TAGS = {"company": "company", "source": "source", "section": "section", "date": "date"}


@dataclass
class Filters:
    """A request's filters: one JSON DSL query per group, and the from/to range the date facet keeps."""

    groups: dict[str, object]
    date_range: list[str]

    def tagged(self) -> list:
        return [{f"#{TAGS[group]}": query} for group, query in self.groups.items()]


class SolrBuild(Build):
    """One published build as this engine serves it: its collection on the cluster and its small files."""

    def __init__(self, path: Path, generation: str, manifest: dict, client: SolrClient):
        entry = manifest.get("solr")
        if not entry:
            raise IndexMissing("The build being served was not loaded into Solr: run "
                               "`python -m search index --backend solr`.")
        super().__init__(path, generation, manifest)
        self.client = client
        self.collection = entry.get("collection") or entry["alias"]
        self.doc_count_all = int(entry.get("doc_count_all") or entry.get("documents") or 0)
        self.avg_length = {name: float(entry.get("avg_length", {}).get(name) or 1.0) for name in F.SCORED_FIELDS}
        self.parser = QueryParser(build_schema(), vocabulary=self.vocabulary)
        self.duplicates = Groups.load(path, self.doc_count_all)
        self._frequencies: dict[tuple[str, str], int] = {}
        self._frequency_lock = threading.Lock()

    # --- Solr requests ---

    def ask(self, body: dict, params: dict | None = None) -> Answer:
        return self.client.select(self.collection, params or {}, body)

    def frequencies(self, pairs) -> dict[tuple[str, str], int]:
        """Document frequencies of (field, term) pairs over the whole collection, asked once per build."""
        with self._frequency_lock:
            wanted = [pair for pair in dict.fromkeys(pairs) if pair not in self._frequencies]
        for start in range(0, len(wanted), FREQUENCY_BATCH):
            chunk = wanted[start:start + FREQUENCY_BATCH]
            params = {f"f{i}": term for i, (_, term) in enumerate(chunk)}
            facet = {f"d{i}": {"type": "query", "q": f"{{!term f={F.text_field(name)} v=$f{i}}}"}
                     for i, (name, _) in enumerate(chunk)}
            answer = self.ask({"query": EVERYTHING, "limit": 0, "facet": facet, "params": params})
            found = {pair: int(answer.facets.get(f"d{i}", {}).get("count", 0)) for i, pair in enumerate(chunk)}
            with self._frequency_lock:
                self._frequencies.update(found)
        with self._frequency_lock:
            return {pair: self._frequencies.get(pair, 0) for pair in pairs}

    def function(self, leaves: list[Leaf], conditions: dict[str, str], params: dict[str, str],
                 negations: list[tuple[str, float]] = ()) -> str | None:
        """The product's BM25F of ``leaves`` as a Solr function (params it refers to added to ``params``), plus
        each negation's weight where its condition does not match."""
        weights: dict[tuple[str, str, str], float] = {}
        for leaf in leaves:
            key = (leaf.field, leaf.term, leaf.condition)
            weights[key] = weights.get(key, 0.0) + leaf.weight
        frequency = self.frequencies([(name, term) for name, term, _ in weights])
        names: dict[tuple[str, str], str] = {}
        parts = []
        for (name, term, condition), weight in weights.items():
            df = frequency[(name, term)]
            if not df or not weight:
                continue
            ref = names.get((name, term))
            if ref is None:
                ref = names[(name, term)] = f"w{len(names)}"
                params[ref] = term
            constant = term_idf(self.doc_count_all, df) * (K1 + 1) * weight
            solr_name = F.text_field(name)
            tf = f"termfreq({solr_name},${ref})"
            norm = f"sum({tf},{K1 * (1 - B)!r},product({K1 * B / self.avg_length[name]!r},{F.length_field(name)}))"
            part = f"div(product({constant!r},{tf}),{norm})"
            if condition:
                params[condition] = conditions[condition]
                part = f"if(exists(query(${condition})),{part},0)"
            parts.append(part)
        for condition, weight in negations:
            params[condition] = conditions[condition]
            parts.append(f"if(exists(query(${condition})),0,{weight!r})")
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else f"sum({','.join(parts)})"

    # --- matching ---

    def parse(self, q: str, any_words: bool = False) -> ParsedQuery:
        return self.parser.parse(q, any_words=any_words)

    def filters(self, request: SearchRequest) -> Filters:
        groups: dict[str, object] = {}
        for facet, solr_name in F.FACET_FIELDS.items():
            selected = request.selected(facet)
            if selected:
                clauses = [{"term": {"f": solr_name, "query": value}} for value in selected]
                groups[facet] = clauses[0] if len(clauses) == 1 else {"bool": {"should": clauses}}
        date_range = _date_range(request)
        date = list(date_range)
        if request.year:
            date.append(f"{F.MONTH}:{request.year * 100 + request.month}" if request.month
                        else f"{F.YEAR}:{request.year}")
        if date:
            groups["date"] = date[0] if len(date) == 1 else {"bool": {"must": date}}
        return Filters(groups, date_range)

    def ranking(self, parsed: ParsedQuery) -> Ranking:
        """How ``parsed`` is matched and ordered by relevance, made once per parsed query and build."""
        key = f"ranking:{parsed.any_words}:{parsed.query!r}"
        if len(key) > 4000:  # a long query is not kept (it is rarely repeated)
            return self._ranking(parsed)
        return self.derived_ranking(key, lambda: self._ranking(parsed))

    def derived_ranking(self, key: str, make: Callable[[], Ranking]) -> Ranking:
        cache = self.derived("rankings", dict)
        found = cache.get(key)
        if found is None:
            found = make()
            if len(cache) > 2000:
                cache.clear()
            cache[key] = found
        return found

    def _ranking(self, parsed: ParsedQuery) -> Ranking:
        match = to_filter(parsed.query)
        if match is None:
            return Ranking(None, EVERYTHING, {}, BY_SCORE)
        scored = scoring(parsed.query)
        params = dict(scored.params)
        if len({(leaf.field, leaf.term) for leaf in scored.leaves}) > MAX_FUNCTION_TERMS:
            return Ranking(match, match, params, BY_SCORE)  # Solr's own BM25 (docs/solr.md)
        function = self.function(scored.leaves, scored.conditions, params, scored.negations)
        if function is None:
            return Ranking(match, EVERYTHING, params, BY_SCORE)
        if parsed.any_words and scored.numpy_scored and len(scored.words()) >= FEEDBACK_MIN_WORDS:
            function = self._with_feedback(match, function, scored, params)
        return Ranking(match, {"func": {"query": function}}, params, BY_SCORE)

    def _with_feedback(self, match, function: str, scored: Scoring, params: dict[str, str]) -> str:
        """``function`` plus the key words of its ten best matches (whoosh/feedback.py ``rerank``)."""
        answer = self.ask({"query": {"func": {"query": function}}, "filter": [match], "limit": FEEDBACK_DOCUMENTS,
                           "sort": BY_SCORE, "fields": F.STORED, "params": params})
        docs = answer.response.get("docs", [])
        if answer.response.get("numFound", 0) < 2 or not docs:
            return function
        texts = []
        for doc in docs:
            stored = json.loads(doc[F.STORED])
            texts.append(f"{stored.get('title', '')}\n{stored.get('body', '')}")
        terms = key_terms_of(texts, self.doc_count_all, self._body_frequency(texts), FEEDBACK_TERMS)
        if not terms:
            return function
        leaves = [Leaf(name, term, FEEDBACK_WEIGHT * FIELD_BOOSTS[name] * weight)
                  for term, weight in terms for name in FEEDBACK_FIELDS]
        extra_params: dict[str, str] = {}
        extra = self.function(leaves, {}, extra_params)
        if extra is None:
            return function
        for name, value in extra_params.items():  # renamed apart from the query's own params
            params[f"x{name}"] = value
            extra = extra.replace(f"${name})", f"$x{name})")
        return f"sum({function},{extra})"

    def _body_frequency(self, texts: list[str]) -> Callable[[str], int]:
        """frequency(term) in the body field for ``key_terms_of``, asked ahead in batches in its order."""
        order = ordered_shares(text_shares(texts))
        position = {term: i for i, term in enumerate(order)}

        def frequency(term: str) -> int:
            with self._frequency_lock:
                known = self._frequencies.get(("body", term))
            if known is None:
                at = position.get(term, 0)
                self.frequencies([("body", t) for t in order[at:at + FREQUENCY_BATCH]] + [("body", term)])
                with self._frequency_lock:
                    known = self._frequencies.get(("body", term), 0)
            return known
        return frequency

    def select(self, parsed: ParsedQuery, request: SearchRequest, filters: Filters, with_facets: bool = False,
               with_page: bool = True) -> SolrSelection:
        """One request: the page, the exact total and the facet counts of ``parsed`` under ``filters``."""
        sort = request.sort if not (parsed.is_everything and request.sort == "relevance") else "newest"
        ranking = self.ranking(parsed) if with_page and sort == "relevance" else self.ranking_unscored(parsed)
        body = ranking.body(filters)
        if with_page:
            body.update(offset=(request.page - 1) * request.per_page, limit=request.per_page, fields=PAGE_FIELDS,
                        sort=ranking.sort if sort == "relevance" else (NEWEST if sort == "newest" else OLDEST))
        else:
            body["limit"] = 0
        facet = {}
        if with_facets:
            facet = {facet: _terms_facet(name, exclude=TAGS[facet]) for facet, name in F.FACET_FIELDS.items()}
            facet["years"] = _terms_facet(F.YEAR, exclude=TAGS["date"], filters=filters.date_range)
            if request.year:
                facet["months"] = _terms_facet(F.MONTH, exclude=TAGS["date"],
                                               filters=[*filters.date_range, f"{F.YEAR}:{request.year}"])
            body["facet"] = facet
        # A shallow page's stored fields come with the shards' first answer (one round trip less: 10-15% of a
        # search on the bundled corpus); a deep one would make each shard send offset + rows stored articles.
        shallow = with_page and request.page * request.per_page <= SINGLE_PASS_ROWS
        answer = self.ask(body, {"distrib.singlePass": "true"} if shallow else None)
        response = answer.response
        counts = {name: _buckets(answer.facets.get(name)) for name in facet}
        return SolrSelection(self, ranking, filters, response.get("docs", []), int(response.get("numFound", 0)),
                             counts, answer.partial)

    def ranking_unscored(self, parsed: ParsedQuery) -> Ranking:
        match = to_filter(parsed.query)
        return Ranking(match, EVERYTHING, {}, BY_SCORE)

    def count(self, parsed: ParsedQuery, filters: Filters) -> int:
        body = self.ranking_unscored(parsed).body(filters)
        body["limit"] = 0
        return int(self.ask(body).response.get("numFound", 0))

    def query_words(self, parsed: ParsedQuery) -> dict[str, set[str]]:
        return query_words(parsed.query)

    def period_totals(self) -> PeriodTotals:
        def count() -> PeriodTotals:
            answer = self.ask({"query": EVERYTHING, "limit": 0,
                               "facet": {"years": _terms_facet(F.YEAR), "months": _terms_facet(F.MONTH)}})
            return PeriodTotals(years={y: c for y, c in _buckets(answer.facets.get("years")).items() if int(y)},
                                months={m: c for m, c in _buckets(answer.facets.get("months")).items() if int(m)})
        return self.derived("period totals", count)

    def ordered(self, parsed: ParsedQuery, selection: SolrSelection, sort: str) -> Iterator[Article]:
        ranking = self.ranking(parsed) if sort == "relevance" else selection.ranking
        order = ranking.sort if sort == "relevance" else (NEWEST if sort == "newest" else OLDEST)
        body = ranking.body(selection.filters)
        body.update(sort=f"{order},{F.ID} asc", limit=EXPORT_ROWS, fields=F.STORED)
        for doc in self._cursor(body):
            yield document_to_article(json.loads(doc[F.STORED]))

    def _cursor(self, body: dict) -> Iterator[dict]:
        """Every document of ``body``'s query, page by page with Solr's cursorMark."""
        mark = "*"
        while True:
            answer = self.ask(body, {"cursorMark": mark})
            docs = answer.response.get("docs", [])
            yield from docs
            following = answer.body.get("nextCursorMark")
            if not docs or not following or following == mark:
                return
            mark = following

    def rank(self, parsed: ParsedQuery, limit: int) -> list[str]:
        ranking = self.ranking(parsed)
        if ranking.match is None and not parsed.is_everything:
            return []
        body = ranking.body(Filters({}, []))
        body.update(limit=limit, fields=F.ID, sort=ranking.sort)
        return [doc[F.ID] for doc in self.ask(body).response.get("docs", [])]

    # --- articles, related, companies, the search box ---

    def stored(self, article_id: str) -> tuple[Article, int]:
        answer = self.ask({"query": EVERYTHING, "filter": [{"term": {"f": F.ID, "query": article_id}}], "limit": 1,
                           "fields": f"{F.DOCNUM},{F.STORED}"})
        docs = answer.response.get("docs", [])
        if not docs:
            raise NotFound(f"No article with id {article_id!r}.")
        return document_to_article(json.loads(docs[0][F.STORED])), int(docs[0][F.DOCNUM])

    def related(self, docnum: int, article: Article, limit: int) -> list[tuple[Article, int, float]]:
        """More like this (whoosh/related.py): the article's key words (``relevance.key_terms_of``, document
        frequencies from Solr) as one function query over headlines and bodies; the matches that share fewer
        than MIN_SHARED of them, score under MIN_SIMILARITY of the article's own, or are near-duplicates of it
        (or of a better one) are left out."""
        texts = [f"{article.title}\n{article.body}"]
        words = key_terms_of(texts, self.doc_count_all, self._body_frequency(texts), RELATED_TERMS)
        if not words or limit <= 0:
            return []
        params: dict[str, str] = {}
        leaves = [Leaf(name, term, FIELD_BOOSTS[name] * weight) for term, weight in words for name in FEEDBACK_FIELDS]
        function = self.function(leaves, {}, params)
        if function is None:
            return []
        shared = []
        for i, (term, _weight) in enumerate(words):
            params[f"k{i}"] = term
            shared.append(f"if(sum(termfreq({F.text_field('title')},$k{i}),termfreq({F.text_field('body')},$k{i})),1,0)")
        match = {"bool": {"should": [{"terms": {"f": F.text_field(name), "query": " ".join(t for t, _ in words),
                                                "separator": " "}} for name in FEEDBACK_FIELDS]}}
        share_filter = f"{{!frange l={MIN_SHARED}}}sum({','.join(shared)})"
        query = {"func": {"query": function}}
        own = self.ask({"query": query, "filter": [match, f"{F.DOCNUM}:{int(docnum)}"], "limit": 1,
                        "fields": "score", "params": params}).response.get("docs", [])
        own_group = self.duplicates.group_of[docnum] if 0 <= docnum < len(self.duplicates.group_of) else -1
        found: list[tuple[dict, float]] = []
        seen: set[int] = set()
        offset, rows = 0, limit * 4 + 20
        own_score = float(own[0]["score"]) if own else None
        while len(found) < limit:
            answer = self.ask({"query": query, "filter": [match, share_filter], "offset": offset, "limit": rows,
                               "sort": BY_SCORE, "fields": f"{F.DOCNUM},score,{F.STORED}", "params": params})
            docs = answer.response.get("docs", [])
            if own_score is None:
                own_score = float(docs[0]["score"]) if docs else 0.0
            for doc in docs:
                other, score = int(doc[F.DOCNUM]), float(doc["score"])
                if score < MIN_SIMILARITY * own_score:
                    docs = []
                    break
                group = self.duplicates.group_of[other] if 0 <= other < len(self.duplicates.group_of) else -1
                if other == docnum or (own_group >= 0 and group == own_group):
                    continue
                if group >= 0:
                    if group in seen:
                        continue
                    seen.add(group)
                found.append((doc, score))
                if len(found) == limit:
                    break
            offset += rows
            if len(docs) < rows:
                break
        return [(document_to_article(json.loads(doc[F.STORED])), int(doc[F.DOCNUM]), score) for doc, score in found]

    def company_counts(self) -> dict[str, int]:
        answer = self.ask({"query": EVERYTHING, "limit": 0,
                           "facet": {"company": _terms_facet(F.FACET_FIELDS["company"])}})
        return _buckets(answer.facets.get("company"))

    def company_facts(self, name: str) -> CompanyFacts:
        answer = self.ask({"query": EVERYTHING, "limit": 0,
                           "filter": [{"term": {"f": F.FACET_FIELDS["company"], "query": name}}],
                           "facet": {"years": _terms_facet(F.YEAR),
                                     "company": _terms_facet(F.FACET_FIELDS["company"]),
                                     "source": _terms_facet(F.FACET_FIELDS["source"])}})
        return CompanyFacts(years={int(y): c for y, c in _buckets(answer.facets.get("years")).items()},
                            co_mentioned=list(_buckets(answer.facets.get("company")).items()),
                            sources=list(_buckets(answer.facets.get("source")).items()))

    def completion_candidates(self) -> list[str]:
        path = self.path / COMPLETIONS_FILE
        if path.exists():
            return list(json.loads(path.read_text(encoding="utf-8")))
        counts = self.company_counts()
        companies = sorted(counts, key=lambda n: (-counts[n], n))
        body = {"query": EVERYTHING, "sort": f"{NEWEST},{F.ID} asc", "limit": EXPORT_ROWS, "fields": F.STORED}
        headlines = [json.loads(doc[F.STORED]).get("title", "") for doc in self._cursor(body)]
        return companies + [title for title in headlines if title]

    def health(self) -> dict:
        answer = self.ask({"query": EVERYTHING, "limit": 0})
        return {"documents": int(answer.response.get("numFound", 0)), "partial": answer.partial}


@dataclass
class Ranking:
    """A parsed query as Solr matches and orders it: ``match`` (JSON DSL filter, None: everything), the
    ``query`` that scores (a function, or the match itself), the params both refer to, the relevance sort."""

    match: object
    query: object
    params: dict[str, str]
    sort: str

    def body(self, filters: Filters) -> dict:
        """A JSON Request API body: the query, the match and the request's tagged filters."""
        matched = [self.match] if self.match is not None else []
        body: dict = {"query": self.query, "filter": matched + filters.tagged()}
        if self.params:
            body["params"] = dict(self.params)
        return body


@dataclass
class SolrSelection:
    """What one request brought back: the page's documents, the exact total, the facet counts, partial or not."""

    build: SolrBuild
    ranking: Ranking
    filters: Filters
    docs: list
    total: int
    counts: dict[str, dict]
    partial: bool

    def page(self, request: SearchRequest) -> list[PageRow]:
        """The documents' articles; the words each has are found in its text by the flow."""
        return [PageRow(document_to_article(json.loads(doc[F.STORED])), int(doc[F.DOCNUM]),
                        float(doc["score"]) if request.sort == "relevance" and "score" in doc else None, None)
                for doc in self.docs]

    def value_counts(self, facet: str) -> CountedPairs:
        if facet not in self.counts:  # not asked with the page (a facet's full list): one request
            body = self.ranking.body(self.filters)
            body.update(limit=0, facet={facet: _terms_facet(F.FACET_FIELDS[facet], exclude=TAGS[facet])})
            body["query"] = EVERYTHING
            answer = self.build.ask(body)
            self.counts[facet] = _buckets(answer.facets.get(facet))
            self.partial = self.partial or answer.partial
        return CountedPairs(self.counts[facet].items())

    def years(self) -> dict[int, int]:
        return {int(y): c for y, c in self.counts.get("years", {}).items()}

    def months(self, year: int) -> dict[int, int]:
        return {int(m): c for m, c in self.counts.get("months", {}).items()}


class SolrArchive(Archive):
    """The search side of the archive, answered by a SolrCloud cluster; safe to share between threads."""

    backend = "solr"
    answers_fixed_by_build = False  # a node that stops or comes back changes the answers of one build
    missing = "No index has been built yet. Run `python -m search index --backend solr`."
    checked_files = (VOCABULARY_FILE, GROUPS_NAME)

    def __init__(self, index_root: Path, settings: Settings | None = None, facet_limit: int = FACET_LIMIT,
                 timeout: float | None = None):
        """``settings``: the nodes to ask (ARCHIVE_SOLR_*); None: those the build's manifest names (tests, tools)."""
        super().__init__(index_root, facet_limit, timeout)
        self.settings = settings
        self._clients: dict[tuple[str, ...], SolrClient] = {}
        self._clients_lock = threading.Lock()

    def client(self, manifest: dict) -> SolrClient:
        """The client to the nodes of the settings, else those the build's manifest names."""
        urls = self.settings.urls if self.settings else tuple(manifest.get("solr", {}).get("urls", ()))
        with self._clients_lock:
            client = self._clients.get(urls)
            if client is None:
                timeout = self.settings.timeout if self.settings else REQUEST_TIMEOUT
                client = self._clients[urls] = SolrClient(list(urls), timeout)
            return client

    def open_build(self, path: Path, generation: str) -> SolrBuild:
        manifest = IndexStore(path.parent).manifest(path)
        return SolrBuild(path, generation, manifest, self.client(manifest))

    def close(self) -> None:
        super().close()
        with self._clients_lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()


def _terms_facet(name: str, exclude: str = "", filters: list | None = None) -> dict:
    """Every value of ``name`` with a count above 0 (limit -1: exact over the shards, no refinement needed)."""
    facet: dict = {"type": "terms", "field": name, "limit": -1, "mincount": 1, "sort": "index asc"}
    domain: dict = {}
    if exclude:
        domain["excludeTags"] = exclude
    if filters:
        domain["filter"] = list(filters)
    if domain:
        facet["domain"] = domain
    return facet


def _buckets(facet: dict | None) -> dict:
    if not facet:
        return {}
    return {bucket["val"]: int(bucket["count"]) for bucket in facet.get("buckets", []) if bucket.get("count")}


def _date_range(request: SearchRequest) -> list[str]:
    """The from/to conditions, which the date facet's own counts keep (the year chosen they do not)."""
    found = []
    if request.date_from:
        found.append(f"{F.DAY}:[{_day(request.date_from)} TO *]")
    if request.date_to:
        found.append(f"{F.DAY}:[* TO {_day(request.date_to)}]")
    return found


def _day(value) -> int:
    return value.year * 10000 + value.month * 100 + value.day


__all__ = ["SolrArchive", "SolrBuild", "Settings", "VALUE_FACETS"]
