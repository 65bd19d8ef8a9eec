"""Related articles on the article page (search/related.py): from the index, not the article itself nor its
near-duplicates, sharing its key words, quickly, on the bundled corpus."""

from __future__ import annotations

import json
import time
from collections import Counter

import numpy as np
import pytest
from markupsafe import escape

from search.engines.whoosh.archive import WhooshArchive
from search.errors import NotFound
from search.index.build import build_index
from search.ingest.corpus import CorpusReader
from search.request import SearchRequest
from search.text.analysis import text_terms


def stems(article) -> set[str]:
    return {term for _, _, term in text_terms(f"{article.title}\n{article.body}")}


def test_related_articles_are_others_that_share_its_key_words(archive, bundled_articles):
    by_id = {a.id: a for a in bundled_articles}
    stemmed = {a.id: stems(a) for a in bundled_articles}  # each article's stems, worked out once
    document_frequency = Counter(term for a in bundled_articles for term in stemmed[a.id])
    rare = {term for term, count in document_frequency.items() if count <= len(bundled_articles) // 5}
    with_related = 0
    for article in bundled_articles:
        related = archive.related(article.id)
        ids = [hit.id for hit in related]
        assert len(ids) <= 5 and len(set(ids)) == len(ids) and article.id not in ids
        assert all(hit.id in by_id for hit in related)
        scores = [hit.score for hit in related]
        assert scores == sorted(scores, reverse=True)
        for hit in related:  # brute force: two words or more that at most a fifth of the articles have, in both
            shared = stemmed[article.id] & stemmed[hit.id] & rare
            assert len(shared) >= 2, (article.title, hit.title, shared)
        with_related += bool(related)
    assert with_related >= 0.8 * len(bundled_articles)  # 266 of 294: the rest have nothing close enough


def test_related_articles_of_a_story_are_about_that_story(archive, bundled_articles):
    pelosi = next(a for a in bundled_articles if a.title.startswith("Nancy Pelosi again elected Speaker"))
    titles = [hit.title for hit in archive.related(pelosi.id)]
    assert any("Pelosi" in title or "impeachment" in title.lower() for title in titles[:2]), titles
    assert archive.related(pelosi.id, limit=2) == archive.related(pelosi.id)[:2]
    assert archive.related(pelosi.id, limit=0) == []
    with pytest.raises(NotFound):
        archive.related("no-such-article")


def test_related_articles_leave_out_near_duplicates_and_show_one_version_of_a_story(corpus_copy, tmp_path):
    """A copy of an article with a changed paragraph is its near-duplicate: never related to it. A third
    article made of half of it is related to it, and lists only one of the two versions."""
    records = [json.loads(line) for line in (corpus_copy / "wikinews" / "wikinews-2019-2021.jsonl").read_text(
        encoding="utf-8").splitlines()]
    original = max(records, key=lambda r: len(r["body"]))
    paragraphs = original["body"].split("\n\n")
    copy = {**original, "id": "copy-of-original", "title": original["title"] + " (updated)",
            "body": "\n\n".join(paragraphs[:-1] + ["A spokesperson declined to comment further on Tuesday."])}
    words = original["body"].split()
    other = next(r for r in records if r is not original and len(r["body"].split()) > 200)
    half = {"id": "half-of-original", "title": "A look back", "published": original["published"],
            "body": " ".join(words[: len(words) // 3]) + "\n\n" + " ".join(other["body"].split()[:200])}
    (corpus_copy / "extra").mkdir()
    (corpus_copy / "extra" / "versions.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in (copy, half)), encoding="utf-8")
    build_index(corpus_copy, tmp_path / "index", progress=False)
    ids = {a.title: a.id for result in CorpusReader(corpus_copy).read_all() for a in result.articles}
    original_id, copy_id, half_id = ids[original["title"]], ids[copy["title"]], ids["A look back"]
    with WhooshArchive(tmp_path / "index") as archive:
        assert archive.search(SearchRequest(q="")).total == len(ids)
        groups = {hit.id: hit.group for hit in archive.search(SearchRequest(per_page=100)).hits
                  for hit in [hit, *hit.similar]}
        assert groups[original_id] == groups[copy_id] is not None and groups[half_id] is None
        assert original_id not in [hit.id for hit in archive.related(copy_id, limit=50)]  # its own near-duplicate
        assert copy_id not in [hit.id for hit in archive.related(original_id, limit=50)]
        assert half_id in [hit.id for hit in archive.related(original_id, limit=5)]
        from_half = [hit.id for hit in archive.related(half_id, limit=50)]
        assert len({original_id, copy_id} & set(from_half)) == 1  # one version of the story
        assert from_half[0] in (original_id, copy_id)  # and it comes first
        view = archive.article(original_id)
        assert copy_id not in [hit.id for hit in view.related] and half_id in [hit.id for hit in view.related]


def test_related_articles_take_under_50_ms(archive, bundled_articles):
    for article in bundled_articles[:20]:  # warm: the key words' postings are read once per build
        archive.related(article.id)
    times = []
    for article in bundled_articles:
        started = time.perf_counter()
        archive.related(article.id)
        times.append((time.perf_counter() - started) * 1000)
    p50, p95 = np.percentile(times, 50), np.percentile(times, 95)
    print(f"\nrelated articles over {len(times)} articles: p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {max(times):.1f} ms")
    assert p95 < 50  # a sanity bound on a shared machine; the README has the measured figures


def test_article_pages_link_their_related_articles(client, archive, bundled_articles):
    article = next(a for a in bundled_articles if a.title.startswith("Nancy Pelosi again elected Speaker"))
    related = archive.related(article.id)
    assert related
    html = client.get(f"/article/{article.id}").get_data(as_text=True)
    section = html.split('<section class="related" aria-labelledby="related-heading">', 1)[1].split("</section>", 1)[0]
    assert '<h2 id="related-heading">Related articles</h2>' in section
    hrefs = [part.split('"', 1)[0] for part in section.split('<a href="')[1:]]
    assert hrefs == [f"/article/{hit.id}" for hit in related]
    assert all(str(escape(hit.title)) in section for hit in related)
    embedded = client.get(f"/embed/article/{article.id}?theme=dark").get_data(as_text=True)
    section = embedded.split('<section class="related"', 1)[1].split("</section>", 1)[0]
    assert [part.split('"', 1)[0] for part in section.split('<a href="')[1:]] == [
        f"/embed/article/{hit.id}?theme=dark" for hit in related]


def test_key_words_skip_no_word_that_could_make_the_list(archive, bundled_articles):
    """feedback.key_terms skips the lookups of words that cannot make the list: its answer equals
    weighing every word (share of the text times idf), computed here in full."""
    from collections import Counter

    from search.engines.whoosh.feedback import key_terms
    from search.engines.whoosh.related import TERMS
    from search.engines.whoosh.scoring import term_idf
    from search.text.analysis import text_terms

    with archive._using() as opened:
        searcher = opened.searcher()
        reader = searcher.reader()
        for article in bundled_articles:
            docnum = searcher.document_number(id=article.id)
            stored = searcher.stored_fields(docnum)
            terms = [t for _, _, t in text_terms(f"{stored.get('title', '')}\n{stored.get('body', '')}")]
            every = Counter({t: n / len(terms) * (term_idf(reader.doc_count_all(), reader.doc_frequency("body", t))
                                                  if reader.doc_frequency("body", t) else 0.0)
                             for t, n in Counter(terms).items()})
            for limit in (TERMS, 5):
                best = every.most_common(limit)
                expected = [(t, w / best[0][1]) for t, w in best if w > 0] if best and best[0][1] > 0 else []
                assert key_terms(searcher, [docnum], limit) == expected, article.title
