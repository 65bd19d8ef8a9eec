"""The searcher on the real bundled index: query syntax, facets checked by brute force, dates, snippets."""

import re
from collections import Counter
from functools import cache

import pytest
from whoosh import query as wq

from search.engines.whoosh.archive import WhooshArchive
from search.errors import BadRequest
from search.index.build import build_index
from search.query.parser import QueryParser
from search.request import SearchRequest
from search.text.analysis import text_analyzer

ANALYZER = text_analyzer()


def words_of(article) -> frozenset[str]:
    """Every analysed word of an article's headline, body and captions (independent of the index)."""
    return analysed_words(" ".join([article.title, article.body, *article.captions]))


@cache
def analysed_words(text: str) -> frozenset[str]:
    """The analysed words of a text, worked out once per text (the brute-force checks ask again and again)."""
    return frozenset(token.text for token in ANALYZER(text))


@cache
def stem(word: str) -> str:
    return next(token.text for token in ANALYZER(word))


def search(archive, **kwargs):
    return archive.search(SearchRequest(**kwargs))


def ids(results) -> set[str]:
    return {hit.id for hit in results.hits}


def all_ids(archive, **kwargs) -> set[str]:
    """Every matching id, by walking all pages."""
    found, page = set(), 1
    while True:
        results = search(archive, per_page=100, page=page, **kwargs)
        found |= ids(results)
        if page >= results.pages:
            return found
        page += 1


def facet_counts(results, facet) -> dict[str, int]:
    return {v.value: v.count for v in results.facets[facet]}


def brute_counts(articles, facet) -> Counter:
    counter = Counter()
    for article in articles:
        values = {"company": article.companies, "source": [article.source], "section": article.sections}[facet]
        counter.update(set(values))
    return counter


# --- finding the seed ----------------------------------------------------------------------

def test_bytedance_finds_the_seed_first(archive, seed_id):
    results = search(archive, q="ByteDance")
    assert results.hits[0].id == seed_id
    assert results.hits[0].title == "ByteDance denies report of selling AI technology"
    assert "<mark>ByteDance</mark>" in results.hits[0].snippet
    assert {"ByteDance", "TikTok", "BytePlus"} <= set(facet_counts(results, "company"))


def test_matched_in_says_where(archive, seed_id):
    (hit,) = [h for h in search(archive, q="logo culver").hits if h.id == seed_id]
    assert hit.matched_in == ["caption"]
    assert "<mark>logo</mark>" in hit.snippet
    hit = search(archive, q="bytedance").hits[0]
    assert hit.matched_in == ["headline", "caption", "body"]


# --- query syntax ---------------------------------------------------------------------------

def test_words_are_anded(archive, bundled_articles):
    both = {a.id for a in bundled_articles if {stem("police"), stem("election")} <= words_of(a)}
    assert all_ids(archive, q="police election") == both
    assert len(both) > 0
    either = {a.id for a in bundled_articles if {stem("police"), stem("election")} & words_of(a)}
    assert all_ids(archive, q="police OR election") == either
    without = {a.id for a in bundled_articles if stem("police") in words_of(a) and stem("election") not in words_of(a)}
    assert all_ids(archive, q="police -election") == without
    assert all_ids(archive, q="police NOT election") == without
    no_police = {a.id for a in bundled_articles if stem("police") not in words_of(a)}
    assert all_ids(archive, q="-police") == no_police == all_ids(archive, q="NOT police")


def test_phrase(archive, bundled_articles):
    expected = {a.id for a in bundled_articles
                if "video-sharing platform" in a.body or "video sharing platform" in a.body}
    assert all_ids(archive, q='"video sharing platform"') == expected
    assert len(expected) >= 1


def test_field_queries(archive, seed_id, bundled_articles):
    assert ids(search(archive, q="title:bytedance")) == {seed_id}
    assert ids(search(archive, q="headline:bytedance")) == {seed_id}
    assert seed_id in ids(search(archive, q="caption:culver"))
    assert seed_id not in all_ids(archive, q="body:culver")
    assert seed_id in ids(search(archive, q='company:"financial times"'))
    assert all_ids(archive, q="source:wikinews") == {a.id for a in bundled_articles if a.source == "Wikinews"}
    assert ids(search(archive, q="section:companies")) == {seed_id}
    assert seed_id in ids(search(archive, q="credit:xinhua"))


def test_prefix_wildcard(archive, seed_id):
    assert seed_id in ids(search(archive, q="bytepl*"))


def test_wildcard_expansion_is_limited(archive, bundled_index):
    from whoosh import index as whoosh_index

    ix = whoosh_index.open_dir(str(bundled_index / "current"), indexname="MAIN")
    with ix.searcher() as searcher:
        parser = QueryParser(ix.schema, wildcard_limit=5)
        with pytest.raises(BadRequest, match="more than 5 different words"):
            parser.parse("pr*", searcher.reader())
        assert parser.parse("bytepl*", searcher.reader())
    ix.close()
    with pytest.raises(BadRequest, match="at least 2 letters"):
        search(archive, q="*ance")


def test_unparseable_syntax_falls_back_to_words(archive, seed_id):
    results = search(archive, q='bytedance AND (tiktok OR "')
    assert seed_id in ids(results)


# --- facets, checked against brute-force counts over the parsed corpus -----------------------

def test_facets_of_everything(archive, bundled_articles):
    results = archive.search(SearchRequest())
    assert results.total == len(bundled_articles)
    for facet in ("company", "source", "section"):
        expected = brute_counts(bundled_articles, facet)
        shown = facet_counts(results, facet)
        assert shown == {value: expected[value] for value in shown}
        assert sorted(shown.values(), reverse=True) == sorted(expected.values(), reverse=True)[: len(shown)]


def test_facets_of_a_query(archive, bundled_articles):
    matching = [a for a in bundled_articles if stem("company") in words_of(a)]
    results = search(archive, q="company")
    assert results.total == len(matching)
    expected = brute_counts(matching, "company")
    assert facet_counts(results, "company") == {v: expected[v] for v in facet_counts(results, "company")}
    assert facet_counts(results, "source") == dict(brute_counts(matching, "source"))


def test_multi_select_facets_are_disjunctive(archive, bundled_articles):
    everything = archive.search(SearchRequest())
    top_two = [v.value for v in everything.facets["company"][:2]]
    results = search(archive, companies=tuple(top_two))
    having = [a for a in bundled_articles if set(top_two) & set(a.companies)]
    assert results.total == len(having)
    # The company facet ignores its own selection: counts are those of the whole archive.
    assert facet_counts(results, "company") == facet_counts(everything, "company")
    assert all(v.selected == (v.value in top_two) for v in results.facets["company"])
    # Other facets are narrowed by it.
    assert facet_counts(results, "source") == dict(brute_counts(having, "source"))


def test_filters_of_different_facets_are_anded(archive, bundled_articles):
    results = search(archive, companies=("ByteDance",), sources=("Wikinews",))
    expected = [a for a in bundled_articles if "ByteDance" in a.companies and a.source == "Wikinews"]
    assert results.total == len(expected)
    source_counts = facet_counts(results, "source")
    assert source_counts.pop("Wikinews") == 0  # selected, so still shown, though no ByteDance article is from it
    assert source_counts == dict(brute_counts([a for a in bundled_articles if "ByteDance" in a.companies], "source"))


def test_date_facet_by_year_and_month(archive, bundled_articles):
    results = archive.search(SearchRequest())
    years = Counter(str(a.published.year) for a in bundled_articles)
    assert facet_counts(results, "date") == dict(years)
    drilled = search(archive, year=2020)
    in_2020 = [a for a in bundled_articles if a.published.year == 2020]
    assert drilled.total == len(in_2020)
    months = Counter(f"2020-{a.published.month:02d}" for a in in_2020)
    shown = facet_counts(drilled, "date")
    assert {k: v for k, v in shown.items() if "-" in k} == dict(months)
    assert shown["2019"] == years["2019"]  # other years stay visible to switch to
    month = sorted(months)[0]
    one_month = search(archive, year=2020, month=int(month[5:]))
    assert one_month.total == months[month]
    selected = [v for v in one_month.facets["date"] if v.selected]
    assert [v.value for v in selected] == ["2020", month]  # the drill-down path: year, then month
    assert selected[1].label.endswith(" 2020")


def test_date_range(archive, bundled_articles):
    from datetime import date

    start, end = date(2020, 3, 1), date(2020, 6, 30)
    results = search(archive, date_from=start, date_to=end)
    expected = [a for a in bundled_articles if start <= a.published.date() <= end]
    assert results.total == len(expected) > 0


# --- ordering, pages, snippets, suggestions ----------------------------------------------

def test_sorting_by_date(archive):
    newest = search(archive, sort="newest", per_page=50)
    dates = [hit.published for hit in newest.hits]
    assert dates == sorted(dates, reverse=True)
    oldest = search(archive, q="police", sort="oldest", per_page=50)
    dates = [hit.published for hit in oldest.hits]
    assert dates == sorted(dates)
    assert all(hit.score is None for hit in oldest.hits)


def test_pages_do_not_overlap(archive):
    first = search(archive, q="government", per_page=10, page=1)
    second = search(archive, q="government", per_page=10, page=2)
    assert first.total == second.total > 20
    assert len(first.hits) == len(second.hits) == 10
    assert not ids(first) & ids(second)
    scores = [h.score for h in first.hits + second.hits]
    assert scores == sorted(scores, reverse=True)


def test_snippets_contain_only_mark_tags(archive):
    for q in ("government", "police election", '"prime minister"', "tik*"):
        for hit in search(archive, q=q, per_page=20).hits:
            tags = set(re.findall(r"</?[a-zA-Z][^>]*>", hit.snippet + hit.title_html))
            assert tags <= {"<mark>", "</mark>"}, tags
    assert "<mark>" in search(archive, q="government").hits[0].snippet


def test_did_you_mean(archive):
    assert search(archive, q="tiktk").suggestion == "tiktok"
    assert search(archive, q="bytedanse tiktok").suggestion == "bytedance tiktok"
    assert search(archive, q="bytedance").suggestion == ""


def test_page_beyond_the_end_is_empty(archive):
    results = search(archive, q="bytedance", page=5)
    assert results.total >= 1 and results.hits == []


def test_article_view_marks_query_words(archive, seed_id):
    view = archive.article(seed_id, "tiktok")
    assert sum(p.count("<mark>TikTok</mark>") for p in view.paragraphs_html) >= 5
    assert any("<mark>TikTok</mark>" in c for c in view.captions_html)
    plain = archive.article(seed_id)
    assert not any("<mark>" in p for p in plain.paragraphs_html)


WORD_QUERIES = ["police", "government", "oil prices", "ByteDance", "twitter OR facebook", "election -trump",
                "title:earthquake", "prime minister", "court", "football OR soccer", "fire -forest", "the",
                "company:TikTok", "source:wikinews police"]


@pytest.mark.parametrize("arrays", ["derived", "lazy"])
@pytest.mark.parametrize("text", WORD_QUERIES)
def test_numpy_scoring_gives_whoosh_hits_and_scores(request, arrays, text):
    """scoring.py must answer word queries exactly as Whoosh's BM25F would: same matches, order and scores,
    from the build's memory-mapped postings (derived.py) and from postings read through Whoosh alike."""
    archive = request.getfixturevalue("archive" if arrays == "derived" else "lazy_archive")
    with archive._using() as opened:
        assert bool(opened.scorer.stored) == (arrays == "derived")
        searcher = opened.searcher()
        parsed = opened.parser.parse(text, searcher.reader())
        evaluated = opened.scorer.evaluate(parsed.query, searcher.reader())
        if text == "the":  # only a stop word: nothing
            assert evaluated is not None and len(evaluated.ids) == 0
            return
        if text.startswith(("company:", "source:")):
            assert evaluated is None  # not a text field: Whoosh answers
            return
        assert evaluated is not None, parsed.query
        query = parsed.query
        if isinstance(query, wq.AndNot):
            # Whoosh's AndNotMatcher lets the first posting through unchecked ("election -trump" returned
            # a Trump article); the expected set is built from its two halves instead.
            excluded = set(searcher.docs_for_query(query.b))
            expected = {h.docnum: h.score for h in searcher.search(query.a, limit=None) if h.docnum not in excluded}
        else:
            expected = {hit.docnum: hit.score for hit in searcher.search(query, limit=None)}
        live = opened.facets.live
        got = {int(d): float(s) for d, s in zip(evaluated.ids, evaluated.scores) if live[d]}
        assert set(got) == set(expected)
        for docnum, score in expected.items():
            assert got[docnum] == pytest.approx(score, rel=1e-5), docnum
    results = archive.search(SearchRequest(q=text, per_page=20))
    top = sorted(expected.items(), key=lambda item: (-item[1], item[0]))[:20]
    assert [h.score for h in results.hits] == pytest.approx([round(s, 4) for _, s in top], abs=1e-4)


def test_undated_articles_are_counted_but_never_offered_as_a_date(tmp_path, corpus_copy):
    (corpus_copy / "undated.jsonl").write_text(
        '{"title": "Undated wumpus notice", "body": "The wumpus census."}\n', encoding="utf-8")
    root = tmp_path / "index"
    build_index(corpus_copy, root, progress=False)
    with WhooshArchive(root) as archive:
        results = archive.search(SearchRequest(q="wumpus"))
        assert results.total == 1 and results.hits[0].published is None
        assert results.facets["date"] == []
        everything = archive.search(SearchRequest())
        assert all(value.value != "0" for value in everything.facets["date"])
        assert sum(v.count for v in everything.facets["date"] if "-" not in v.value) == everything.total - 1


@pytest.mark.parametrize("text", ['"prime minister"', '"united states"', '"prime minister"~3', '"police said"',
                                  'title:"world cup"', '"of the"', '"new york" police'])
@pytest.mark.parametrize("arrays", ["derived", "lazy"])
def test_numpy_phrases_match_what_whoosh_matches(request, arrays, text):
    """Phrases are matched on positions by scoring.py: the same documents as Whoosh's span matching."""
    archive = request.getfixturevalue("archive" if arrays == "derived" else "lazy_archive")
    with archive._using() as opened:
        # the build's position arrays (derived.py) answer the phrase, or Whoosh's postings without them
        assert all(f in opened.scorer.stored and opened.scorer.stored[f].has_positions
                   for f in ("title", "body")) == (arrays == "derived")
        searcher = opened.searcher()
        parsed = opened.parser.parse(text, searcher.reader())
        evaluated = opened.scorer.evaluate(parsed.query, searcher.reader())
        assert evaluated is not None, parsed.query
        expected = set(searcher.docs_for_query(parsed.query))
        got = {int(d) for d in evaluated.ids if opened.facets.live[d]}
        assert got == expected
    assert archive.search(SearchRequest(q=text)).total == len(expected)


# --- "did you mean" rules, and the "any of the words" mode ------------------------------------------


def test_suggestions_are_known_words_that_find_articles(archive, bundled_articles):
    """Misspell real words of the corpus (one letter dropped): every suggestion is made of words the
    archive has, and searching it finds articles."""
    vocabulary = sorted({w for a in bundled_articles for w in re.findall(r"[a-z]{7,}", a.body)})[::40]
    offered = 0
    for word in vocabulary:
        typo = word[:3] + word[4:]
        suggestion = search(archive, q=typo).suggestion
        if not suggestion:
            continue
        offered += 1
        assert all(w in archive_vocabulary(archive) for w in suggestion.split()), (typo, suggestion)
        assert search(archive, q=suggestion).total > 0, (typo, suggestion)
    assert offered >= len(vocabulary) // 2, f"only {offered} suggestions for {len(vocabulary)} typos"


def archive_vocabulary(archive):
    with archive._using() as opened:
        return opened.vocabulary


def test_suggestions_never_rewrite_numbers_years_or_tickers(archive):
    assert search(archive, q="tiktk 2021").suggestion == "tiktok 2021"
    assert search(archive, q="tiktk 2091").suggestion == "tiktok 2091"
    assert search(archive, q="2091").suggestion == ""
    assert search(archive, q="tiktk BYTD").suggestion == "tiktok BYTD"
    assert search(archive, q="NYSX").suggestion == ""
    assert search(archive, q="nysx").suggestion != "nysx"  # the same letters in lower case are a word to correct


def test_a_suggestion_that_finds_nothing_is_not_offered(archive, bundled_articles):
    # "tiktok" is only in Global Times articles: with the Wikinews filter, correcting to it finds nothing.
    assert not [a for a in bundled_articles if a.source == "Wikinews" and "tiktok" in a.body.lower()]
    assert search(archive, q="tiktk").suggestion == "tiktok"
    assert search(archive, q="tiktk", sources=("Wikinews",)).suggestion == ""


def test_when_all_the_words_find_nothing_any_of_them_are_searched(archive, bundled_articles):
    with_bytedance = {a.id for a in bundled_articles if stem("bytedance") in words_of(a)}
    with_zebras = {a.id for a in bundled_articles if stem("zebras") in words_of(a)}
    assert with_bytedance and with_zebras and not with_bytedance & with_zebras
    results = search(archive, q="bytedance zebras", per_page=100)
    assert results.match == "any" and "No article has all of these words" in results.notice
    assert ids(results) == with_bytedance | with_zebras and results.total == len(with_bytedance | with_zebras)
    assert results.to_json()["match"] == "any"
    # Asked for explicitly, the same; match=all is strict; a query whose words are found together does not fall back.
    assert ids(search(archive, q="bytedance zebras", match="any", per_page=100)) == ids(results)
    strict = search(archive, q="bytedance zebras", match="all")
    assert strict.total == 0 and strict.match == "all" and strict.notice == ""
    together = search(archive, q="bytedance tiktok")
    assert together.match == "all" and together.notice == ""
    # With filters, the fallback respects them.
    assert search(archive, q="bytedance zebras", sources=("Global Times",)).total == len(
        {a.id for a in bundled_articles if a.id in with_bytedance and a.source == "Global Times"})


def test_any_words_ranks_articles_with_more_of_the_words_first(archive, bundled_articles):
    """In the any-words mode an article with every word outranks one with only the rarest."""
    results = search(archive, q="bytedance tiktok douyin", match="any", per_page=100)
    words = [{stem(w) for w in ("bytedance", "tiktok", "douyin")} & words_of(a) for a in bundled_articles]
    most = max(len(w) for w in words)
    top = next(a for a in bundled_articles if a.id == results.hits[0].id)
    assert len({stem(w) for w in ("bytedance", "tiktok", "douyin")} & words_of(top)) == most
