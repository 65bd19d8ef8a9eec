"""Snippets and marking: the index's own words are marked, nothing else is let through."""

import re

from whoosh import highlight as wh

from search.text.analysis import text_analyzer
from search.text.highlight import ELLIPSIS, SNIPPET_CHARS, mark_all, merged_snippet, snippet


def marked_words(html: str) -> list[str]:
    return re.findall(r"<mark>(.*?)</mark>", html)


def test_marks_every_form_of_the_word_the_index_matched():
    html = mark_all("Companies, a company and the company's CEO", {"compani"})
    assert marked_words(html) == ["Companies", "company", "company"]


def test_marking_agrees_with_whoosh_highlighter_on_the_bundled_titles(bundled_articles):
    """Every word Whoosh's own highlighter marks is marked, and every marked word is a real match.

    (Whoosh sometimes marks fewer: in "'Lion Man' killed by his lions" it marks only the first.)"""
    analyzer = text_analyzer()
    checked = 0
    for article in bundled_articles[:120]:
        terms = {token.text for token in analyzer(article.title)}
        for term in list(terms)[:2]:
            ours = marked_words(mark_all(article.title, {term}))
            theirs = marked_words(wh.highlight(article.title, frozenset({term}), analyzer,
                                               wh.WholeFragmenter(charlimit=None), wh.HtmlFormatter(tagname="mark"),
                                               top=1)
                                  .replace(' class="match term0"', ""))
            assert set(w.lower() for w in theirs) <= set(w.lower() for w in ours), (article.title, term)
            assert all([t.text for t in analyzer(word)] == [term] for word in ours), (article.title, term)
            checked += 1
    assert checked > 100


def test_snippet_picks_passages_around_distant_matches():
    filler = " ".join(f"word{i}" for i in range(200))
    text = f"Oil opened the day. {filler} Later the price of crude fell. {filler}"
    html = snippet(text, {"oil", "price"})
    assert marked_words(html) == ["Oil", "price"]
    assert ELLIPSIS in html
    assert len(re.sub(r"</?mark>", "", html)) <= SNIPPET_CHARS + len(ELLIPSIS)


def test_snippet_escapes_markup_split_around_a_match():
    text = 'Report: <img src=x one<b>rror</b>=alert(1)> oil <script>alert("oil")</script> and &lt;oil&gt;'
    html = snippet(text, {"oil"})
    assert "<img" not in html and "<script" not in html and "<b>" not in html
    assert marked_words(html) == ["oil", "oil", "oil"]
    assert set(re.findall(r"</?(\w+)", html)) == {"mark"}


def test_no_match_gives_no_snippet():
    assert snippet("Nothing to see here", {"oil"}) == ""
    assert mark_all("Plain <b>title</b>", set()) == "Plain &lt;b&gt;title&lt;/b&gt;"


def test_merged_snippet_takes_the_best_passages_of_body_and_captions():
    filler = " ".join(f"word{i}" for i in range(120))
    body = f"Oil rose early. {filler} The oil price fell later. {filler} Nothing else."
    captions = "A tanker loads crude oil at the port. Photo: VCG"
    html = merged_snippet([("", body, {"oil", "price"}), ("Caption", captions, {"oil"})])
    pieces = html.split(ELLIPSIS.strip())
    assert len(pieces) == 3
    assert "Caption: " in pieces[-1] and "Caption" not in pieces[0]  # body first, then the caption, labelled
    assert marked_words(html).count("oil") + marked_words(html).count("Oil") == 3 and "price" in marked_words(html)
    assert len(re.sub(r"</?mark>", "", html)) <= SNIPPET_CHARS + 2 * len(ELLIPSIS) + len("Caption: ")
    # Only a caption matches: its passage alone, labelled; nothing matches: "".
    assert merged_snippet([("", body, {"tanker"}), ("Caption", captions, {"tanker"})]).startswith("Caption: ")
    assert merged_snippet([("", body, {"zebra"}), ("Caption", captions, {"zebra"})]) == ""
    # A hostile label or text stays text.
    assert "<b>" not in merged_snippet([("<b>x</b>", "oil <b>oil</b>", {"oil"})])
