"""search/matched.py: the words a hit matched, found without analysing whole fields, must be
exactly those the full analysis (``analysis.text_terms``, what the index holds) finds."""

from __future__ import annotations

import random

from search.text.analysis import text_terms
from search.text.matched import has_term, matched_terms


def test_has_term_agrees_with_the_full_analysis_on_every_bundled_article(bundled_articles):
    every_term = sorted({t for a in bundled_articles for _, _, t in text_terms(f"{a.title}\n{a.body}")})
    rng = random.Random(8)
    checked = 0
    for article in bundled_articles:
        for text in (article.title, article.body, "\n".join(article.captions)):
            present = {t for _, _, t in text_terms(text)}
            lowered = text.lower()
            for term in rng.sample(every_term, 40) + sorted(present)[:40] + ["die", "lie", "tie", "u.s"]:
                assert has_term(lowered, term) == (term in present), (article.id, term)
                checked += 1
    assert checked > 50_000


def test_the_exceptional_stems_and_word_boundaries():
    assert has_term("the dying man", "die") and has_term("he was lying", "lie")
    assert has_term("u.s. officials", "u.") and not has_term("u.s. officials", "s")  # "u.s" stems to "u."
    assert not has_term("x.china trade", "china")  # "x.china" is one word to the tokenizer
    assert has_term("(china) trade", "china") and not has_term("indochina", "china")
    assert not has_term("the of and", "the")  # stop words are not terms


def test_matched_terms_reports_the_fields_a_word_is_in(bundled_articles):
    seed = next(a for a in bundled_articles if a.title.startswith("ByteDance denies"))
    found = matched_terms(seed, {"title": {"byted", "zebra"}, "body": {"byted", "tiktok"}, "captions": {"zebra"},
                                 "company": {"tiktok"}})
    assert found == {"title": {"byted"}, "body": {"byted", "tiktok"}, "company": {"tiktok"}}


def test_term_spans_are_the_full_analysis_filtered_on_every_bundled_paragraph(bundled_articles):
    """``term_spans`` looks only where a term's word can start; it gives exactly the spans of the full
    analysis (``text_terms``) of the terms, on every paragraph of the bundled corpus, for words each
    paragraph has, one-letter-prefix stems and absent words; and text whose lowercase is longer."""
    from search.text.analysis import text_terms
    from search.text.matched import term_spans

    checked = 0
    for number, article in enumerate(bundled_articles):
        for paragraph in [article.title, *article.body.split("\n"), *article.captions]:
            spans = text_terms(paragraph)
            if not spans:
                continue
            terms = {spans[number % len(spans)][2], spans[-1][2], "compani", "die", "nosuchterm"}
            assert term_spans(paragraph, terms) == [s for s in spans if s[2] in terms], paragraph
            checked += 1
    assert checked > 1000
    for text in ("İstanbul: Companies said COMPANY shares rose", "the dying man, u.s.bank and .bank"):
        terms = {"compani", "share", "die", "bank"}
        assert term_spans(text, terms) == [s for s in text_terms(text) if s[2] in terms]
