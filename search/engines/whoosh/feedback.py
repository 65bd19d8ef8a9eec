"""Pseudo-relevance feedback for the "any of the words" ranking (Rocchio, re-ranking only).

A query of many words ("renal blood flow of newborn infants", a pasted paragraph) is matched by
articles with any of them; the best of those say what the query is about. The key words of the
first ``DOCUMENTS`` matches (each word's share of the article, times its idf, summed) become a
second query whose BM25 score, times ``WEIGHT``, is added to each match's own. Only the order
changes: an article still has to contain one of the typed words to be listed, and only typed
words are highlighted. `make eval` chose the constants on Cranfield, CISI and MED (README
"Search quality"); the search box's default, all the words, is not re-ranked.
"""

from __future__ import annotations

import heapq
from collections import Counter

import numpy as np
from whoosh import query as wq

from search.engines.whoosh.scoring import TermScorer, term_idf
from search.index.schema import FIELD_BOOSTS
from search.text.analysis import text_terms

DOCUMENTS = 10  # best matches read for their key words
TERMS = 20  # key words added
WEIGHT = 0.5  # of the key words' score, added to the query's
FIELDS = ("title", "body")
MIN_WORDS = 5  # different words in the query: a short query is precise as typed (measured below)


def applies(leaves: list[tuple[str, str, np.ndarray]]) -> bool:
    """True for a query of at least ``MIN_WORDS`` different words (the leaves of its parsed form)."""
    return len({text for _, text, _ in leaves}) >= MIN_WORDS


def key_terms(searcher, docnums: list[int], limit: int = TERMS) -> list[tuple[str, float]]:
    """Return the ``limit`` words that best characterise these documents, with weights (max 1): each
    word's share of each document's headline and body, summed, times its idf.

    Words are weighed by falling share, and once a share times the largest possible idf is under the
    ``limit``-th best weight so far no later word can enter, so their document frequencies are not
    looked up (in a long interview those lookups were most of the time its related articles took:
    docs/benchmarks.md)."""
    reader = searcher.reader()
    doc_count = reader.doc_count_all()
    shares: Counter[str] = Counter()
    for docnum in docnums:
        stored = searcher.stored_fields(docnum)
        terms = [term for _, _, term in text_terms(f"{stored.get('title', '')}\n{stored.get('body', '')}")]
        for term, count in Counter(terms).items():
            shares[term] += count / len(terms)
    highest_idf = term_idf(doc_count, 1)
    weights: Counter[str] = Counter()
    lowest: list[float] = []  # the ``limit`` highest weights so far (a min-heap)
    for term in sorted(shares, key=shares.__getitem__, reverse=True):
        if len(lowest) == limit and shares[term] * highest_idf < lowest[0]:
            break
        frequency = reader.doc_frequency("body", term)
        weights[term] = shares[term] * (term_idf(doc_count, frequency) if frequency else 0.0)
        (heapq.heappush if len(lowest) < limit else heapq.heappushpop)(lowest, weights[term])
    best = Counter({term: weights[term] for term in shares if term in weights}).most_common(limit)
    if not best or best[0][1] <= 0:
        return []
    top = best[0][1]
    return [(term, weight / top) for term, weight in best if weight > 0]


def rerank(scorer: TermScorer, searcher, ids: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Return ``scores`` (of the matching documents ``ids``, sorted) with the feedback added."""
    if len(ids) < 2:
        return scores
    best = ids[np.lexsort((ids, -scores))[:DOCUMENTS]].tolist()
    terms = key_terms(searcher, best)
    if not terms:
        return scores
    expansion = wq.Or([wq.Term(field, term, boost=FIELD_BOOSTS[field] * weight)
                       for term, weight in terms for field in FIELDS])
    extra = scorer.evaluate(expansion, searcher.reader())
    if extra is None or not len(extra.ids):
        return scores
    at = np.searchsorted(extra.ids, ids).clip(max=len(extra.ids) - 1)
    found = extra.ids[at] == ids
    return scores + WEIGHT * np.where(found, extra.scores[at], 0.0)
