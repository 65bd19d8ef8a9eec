"""The backend contract (search/backend.py), run against every engine on the same build.

A real cluster is started for these tests: two ``searchd`` data nodes on loopback ports, each
holding about half the articles, and a head node whose distributed index fans out to both
(Debian's ``sphinxsearch``; ``.ci/run`` installs it). The bundled corpus is built once, loaded
into the cluster before it is published, and then asked the same questions through the Whoosh
engine and through the cluster; a few articles with several sections each (a list of values, as
Reuters' topics) are added to it, so that a multi-valued section facet is covered on both. Totals
and facet counts are compared with each other and with a
brute-force count over the parsed articles; date orders must be identical; every hit of a word
query must carry its highlights. Relevance order is each engine's own BM25F and is compared as
a set for Manticore; the SolrCloud engine (a session cluster of 3 nodes, tests/support/solr.py, the
collection 2 shards x 2 replicas) scores with the product's own BM25F and must give the Whoosh engine's
first pages, in the same order.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from dataclasses import replace
from datetime import date

import pytest

from search.engines.manticore.archive import ManticoreArchive
from search.engines.manticore.sphinxql import Settings
from search.engines.solr.archive import SolrArchive
from search.engines.whoosh.archive import WhooshArchive
from search.errors import BadRequest, NotFound
from search.index.store import Credit
from search.ingest.corpus import CorpusReader
from search.request import SearchRequest
from search.text.analysis import text_terms
from tests.support.cluster import cluster_settings, load_into_cluster, start_cluster
from tests.support.facet_lists import every_facet_value
from tests.support.paths import CORPUS
from tests.support.solr import load_into
from web import create_app

ENGINES = ("whoosh", "manticore", "solr")
OTHERS = ENGINES[1:]  # each compared with the Whoosh engine, the reference

# Queries of words only: checked against brute force as well as across engines.
WORD_QUERIES = ("china", "trump biden", "covid vaccine", "2020 election", "bytedance tiktok", "police",
                "company", "market", "president", "killed people", "government said")
# Query syntax: the engines must agree.
SYNTAX_QUERIES = ("tiktok OR huawei", "china -trump", "-trump", '"white house"', '"prime minister"',
                  '"interest rates"', "title:china", 'company:"ByteDance"', "caption:photo", "source:wikinews",
                  "credit:xinhua", "bytedanse~1", "fly*", "presid*", "elecion~1 2020", "+china trade",
                  "(china OR russia) trade", "section:politics", "NOT china", "china NOT (trump OR biden)",
                  "headline:vaccine OR caption:vaccine", "china trade -tariff", "tiktok zebra", "*", "")


# Articles with several sections: lists in either order, a repeat and an empty value, a text with a comma
# (one value), and the "categories" synonym; the same words as the rest of the corpus, so that queries reach them.
SECTIONED = [
    {"id": "wire-1", "title": "Oil tanker rates climb as China buys crude", "published": "2020-05-04",
     "section": ["Energy", "Shipping"], "body": "Tanker rates rose as China bought crude oil, the government said."},
    {"id": "wire-2", "title": "Port congestion slows oil shipments", "published": "2020-06-11",
     "section": ["Shipping", "Energy"],
     "body": "Ships waited outside the port; the president of the port authority said."},
    {"id": "wire-3", "title": "Refinery restarts after the storm", "published": "2021-01-20",
     "section": ["Energy"], "body": "The refinery restarted after the storm passed, the company said."},
    {"id": "wire-4", "title": "Freight market steadies", "published": "2019-09-30",
     "section": "Energy, Shipping", "body": "The freight market steadied in September."},
    {"id": "wire-5", "title": "Oil market falls on trade fears", "published": "2019-08-05",
     "section": ["Markets", "Energy", "Markets", " "],
     "body": "Oil fell as trade fears between China and the US grew."},
    {"id": "wire-6", "title": "Election pledges on fuel prices", "published": "2020-10-21",
     "categories": ["Politics", "Energy"], "body": "Both candidates in the 2020 election promised lower fuel prices."},
]


@pytest.fixture(scope="module")
def contract_corpus(tmp_path_factory):
    """The bundled corpus and the SECTIONED articles, in a folder of their own."""
    corpus = tmp_path_factory.mktemp("contract-corpus") / "corpus"
    shutil.copytree(CORPUS, corpus)
    (corpus / "wire").mkdir()
    (corpus / "wire" / "sections.jsonl").write_text(
        "".join(json.dumps({**record, "source": "Wire"}) + "\n" for record in SECTIONED), encoding="utf-8")
    return corpus


@pytest.fixture(scope="module")
def contract_articles(contract_corpus):
    """Every article of the contract's corpus, parsed independently of the index (for brute-force checks)."""
    return [article for result in CorpusReader(contract_corpus).read_all() for article in result.articles]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    started = start_cluster(tmp_path_factory.mktemp("cluster"))
    yield started
    started.stop()


@pytest.fixture(scope="module")
def settings(cluster) -> Settings:
    return cluster_settings(cluster)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory, settings, contract_corpus):
    """The contract's corpus built once and loaded into the cluster before publishing: (index root, load report)."""
    root = tmp_path_factory.mktemp("contract-index")
    return root, load_into_cluster(contract_corpus, root, settings)


@pytest.fixture(scope="module")
def solr_root(tmp_path_factory, contract_corpus, solr_cluster):
    """The contract's corpus loaded by the Solr loader (``index --backend solr``: no Whoosh build) into a
    collection of the session SolrCloud (2 shards x 2 replicas), alias ``contract``: its index root."""
    root = tmp_path_factory.mktemp("contract-solr")
    load_into(solr_cluster, contract_corpus, root, alias="contract")
    return root


@pytest.fixture(scope="module")
def engines(loaded, settings, solr_root):
    root, _ = loaded
    opened = {"whoosh": WhooshArchive(root), "manticore": ManticoreArchive(root, settings),
              "solr": SolrArchive(solr_root)}
    yield opened
    for engine in opened.values():
        engine.close()


@pytest.fixture(params=ENGINES)
def engine(request, engines):
    return engines[request.param]


# --- brute force over the articles as parsed (not as indexed) ----------------------------------

def _stems(text: str) -> set[str]:
    return {term for _, _, term in text_terms(text)}


@pytest.fixture(scope="module")
def article_terms(contract_articles):
    return {a.id: _stems(f"{a.title}\n{a.body}\n" + "\n".join(a.captions)) for a in contract_articles}


def brute_matches(q: str, articles, terms) -> list:
    """Articles with every word of ``q`` in the headline, body or captions (a year also matches its
    publication year), as the search box's default mode means."""
    wanted = [(word, {t for _, _, t in text_terms(word)}) for word in q.split()]
    found = []
    for article in articles:
        ok = True
        for word, stems in wanted:
            year = re.fullmatch(r"\d{4}", word) and article.published and str(article.published.year) == word
            if not (stems & terms[article.id]) and not year:
                ok = False
                break
        if ok:
            found.append(article)
    return found


def _passes(article, request: SearchRequest, skip: str = "") -> bool:
    if skip != "company" and request.companies and not set(request.companies) & set(article.companies):
        return False
    if skip != "source" and request.sources and article.source not in request.sources:
        return False
    if skip != "section" and request.sections and not set(request.sections) & set(article.sections):
        return False
    day = article.published.date() if article.published else None
    if request.date_from and (day is None or day < request.date_from):
        return False
    if request.date_to and (day is None or day > request.date_to):
        return False
    if skip != "date" and request.year:
        if day is None or day.year != request.year or (request.month and day.month != request.month):
            return False
    return True


def brute_facets(matched, request: SearchRequest) -> dict[str, Counter]:
    """Each facet's counts among the matches, with every filter but its own (disjunctive facets)."""
    counts = {"company": Counter(), "source": Counter(), "section": Counter(), "years": Counter()}
    for article in matched:
        if _passes(article, request, "company"):
            counts["company"].update(set(article.companies))
        if _passes(article, request, "source") and article.source:
            counts["source"][article.source] += 1
        if _passes(article, request, "section"):
            counts["section"].update(set(article.sections))
        if _passes(article, request, "date") and article.published:
            counts["years"][article.published.year] += 1
    return counts


# --- the contract ------------------------------------------------------------------------------

def test_the_cluster_holds_every_article_split_across_both_data_nodes(loaded, contract_articles):
    _, report = loaded
    assert report["documents"] == len(contract_articles)
    assert len(report["per_node"]) == 2 and all(n > 0.3 * len(contract_articles) for n in report["per_node"])
    assert sum(report["per_node"]) == len(contract_articles)


@pytest.mark.parametrize("q", WORD_QUERIES)
def test_word_queries_find_what_brute_force_finds(engine, q, contract_articles, article_terms):
    expected = {a.id for a in brute_matches(q, contract_articles, article_terms)}
    assert expected, f"{q!r} should match something in the bundled corpus"
    request = SearchRequest(q=q, match="all", per_page=100)
    assert engine.search(request).total == len(expected)
    assert {article.id for article in engine.iter_matches(request)} == expected


def test_an_article_with_several_sections_counts_once_in_each(engine, contract_articles):
    wire = {a.id.rsplit("-", 1)[0]: a.sections for a in contract_articles if a.source == "Wire"}
    assert wire == {"wire-1": ["Energy", "Shipping"], "wire-2": ["Shipping", "Energy"], "wire-3": ["Energy"],
                    "wire-4": ["Energy, Shipping"], "wire-5": ["Markets", "Energy"], "wire-6": ["Politics", "Energy"]}
    results = engine.search(SearchRequest(q="", sources=("Wire",)))
    assert {v.value: v.count for v in results.facets["section"]} == {
        "Energy": 5, "Shipping": 2, "Energy, Shipping": 1, "Markets": 1, "Politics": 1}
    shipping = engine.search(SearchRequest(q="", sections=("Shipping",), sort="oldest"))
    assert [hit.sections for hit in shipping.hits] == [["Energy", "Shipping"], ["Shipping", "Energy"]]
    article = engine.article(shipping.hits[1].id).article
    assert article.sections == ["Shipping", "Energy"]
    assert engine.search(SearchRequest(q="section:shipping", sources=("Wire",))).total == 3


@pytest.mark.parametrize("q", SYNTAX_QUERIES)
def test_the_engines_find_the_same_articles_for_the_query_syntax(engines, q):
    request = SearchRequest(q=q, per_page=100)
    whoosh = engines["whoosh"].search(request)
    for name in OTHERS:
        other = engines[name].search(request)
        assert other.total == whoosh.total, name
        assert other.match == whoosh.match, name
        assert ({a.id for a in engines[name].iter_matches(request)}
                == {a.id for a in engines["whoosh"].iter_matches(request)}), name
        assert other.facets == whoosh.facets, name


# First pages by relevance the Solr engine must give exactly as the Whoosh engine (order and scores).
FIRST_PAGE_QUERIES = WORD_QUERIES + ('"white house"', '"prime minister"', "title:china", "china -trump", "+china trade",
                                     "(china OR russia) trade", "fly*", "headline:vaccine OR caption:vaccine",
                                     "bytedanse~1", "china trade market police government vaccine",
                                     "president said the election was won by biden", "china NOT (trump OR biden)",
                                     "NOT china", "tiktok OR huawei -china", '"prime minister"~3 election')


@pytest.mark.parametrize("match", ["all", "any"])
@pytest.mark.parametrize("q", FIRST_PAGE_QUERIES)
def test_solr_gives_the_whoosh_engines_first_pages(engines, q, match):
    request = SearchRequest(q=q, match=match, per_page=20)
    whoosh, solr = engines["whoosh"].search(request), engines["solr"].search(request)
    assert solr.total == whoosh.total
    assert [(h.id, [s.id for s in h.similar]) for h in solr.hits] == \
        [(h.id, [s.id for s in h.similar]) for h in whoosh.hits]
    assert [h.score for h in solr.hits] == pytest.approx([h.score for h in whoosh.hits], rel=1e-4, abs=1e-3)


def test_solr_ranks_as_the_whoosh_engine(engines):
    """``rank`` (make eval): any of the words, the feedback re-ranking of five words or more included."""
    for q in ("china trade market police government vaccine", "renal blood flow of newborn infants", "police"):
        assert engines["solr"].rank(q, 50) == engines["whoosh"].rank(q, 50), q


FILTERED = (
    SearchRequest(q="china"),
    SearchRequest(q="china", sources=("Global Times",)),
    SearchRequest(q="", year=2020),
    SearchRequest(q="", year=2020, month=3),
    SearchRequest(q="president", date_from=date(2019, 6, 1), date_to=date(2020, 12, 31)),
    SearchRequest(q="president", date_from=date(2019, 6, 1), year=2020),
    SearchRequest(q="company", companies=("ByteDance", "TikTok")),
    SearchRequest(q="", sources=("Wikinews",), sections=("Politics and conflicts",)),
    SearchRequest(q="2020 election", sources=("Wikinews", "Global Times"), year=2020),
    SearchRequest(q="", sections=("Energy",)),
    SearchRequest(q="oil", sections=("Shipping", "Markets")),
    SearchRequest(q="china", sections=("Energy",), year=2020),
)


@pytest.mark.parametrize("request_", FILTERED, ids=lambda r: str(r.to_params() if hasattr(r, "to_params") else r))
def test_filtered_totals_and_facet_counts_are_exact(engine, request_, contract_articles, article_terms):
    pool = brute_matches(request_.q, contract_articles, article_terms) if request_.q else contract_articles
    expected = [a for a in pool if _passes(a, request_)]
    results = engine.search(replace(request_, match="all"))
    assert results.total == len(expected)
    counts = brute_facets(pool, request_)
    for facet in ("company", "source", "section"):
        shown = {v.value: v.count for v in results.facets[facet]}
        top = sorted(((n, c) for n, c in counts[facet].items()), key=lambda p: (-p[1], p[0]))[:12]
        for name, count in top:
            assert shown.get(name) == count, (facet, name)
    years = {int(v.value): v.count for v in results.facets["date"] if len(v.value) == 4}
    assert {y: c for y, c in years.items() if c} == dict(counts["years"])


def test_facet_values_and_their_order_are_the_same_on_both_engines(engines):
    for request in FILTERED:
        whoosh = engines["whoosh"].search(request)
        for name in OTHERS:
            other = engines[name].search(request)
            assert other.facets == whoosh.facets, (name, request)
            assert other.facets["date"].totals == whoosh.facets["date"].totals, name


@pytest.mark.parametrize("request_", FILTERED, ids=lambda r: str(r.to_params() if hasattr(r, "to_params") else r))
def test_a_facets_full_list_counts_every_value_exactly(engine, request_, contract_articles, article_terms):
    """Issue 14, item 8: every value, not only the top 12, with the facet's disjunctive counts (brute force)."""
    request_ = replace(request_, match="all")
    pool = brute_matches(request_.q, contract_articles, article_terms) if request_.q else contract_articles
    counts = brute_facets(pool, request_)
    results = engine.search(request_)
    for facet in ("company", "source", "section"):
        listed = every_facet_value(engine, request_, facet)
        expected = {name: count for name, count in counts[facet].items() if count}
        expected.update({name: expected.get(name, 0) for name in request_.selected(facet)})
        assert {v.value: v.count for v in listed} == expected, facet
        assert [v.value for v in listed] == sorted(expected, key=lambda name: (-expected[name], name)), facet
        assert {v.value for v in listed if v.selected} == set(request_.selected(facet))
        assert results.facets[facet].distinct == len(listed), facet


def test_facet_lists_are_the_same_on_both_engines(engines):
    requests = [*FILTERED, SearchRequest(q="tiktok zebra"), SearchRequest(q="china", companies=("No Such Company",)),
                SearchRequest(q="")]
    for request in requests:
        for facet in ("company", "source", "section"):
            for contains, offset, limit in (("", 0, 200), ("", 3, 5), ("the", 0, 4), ("NEWS", 1, 2), ("zzz", 0, 10)):
                whoosh = engines["whoosh"].facet_values(request, facet, contains, offset, limit)
                for name in OTHERS:
                    other = engines[name].facet_values(request, facet, contains, offset, limit)
                    assert other == whoosh, (name, request, facet, contains, offset)
                    assert not other.partial
        for name in OTHERS:
            assert engines[name].search(request).facets["company"].distinct == \
                engines["whoosh"].search(request).facets["company"].distinct, name


def test_a_facets_list_pages_and_filters_alike(engine):
    request = SearchRequest(q="")
    whole = every_facet_value(engine, request, "company")
    assert len(whole) > 200  # more than one page of the largest size
    assert every_facet_value(engine, request, "company", limit=9) == whole
    page = engine.facet_values(request, "company", "TIMES", 0, 50)
    assert page.values and all("times" in v.value.lower() for v in page.values)
    assert page.total == sum("times" in v.value.lower() for v in whole) and page.distinct == len(whole)
    with pytest.raises(NotFound):
        engine.facet_values(request, "date")


@pytest.mark.parametrize("sort", ["newest", "oldest"])
@pytest.mark.parametrize("q", ["china", "", "president -trump"])
def test_date_order_is_identical(engines, q, sort):
    request = SearchRequest(q=q, sort=sort, per_page=100)
    ids = {name: [h.id for h in _all_hits(engine.search(request), keep_order=True)] for name, engine in engines.items()}
    pages = {name: _paged_ids(engine, request) for name, engine in engines.items()}
    for name in OTHERS:
        assert ids[name] == ids["whoosh"], name
        assert pages[name] == pages["whoosh"], name
    assert len(pages["whoosh"]) == len(set(pages["whoosh"]))


def test_relevance_pages_cover_the_matches_once(engine):
    request = SearchRequest(q="china trade", match="any", per_page=7)
    total = engine.search(request).total
    seen = _paged_ids(engine, request)
    assert len(seen) == total == len(set(seen))


@pytest.mark.parametrize("q", ["china", "vaccine", '"white house"', "caption:photo", "bytedanse~1"])
def test_every_hit_carries_its_highlights(engine, q):
    results = engine.search(SearchRequest(q=q, sort="newest", per_page=20))
    assert results.hits
    for hit in _all_hits(results):
        assert "<mark>" in hit.title_html + hit.snippet, hit.id
        assert hit.matched_in


def test_snippets_and_headlines_are_marked_alike(engines):
    request = SearchRequest(q="china economy", sort="newest", per_page=20)
    whoosh = engines["whoosh"].search(request)
    for name in OTHERS:
        assert [(h.id, h.title_html, h.snippet) for h in _all_hits(engines[name].search(request), keep_order=True)] == \
            [(h.id, h.title_html, h.snippet) for h in _all_hits(whoosh, keep_order=True)], name


def test_near_duplicates_fold_the_same_way(engines):
    request = SearchRequest(q="", sort="newest", per_page=100)
    folded = {name: [(h.id, [s.id for s in h.similar]) for h in engine.search(request).hits]
              for name, engine in engines.items()}
    for name in OTHERS:
        assert folded[name] == folded["whoosh"], name


def test_fallback_and_suggestion_behave_alike(engines):
    for q in ("tiktok zebra", "presidnet", "chna trade", "the who", "foo:bar", "date:2020", "year:2020 election"):
        whoosh = engines["whoosh"].search(SearchRequest(q=q))
        for name in OTHERS:
            other = engines[name].search(SearchRequest(q=q))
            assert (other.total, other.match, other.notice, other.suggestion) == \
                (whoosh.total, whoosh.match, whoosh.notice, whoosh.suggestion), (name, q)


def test_whole_articles_and_more_like_this(engines, seed_id):
    whoosh = engines["whoosh"].article(seed_id, q="bytedance")
    for name in OTHERS:
        other = engines[name].article(seed_id, q="bytedance")
        assert other.article == whoosh.article
        assert other.title_html == whoosh.title_html and "<mark>" in other.title_html
        assert other.paragraphs_html == whoosh.paragraphs_html
        related = [hit.id for hit in other.related]
        assert seed_id not in related and len(related) == len(set(related))
    assert engines["manticore"].article(seed_id).related, "the seed has related articles on Manticore"
    # Solr's related articles are the Whoosh engine's (whoosh/related.py's rules, Solr's term statistics): none
    # for this seed under the product's similarity floor, and the same lists for every article
    assert [h.id for h in engines["solr"].article(seed_id).related] == [h.id for h in whoosh.related]
    newest = [a.id for a in engines["whoosh"].iter_matches(SearchRequest(q="", sort="newest"))]
    for article_id in newest[::10]:
        assert [(h.id, h.group) for h in engines["solr"].related(article_id)] == \
            [(h.id, h.group) for h in engines["whoosh"].related(article_id)], article_id
    for engine in engines.values():
        with pytest.raises(NotFound):
            engine.article("no-such-article")


def test_related_articles_share_key_words(engines, contract_articles, seed_id):
    by_id = {a.id: a for a in contract_articles}
    seed_terms = _stems(by_id[seed_id].title + "\n" + by_id[seed_id].body)
    for name in OTHERS:
        for hit in engines[name].related(seed_id, limit=5):
            other = by_id[hit.id]
            assert len(seed_terms & _stems(other.title + "\n" + other.body)) >= 2


def test_company_pages_are_the_same(engines, contract_articles):
    named = Counter(name for a in contract_articles for name in set(a.companies))
    from search.companies.directory import company_slug
    for name, count in named.most_common(5):
        whoosh = engines["whoosh"].company(company_slug(name), CORPUS)
        for other in (engines[e].company(company_slug(name), CORPUS) for e in OTHERS):
            assert other[0] == whoosh[0]
            assert other[0].articles == count
            assert [h.id for h in other[1].hits] == [h.id for h in whoosh[1].hits]
    for engine in engines.values():
        with pytest.raises(NotFound):
            engine.company("no-such-company")


def test_suggestions_are_the_same(engines):
    for typed in ("byte", "chin", "pres", "white ho", "zzzz"):
        for name in OTHERS:
            assert engines[name].complete(typed) == engines["whoosh"].complete(typed), (name, typed)


def test_the_csv_export_lists_the_same_articles_in_the_same_order(engines):
    for request in (SearchRequest(q="china", sort="newest"), SearchRequest(q="", sources=("Wikinews",), sort="oldest")):
        ids = {name: [a.id for a in engine.iter_matches(request)] for name, engine in engines.items()}
        assert len(ids["whoosh"]) == engines["whoosh"].search(request).total
        for name in OTHERS:
            assert ids[name] == ids["whoosh"], name


def test_bad_queries_are_refused_alike(engine):
    for q in ("tiktok~5", "t*", "a" * 10 + "~9"):
        with pytest.raises(BadRequest):
            engine.search(SearchRequest(q=q))


def test_year_prefix_filters_alike(engines, contract_articles):
    published_2020 = {a.id for a in contract_articles if a.published and a.published.year == 2020}
    for engine in engines.values():
        assert {a.id for a in engine.iter_matches(SearchRequest(q="year:2020"))} == published_2020


def test_every_engine_credits_the_sources_of_the_build(engines, contract_articles):
    """credits(): every source with the licence its articles give, most articles first, from the build."""
    expected = Counter((a.source, a.license) for a in contract_articles)
    for engine in engines.values():
        credits = engine.credits()
        assert {(c.source, c.license): c.articles for c in credits} == dict(expected)
        assert [c.articles for c in credits] == sorted((c.articles for c in credits), reverse=True)
        assert Credit("Wikinews", "CC BY 2.5", expected["Wikinews", "CC BY 2.5"], "https://en.wikinews.org/") in credits
    for name in OTHERS:
        assert engines[name].credits() == engines["whoosh"].credits()


def test_date_only_articles_have_no_time_on_both(engines, contract_articles):
    """Wikinews gives the day alone: its hits and articles say date-only, and JSON gives the day."""
    request = SearchRequest(sources=("Wikinews",), sort="oldest", per_page=5)
    first = min((a for a in contract_articles if a.source == "Wikinews"), key=lambda a: a.published)
    for engine in engines.values():
        hits = engine.search(request).hits
        assert hits and all(hit.date_only for hit in hits)
        assert hits[0].to_json()["published"] == first.published.date().isoformat() == "2019-01-04"
        assert engine.article(first.id).article.date_only
        assert all(a.date_only for a in engine.iter_matches(request))
    timed = SearchRequest(q="bytedance", sources=("Global Times",))
    for engine in engines.values():
        assert not engine.search(timed).hits[0].date_only


def test_stats_count_the_articles(engines, contract_articles):
    for name in OTHERS:
        assert engines[name].stats()["documents"] == engines["whoosh"].stats()["documents"] == len(contract_articles)
    assert engines["solr"].stats()["partial"] is False and engines["solr"].stats()["backend"] == "solr"


# --- the web layer does not know which engine answers ------------------------------------------

@pytest.fixture(scope="module")
def clients(loaded, settings, solr_root, solr_cluster):
    root, _ = loaded
    environ = {"ARCHIVE_MANTICORE_HOST": settings.head.host, "ARCHIVE_MANTICORE_PORT": str(settings.head.port),
               "ARCHIVE_SOLR_URLS": ",".join(solr_cluster.urls), "ARCHIVE_SOLR_ALIAS": "contract"}
    roots = {"whoosh": root, "manticore": root, "solr": solr_root}
    with pytest.MonkeyPatch.context() as patch:
        for key, value in environ.items():
            patch.setenv(key, value)
        apps = {name: create_app({"INDEX_DIR": str(roots[name]), "SEARCH_BACKEND": name, "TESTING": True})
                for name in ENGINES}
    yield {name: app.test_client() for name, app in apps.items()}
    for app in apps.values():
        app.extensions["archive"].close()


def test_the_web_layer_opens_the_engine_it_is_told(clients):
    assert isinstance(clients["manticore"].application.extensions["archive"], ManticoreArchive)
    assert isinstance(clients["whoosh"].application.extensions["archive"], WhooshArchive)
    assert isinstance(clients["solr"].application.extensions["archive"], SolrArchive)


@pytest.mark.parametrize("query", ["q=china&sort=newest", "q=trump+biden&year=2020&per_page=100",
                                   "q=&source=Wikinews&per_page=50",
                                   "q=bytedance&company=ByteDance", "q=presid*&sort=oldest", "q=vaccine&per_page=100",
                                   "q=&section=Energy&section=Markets&sort=newest"])
def test_the_api_answers_the_same_json(clients, query):
    """The same JSON from every engine; by relevance, the same hits, each in its engine's own order (Solr: the
    Whoosh engine's order)."""
    answers = {}
    for name, client in clients.items():
        response = client.get(f"/api/search?{query}")
        assert response.status_code == 200
        body = response.get_json()
        body.pop("took_ms")
        hits = [hit for top in body.pop("hits") for hit in [top, *top.pop("similar")]]
        for hit in hits:
            hit.pop("score")
        if "sort=" not in query and name == "manticore":  # relevance: Manticore ranks with its own BM25F
            hits.sort(key=lambda hit: hit["id"])
        answers[name] = body, hits
    whoosh_hits = answers["whoosh"][1]
    if "sort=" not in query:
        answers["whoosh"] = answers["whoosh"][0], sorted(whoosh_hits, key=lambda hit: hit["id"])
    assert answers["manticore"] == answers["whoosh"]
    assert answers["solr"] == (answers["whoosh"][0], whoosh_hits)
    for name in OTHERS:
        assert answers[name][0]["partial"] is False


@pytest.mark.parametrize("query", ["q=police", "q=china&company=Twitter&facet_q=the&facet_limit=5&facet_offset=2",
                                   "q=&source=Wire&facet_q=e"])
def test_the_facet_api_answers_the_same_json(clients, query):
    for facet in ("company", "source", "section"):
        answers = [client.get(f"/api/facet/{facet}?{query}") for client in clients.values()]
        assert [a.status_code for a in answers] == [200] * len(ENGINES)
        assert all(a.get_json() == answers[0].get_json() for a in answers[1:])


@pytest.mark.parametrize("backend", OTHERS)
def test_the_pages_render_on_the_cluster(clients, seed_id, backend):
    client = clients[backend]
    page = client.get("/?q=bytedance")
    assert page.status_code == 200 and b"<mark>" in page.data
    assert client.get(f"/article/{seed_id}?q=bytedance").status_code == 200
    assert client.get("/company/bytedance").status_code == 200
    facet = client.get("/facet/company?q=police&facet_q=bur")
    assert facet.status_code == 200 and b"Burisma Holdings" in facet.data
    csv = client.get("/search.csv?q=china")
    assert (csv.status_code == 200
            and csv.data.count(b"\n") == clients["whoosh"].get("/search.csv?q=china").data.count(b"\n"))
    assert client.get("/suggest?q=byte").get_json() == clients["whoosh"].get("/suggest?q=byte").get_json()
    bad = client.get("/api/search?q=tiktok~5")
    assert bad.status_code == 400 and "edits" in bad.get_json()["error"]["message"]
    health = client.get("/healthz").get_json()
    assert health["documents"] > 0 and health["backend"] == backend


def _all_hits(results, keep_order: bool = False) -> list:
    """The hits of a page with the near-duplicates folded under them, in page order."""
    hits = []
    for hit in results.hits:
        hits.append(hit)
        hits.extend(hit.similar)
    if keep_order:
        hits.sort(key=lambda h: h.position)
    return hits


def _paged_ids(engine, request: SearchRequest) -> list[str]:
    ids, page = [], 1
    while True:
        results = engine.search(replace(request, page=page), facets=False, did_you_mean=False)
        ids += [h.id for h in _all_hits(results, keep_order=True)]
        if page >= results.pages:
            return ids
        page += 1

