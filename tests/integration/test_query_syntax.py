"""Phrase, proximity, fuzzy and prefix queries typed into the search box, on the real bundled index.

Every expectation is computed from the articles themselves (``bundled_articles``), never from the
index, by brute force with the product's own analyzer, ``search.text.analysis.text_terms``. What that
models, and so what these tests take as the meaning of each form:

* The index holds, per field (headline, body, and the captions joined by newlines into one field),
  the words that are neither stop words nor one letter long, Snowball-stemmed, numbered
  consecutively: Whoosh's StopFilter renumbers positions, so a dropped stop word leaves no gap.
  "Prime Ministers" and "prime of the minister" therefore both hold the phrase "prime minister"
  ("prime", "minist"). A phrase never spans two fields; it may span two captions.
* ``"a b"~N`` allows N words between (query.py passes Whoosh ``Phrase(slop=N+1)``, a
  ``SpanNear2(ordered=True)``): each word follows the one before it by 1..N+1 of those
  positions, in the order typed.
* ``word~K`` matches the words of the archive (its vocabulary: words of three letters or more,
  lowercased, unstemmed) within K Levenshtein edits (insertions, deletions, substitutions; no
  transpositions) of the word as typed, and finds the articles that have one of their stems.
* ``pre*`` matches the vocabulary words that start with the prefix as typed, the same way.

Where the product's answer differs from what the README promises a user (or is a 500, or never
comes), the test says why in its docstring and is left failing: a product bug, not a test bug.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from functools import cache

import pytest

from search.errors import BadRequest
from search.request import SearchRequest
from search.text.analysis import TOKEN_PATTERN, text_terms
from tests.support.paths import ROOT

TOKEN = re.compile(TOKEN_PATTERN)


# --- brute force over the corpus -------------------------------------------------------------

@cache
def analysed(word: str) -> str:
    """The index term of one typed word ("Ministers" -> "minist")."""
    (term,) = [t for _, _, t in text_terms(word)]
    return term


def analysed_words(phrase: str) -> list[str]:
    return [t for _, _, t in text_terms(phrase)]


def field_texts(article) -> list[str]:
    """The article's text fields as indexed: headline, body, captions (one field, newline-joined)."""
    return [article.title, article.body, "\n".join(article.captions)]


@cache
def _field_terms(title: str, body: str, captions: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(t for _, _, t in text_terms(text)) for text in (title, body, captions))


def field_terms(article) -> tuple[tuple[str, ...], ...]:
    """Per field, the article's index terms in position order."""
    return _field_terms(*field_texts(article))


def terms_of(article) -> frozenset[str]:
    return _terms_of(*field_texts(article))


@cache
def _terms_of(title: str, body: str, captions: str) -> frozenset[str]:
    return frozenset(term for terms in _field_terms(title, body, captions) for term in terms)


def raw_words(article) -> set[str]:
    """Every token of the article as typed (lowercased, before stop words and stemming)."""
    return {m.group().lower() for text in field_texts(article) for m in TOKEN.finditer(text)}


def near(terms, words: list[str], slop: int) -> bool:
    """True if ``words`` occur in ``terms`` in order, each 1..slop positions after the one before."""
    ends = {i for i, t in enumerate(terms) if t == words[0]}
    for word in words[1:]:
        ends = {j for j, t in enumerate(terms) if t == word and any(j - d in ends for d in range(1, slop + 1))}
        if not ends:
            return False
    return True


def phrase_ids(articles, words: list[str], slop: int = 1) -> set[str]:
    return {a.id for a in articles if any(near(terms, words, slop) for terms in field_terms(a))}


def having(articles, *terms: str) -> set[str]:
    return {a.id for a in articles if set(terms) <= terms_of(a)}


def edits(a: str, b: str) -> int:
    """Levenshtein distance (insert, delete, substitute)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


_VOCABULARY: dict[int, frozenset[str]] = {}


def vocabulary(articles) -> frozenset[str]:
    """The archive's words as ``spelling.Vocabulary`` counts them: letters only, three or more."""
    if id(articles) not in _VOCABULARY:
        _VOCABULARY[id(articles)] = frozenset(
            w for a in articles for w in re.findall(r"[^\W\d_]{3,}", " ".join(field_texts(a)).lower()))
    return _VOCABULARY[id(articles)]


def stems(words) -> set[str]:
    return {analysed(w) for w in words if [t for _, _, t in text_terms(w)]}


def fuzzy_ids(articles, typed: str, k: int) -> tuple[set[str], set[str]]:
    """(stems of the vocabulary words within k edits of the typed word, the articles having one)."""
    typed = typed.lower()  # words whose lengths differ by more than k are more than k edits apart
    close = stems(w for w in vocabulary(articles) if abs(len(w) - len(typed)) <= k and edits(typed, w) <= k)
    return close, {a.id for a in articles if terms_of(a) & close}


def prefix_ids(articles, prefix: str) -> set[str]:
    """The articles having a stem of a vocabulary word that starts with ``prefix``."""
    expansion = stems(w for w in vocabulary(articles) if w.startswith(prefix.lower()))
    return {a.id for a in articles if terms_of(a) & expansion}


# --- the product -----------------------------------------------------------------------------

def search(archive, **kwargs):
    return archive.search(SearchRequest(**kwargs))


def all_ids(archive, **kwargs) -> set[str]:
    """Every matching id, by walking all pages."""
    found, page = set(), 1
    while True:
        results = archive.search(SearchRequest(per_page=100, page=page, **kwargs), snippets=False, did_you_mean=False)
        found |= {hit.id for hit in results.hits}
        if page >= results.pages:
            return found
        page += 1


def page_total(html: str) -> int:
    """The number of articles the search page says it found."""
    count = re.search(r'id="result-count"[^>]*>\s*(?:([\d,]+) articles?|(No articles))', html)
    assert count, "no result count on the page"
    return 0 if count.group(2) else int(count.group(1).replace(",", ""))


def assert_400(client, q: str, message: str) -> None:
    """The query is refused with a 400 and ``message`` on the page and in the JSON API."""
    api = client.get("/api/search", query_string={"q": q})
    assert api.status_code == 400, (q, api.status_code)
    assert message in api.get_json()["error"]["message"]
    page = client.get("/", query_string={"q": q})
    assert page.status_code == 400 and page.mimetype == "text/html"
    assert message.replace("'", "&#39;") in page.get_data(as_text=True)


# --- phrases ---------------------------------------------------------------------------------

@pytest.mark.parametrize("phrase", ["prime minister", "united states", "secretary of state", "video sharing platform"])
def test_exact_phrase_is_its_words_adjacent_after_analysis(archive, bundled_articles, phrase):
    words = analysed_words(phrase)
    expected = phrase_ids(bundled_articles, words)
    got = all_ids(archive, q=f'"{phrase}"')
    assert got == expected
    assert expected, f"the corpus has no {phrase!r}: pick another phrase"
    # Never an article without one of the words; narrower than the words in any order.
    assert got <= having(bundled_articles, *words)
    assert search(archive, q=f'"{phrase}"').total == len(expected)


def test_prime_minister_phrase_against_the_raw_text(archive, bundled_articles):
    """The typed words side by side in the raw text are always found; the other hits are the same two
    words separated only by stop words or one-letter tokens, or inflected ("Prime Ministers")."""
    got = all_ids(archive, q='"prime minister"')
    adjacent = re.compile(r"\bprime\s+minister", re.IGNORECASE)
    literal = {a.id for a in bundled_articles if any(adjacent.search(text) for text in field_texts(a))}
    assert len(literal) >= 10
    assert literal <= got
    for article in (a for a in bundled_articles if a.id in got - literal):
        assert any(near(terms, ["prime", "minist"], 1) for terms in field_terms(article)), article.id
    both = having(bundled_articles, "prime", "minist")
    assert got <= both == all_ids(archive, q="prime minister")


# --- proximity ---------------------------------------------------------------------------------

@pytest.mark.parametrize("phrase,slop", [("president trump", 2), ("president trump", 3), ("president trump", 5),
                                         ("former president", 3), ("interest rates", 3), ("prime minister", 3)])
def test_proximity_is_words_within_n_positions_in_order(archive, bundled_articles, phrase, slop):
    words = analysed_words(phrase)
    expected = phrase_ids(bundled_articles, words, slop + 1)  # ~N: N words between, N + 1 positions
    got = all_ids(archive, q=f'"{phrase}"~{slop}')
    assert got == expected
    assert got <= having(bundled_articles, *words)  # never an article lacking one of the words


def test_proximity_finds_more_than_the_exact_phrase(archive, bundled_articles):
    exact = all_ids(archive, q='"president trump"')
    within = {slop: all_ids(archive, q=f'"president trump"~{slop}') for slop in (2, 3, 5)}
    words = all_ids(archive, q="president trump")
    assert exact == phrase_ids(bundled_articles, ["presid", "trump"])
    assert exact < within[2] <= within[3] <= within[5] <= words == having(bundled_articles, "presid", "trump")
    assert within[5] < words  # still narrower than the words anywhere in the article
    assert len(within[3]) - len(exact) >= 10
    # The extra articles write the words apart: "President Donald Trump".
    extra = [a for a in bundled_articles if a.id in within[3] - exact]
    assert any(re.search(r"president\s+donald\s+trump", " ".join(field_texts(a)), re.IGNORECASE) for a in extra)
    for article in extra:
        assert not any(near(terms, ["presid", "trump"], 1) for terms in field_terms(article))


def test_reversed_words_with_slop_keep_their_order(archive, bundled_articles):
    """Whoosh's Phrase is SpanNear2(ordered=True): with any slop the words must come in the typed
    order, so "trump president"~3 finds "Trump ... president", not "President Trump" (Lucene's
    sloppy phrases would let ~2 swap the words)."""
    forward = all_ids(archive, q='"president trump"~3')
    backward = all_ids(archive, q='"trump president"~3')
    assert backward == phrase_ids(bundled_articles, ["trump", "presid"], 4)
    assert backward and forward - backward
    assert all_ids(archive, q='"minister prime"~3') == phrase_ids(bundled_articles, ["minist", "prime"], 4)


def test_proximity_allows_as_many_words_between_as_documented(archive, bundled_articles):
    """README: '"interest rates"~3 allows up to 3 words between' (query.py's docstring: "allows 3
    words between"). Take the first place in the corpus where two words have exactly three words
    between them, none a stop word, and the article has them no closer: ~3 should find it."""
    example = None
    for article in bundled_articles:
        for text in field_texts(article):
            tokens = list(TOKEN.finditer(text))
            for i in range(len(tokens) - 4):
                run = [m.group() for m in tokens[i:i + 5]]
                if not all(re.fullmatch(r"[A-Za-z]{3,}", w) for w in run):
                    continue
                terms = analysed_words(" ".join(run))
                if len(terms) != 5 or terms[0] == terms[4]:
                    continue  # a stop word among them, or the same word twice
                if article.id not in phrase_ids([article], [terms[0], terms[4]], 4):
                    continue
                if article.id in phrase_ids([article], [terms[0], terms[4]], 3):
                    continue  # closer somewhere else: not a test of the distance
                example = (article.id, run)
                break
            if example:
                break
        if example:
            break
    assert example, "no five consecutive indexed words in the corpus"
    article_id, run = example
    query = f'"{run[0]} {run[4]}"'
    assert article_id in all_ids(archive, q=query + "~4")
    assert article_id in all_ids(archive, q=query + "~3"), (
        f"{query}~3 does not find {article_id!r}, which has {' '.join(run)!r}: 3 words between"
    )
    assert article_id not in all_ids(archive, q=query + "~2")  # and no further


def test_huge_slop_is_answered_quickly_or_refused(bundled_index):
    """``"prime minister"~1000000000000`` must not hold a worker: scoring.TermScorer._phrase loops
    over range(1, slop + 1) for each position (~10**6 takes about 0.7 s on this small corpus)."""
    code = textwrap.dedent("""
        import sys
        from pathlib import Path
        from search.errors import BadRequest
        from search.request import SearchRequest
        from search.engines.whoosh.archive import WhooshArchive
        with WhooshArchive(Path(sys.argv[1])) as archive:
            try:
                print(archive.search(SearchRequest(q=sys.argv[2])).total)
            except BadRequest as error:
                print("refused:", error.message)
    """)
    try:
        done = subprocess.run([sys.executable, "-c", code, str(bundled_index), '"prime minister"~1000000000000'],
                              cwd=ROOT, capture_output=True, text=True, timeout=20, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail('"prime minister"~1000000000000 was still running after 20 s (unbounded phrase slop)')
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()


# --- fuzzy -------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed,k,correct", [("tiktk", 1, "tiktok"), ("twiter", 1, "twitter"),
                                             ("facebok", 1, "facebook"), ("instagam", 1, "instagram"),
                                             ("politco", 1, "politico"),
                                             ("tiktko", 2, "tiktok"), ("parliment", 2, "parliament")])
def test_fuzzy_finds_the_articles_of_the_correct_word(archive, bundled_articles, typed, k, correct):
    close, expected = fuzzy_ids(bundled_articles, typed, k)
    assert analysed(correct) in close
    got = all_ids(archive, q=f"{typed}~{k}")
    assert got == expected
    assert having(bundled_articles, analysed(correct)) <= got
    assert all_ids(archive, q=typed) == set()  # the misspelling alone finds nothing


def test_fuzzy_counts_edits_exactly(archive, bundled_articles, seed_id):
    assert seed_id in all_ids(archive, q="tiktk~1")  # the seed is the corpus's TikTok story
    assert all_ids(archive, q="TikTk~1") == all_ids(archive, q="tiktk~1")
    # A swap of neighbours is two edits for Whoosh's automaton.
    assert fuzzy_ids(bundled_articles, "tiktko", 1)[1] == set() == all_ids(archive, q="tiktko~1")
    assert seed_id in all_ids(archive, q="tiktko~2")
    # Company names: the headline of the seed reaches it through a one-edit slip.
    assert search(archive, q="tiktk~1", companies=("TikTok",)).total == len(
        {a.id for a in bundled_articles if "TikTok" in a.companies and analysed("tiktok") in terms_of(a)})


@pytest.mark.parametrize("typed,k,correct", [("bytedanse", 1, "bytedance"), ("elecion", 1, "election"),
                                             ("boeng", 1, "boeing")])
def test_fuzzy_one_edit_from_a_word_finds_it_whatever_the_stems(archive, bundled_articles, typed, k, correct):
    """README: "tiktk~1: fuzzy, within one edit". Each typed word is one edit from a word of the
    corpus; counted between stems, the edits would drift apart ("bytedance" -> "byted" but
    "bytedanse" -> "bytedans"; "election" -> "elect"; "boeing" -> "boe"), so they are counted
    between the words as written (expansion.py)."""
    assert edits(typed, correct) <= k
    articles_of_word = {a.id for a in bundled_articles if correct in raw_words(a)}
    assert articles_of_word
    got = all_ids(archive, q=f"{typed}~{k}")
    assert articles_of_word <= got, (
        f"{typed}~{k} found {len(got)} articles, missing {len(articles_of_word - got)} of the "
        f"{len(articles_of_word)} with {correct!r} ({analysed(typed)!r} vs {analysed(correct)!r})"
    )


def test_more_than_two_edits_is_a_400_with_a_message(client, archive):
    with pytest.raises(BadRequest, match="at most ~2 edits"):
        search(archive, q="tiktok~3")
    assert_400(client, "tiktok~3", "'tiktok~3': at most ~2 edits")
    assert_400(client, "bytedance tiktk~3", "at most ~2 edits")
    for ok in ("tiktk~2", "tiktk~1", "tiktk~"):
        assert client.get("/api/search", query_string={"q": ok}).status_code == 200
        assert client.get("/", query_string={"q": ok}).status_code == 200


def test_fuzzy_refusal_quotes_the_word_as_typed(archive):
    """The refusal should name the word typed; "Companies~3" gets "'compani~3': at most ~2 edits", the stem."""
    for typed in ("Companies~3", "elections~3"):
        with pytest.raises(BadRequest) as refused:
            search(archive, q=typed)
        assert typed.lower() in refused.value.message.lower(), refused.value.message


@pytest.mark.parametrize("q", ["tiktok~2/9", "tiktok~1/7", "tk~1/3"])
def test_fuzzy_prefix_length_longer_than_the_word_is_not_a_500(client, q):
    """Whoosh's "~edits/prefix" syntax: a prefix longer than the word makes
    whoosh.automata.lev.levenshtein_automaton index past the word's end (IndexError)."""
    assert client.get("/", query_string={"q": "tiktok~1/6"}).status_code == 200
    for path in ("/api/search", "/"):
        response = client.get(path, query_string={"q": q})
        assert response.status_code in (200, 400), (path, q, response.status_code)


# --- prefixes ----------------------------------------------------------------------------------

@pytest.mark.parametrize("prefix", ["tikt", "presid", "minist", "countr", "econom", "elect"])
def test_prefix_is_the_or_of_the_words_it_expands_to(archive, bundled_articles, prefix):
    expected = prefix_ids(bundled_articles, prefix)
    got = all_ids(archive, q=f"{prefix}*")
    assert got == expected and got
    # The same as typing every corpus word that starts with it, joined by OR.
    words = sorted({w for a in bundled_articles for w in raw_words(a) if w.startswith(prefix)})
    assert got == all_ids(archive, q=" OR ".join(words))
    assert got == {a.id for a in bundled_articles if any(w.startswith(prefix) for w in raw_words(a))}
    assert search(archive, q=f"{prefix.upper()}*").total == len(expected)


def test_tikt_finds_the_tiktok_story(archive, bundled_articles, seed_id):
    assert {w for w in vocabulary(bundled_articles) if w.startswith("tikt")} == {"tiktok"}
    assert all_ids(archive, q="tikt*") == all_ids(archive, q="tiktok") == having(bundled_articles, "tiktok")
    assert seed_id in all_ids(archive, q="tikt*")


@pytest.mark.parametrize("prefix", ["police", "fly", "country"])
def test_prefix_that_is_a_whole_word_matches_words_starting_with_it(archive, bundled_articles, prefix):
    """Whoosh stemmed a prefix before matching it against the stems: "police*" became "polic*" (and
    found articles that only say "policy"), "fly*" became "fli*" (found "flight", missed "Flynn"),
    "country*" became "countri*" (missed "countryman"). Now the words of the archive that start
    with the prefix as typed are found, and the articles with their stems: every article with such
    a word, and only those, or those sharing its stem ("policing" is indexed as "police" is)."""
    starting = {a.id for a in bundled_articles if any(w.startswith(prefix) for w in raw_words(a))}
    got = all_ids(archive, q=f"{prefix}*")
    assert got == prefix_ids(bundled_articles, prefix)
    assert starting <= got, f"{prefix}*: {len(starting - got)} articles with a word starting with it missed"
    if prefix == "fly":
        assert any("flynn" in raw_words(a) for a in bundled_articles if a.id in got)
    if prefix == "police":  # no longer the articles that only say "policy" (stem "polici")
        others = [a for a in bundled_articles if a.id in got and not any(w.startswith(prefix) for w in raw_words(a))]
        assert not any("policy" in raw_words(a) and "policing" not in raw_words(a) for a in others)


def test_one_letter_prefix_is_a_400_with_a_message(client, archive):
    for q in ("t*", "T*", "t?"):
        with pytest.raises(BadRequest, match="at least 2 letters before"):
            search(archive, q=q)
        assert_400(client, q, "a wildcard needs at least 2 letters before * or ?")
    assert_400(client, "bytedance t*", "at least 2 letters before * or ?")
    assert client.get("/api/search", query_string={"q": "ti*"}).status_code == 200


# --- the web views ------------------------------------------------------------------------------

VIEW_QUERIES = ['"prime minister"', '"president trump"~3', '"trump president"~3', "tiktk~1", "twiter~1 trump",
                "tikt*", "presid*", '"prime minister" presid*', '"president trump"~3 twiter~1']


@pytest.mark.parametrize("q", VIEW_QUERIES)
def test_views_give_the_searchers_totals(client, archive, q):
    total = search(archive, q=q).total
    assert total > 0
    api = client.get("/api/search", query_string={"q": q})
    assert api.status_code == 200
    data = api.get_json()
    assert data["total"] == total and data["query"] == q and data["match"] == "all"
    assert len(data["hits"]) == min(total, 10)
    page = client.get("/", query_string={"q": q})
    assert page.status_code == 200
    assert page_total(page.get_data(as_text=True)) == total


# --- combinations -------------------------------------------------------------------------------

def test_phrase_with_a_company_filter(client, archive, bundled_articles):
    phrase = phrase_ids(bundled_articles, ["prime", "minist"])
    counts = {}
    for article in bundled_articles:
        if article.id in phrase:
            for company in set(article.companies):
                counts[company] = counts.get(company, 0) + 1
    company = max(sorted(counts), key=counts.get)  # the company most often with the phrase
    expected = {a.id for a in bundled_articles if a.id in phrase and company in a.companies}
    assert len(expected) >= 2
    assert all_ids(archive, q='"prime minister"', companies=(company,)) == expected
    results = client.get("/api/search", query_string={"q": '"prime minister"', "company": company}).get_json()
    assert results["total"] == len(expected)
    assert {hit["id"] for hit in results["hits"]} <= expected
    shown = {v["value"]: v["count"] for v in results["facets"]["company"]}
    assert shown[company] == len(expected)  # the facet counts the phrase's articles


def test_fuzzy_and_a_plain_word(archive, bundled_articles):
    fuzzy = fuzzy_ids(bundled_articles, "twiter", 1)[1]
    trump = having(bundled_articles, "trump")
    results = search(archive, q="twiter~1 trump")
    assert results.match == "all" and not results.notice
    assert all_ids(archive, q="twiter~1 trump") == fuzzy & trump
    assert fuzzy & trump and fuzzy - trump and trump - fuzzy  # each word narrows the other
    assert all_ids(archive, q="twiter~1 -trump") == fuzzy - trump


def test_proximity_and_fuzzy_and_prefix_together(archive, bundled_articles):
    """Mixed with a fuzzy word the phrase is matched by Whoosh, not by scoring.py: the same answer."""
    proximity = phrase_ids(bundled_articles, ["presid", "trump"], 3)
    fuzzy = fuzzy_ids(bundled_articles, "twiter", 1)[1]
    assert all_ids(archive, q='"president trump"~3 twiter~1') == proximity & fuzzy != set()
    minister = phrase_ids(bundled_articles, ["prime", "minist"])
    presid = {a.id for a in bundled_articles if any(t.startswith("presid") for t in terms_of(a))}
    assert all_ids(archive, q='"prime minister" presid*') == minister & presid != set()
    assert all_ids(archive, q='"prime minister" OR tikt*') == minister | having(bundled_articles, "tiktok")


# --- Words the index leaves out, fields it does not have, the year -------------------------------

@pytest.mark.parametrize("q, words", [("the who", "“the” and “who”"), ('"the who"', "“the” and “who”"),
                                      ("to be or not to be", "“to”, “be”, “or” and “not”"), ("title:the", "“the”")])
def test_stop_words_alone_are_too_common_not_a_syntax_error(client, q, words):
    data = client.get("/api/search", query_string={"q": q}).get_json()
    assert data["total"] == 0
    assert data["notice"].startswith(f"The words {words} are too common to search for") or \
        data["notice"].startswith(f"The word {words} is too common to search for")
    assert "Add a less common word" in data["notice"] and "syntax" not in data["notice"]
    page = client.get("/", query_string={"q": q}).get_data(as_text=True)
    assert "too common to search for" in page and "syntax could not be used" not in page


def test_year_prefix_is_a_year_filter(client, bundled_articles):
    published_2020 = [a for a in bundled_articles if a.published and a.published.year == 2020]
    data = client.get("/api/search?q=year:2020&per_page=100&sort=newest").get_json()
    assert data["total"] == len(published_2020) > 0 and data["notice"] is None
    with_word = client.get("/api/search?q=year:2020+election&per_page=100").get_json()
    filtered = client.get("/api/search?q=election&year=2020&per_page=100").get_json()
    assert 0 < with_word["total"] == filtered["total"] < len(published_2020)
    assert {h["id"] for h in with_word["hits"]} == {h["id"] for h in filtered["hits"]}


@pytest.mark.parametrize("q, words", [("foo:bar", "foo bar"), ("date:2020", "date 2020"),
                                      ("police:arrest", "police arrest"), ('foo:"white house"', 'foo "white house"')])
def test_unknown_prefix_is_searched_as_words_with_a_notice(client, q, words):
    """An unknown "name:" is no field: the name and the value are searched as the words they are, as if
    typed without the colon, and the notice says so and names the fields there are."""
    name = q.split(":")[0]
    data = client.get("/api/search", query_string={"q": q, "per_page": 100}).get_json()
    plain = client.get("/api/search", query_string={"q": words, "per_page": 100}).get_json()
    assert (data["total"], data["match"]) == (plain["total"], plain["match"])
    assert [h["id"] for h in data["hits"]] == [h["id"] for h in plain["hits"]]
    assert data["notice"].startswith(f"{name}: is not a field; searched for the words “{name}”")
    assert "The fields are title: (or headline:), caption:, body:, company:, source:, section:, credit: and year:." \
        in data["notice"]
    assert f"{name}: is not a field" in client.get("/", query_string={"q": q}).get_data(as_text=True)


def test_no_field_notice_for_times_links_and_fields_that_exist(client):
    for q in ("12:30", "http://example.com", "title:bytedance", "company:tiktok", '"ratio 3:1"'):
        notice = client.get("/api/search", query_string={"q": q}).get_json()["notice"] or ""
        assert "is not a field" not in notice, q
    assert "Field names are written in lowercase" in client.get("/api/search?q=Title:china").get_json()["notice"]
