"""Relevance rules every engine applies the same way: Lucene's idf, and what makes two articles related.

The Whoosh engine scores with them in numpy (``whoosh/scoring.py``, ``whoosh/related.py``); the Manticore
engine weighs a related-articles query with them from the nodes' document counts.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable
from math import log

from search.text.analysis import text_terms

RELATED_TERMS = 25  # key words of an article in its related-articles query
MIN_SHARED = 2  # key words a related article must have: one common word is not a relation
# Of the article's own score for the same query, chosen on the bundled corpus (docs/benchmarks.md).
MIN_SIMILARITY = 0.09


def term_idf(doc_count: int, doc_frequency: int) -> float:
    """BM25's idf as Lucene computes it: log(1 + (N - df + 0.5) / (df + 0.5)).

    Whoosh's own, log(N / (df + 1)) + 1, gives a word found in every document a weight of 1,
    a third of a rare word's: long queries were ranked by their common words (this one raised MAP on
    CISI, Cranfield and MED: docs/search-quality.md).
    """
    return log(1 + (doc_count - doc_frequency + 0.5) / (doc_frequency + 0.5))


def key_terms_of(texts: list[str], doc_count: int, frequency: Callable[[str], int],
                 limit: int) -> list[tuple[str, float]]:
    """Return the ``limit`` words that best characterise ``texts`` (headline and body of a few articles), with
    weights (max 1): each word's share of each text, summed, times its idf (``frequency(term)``: its
    document frequency in the body field, over ``doc_count`` documents). Shared by the engines: the Whoosh one
    asks its reader, the Solr one asks the cluster (in batches, ahead of this loop).

    Words are weighed by falling share, and once a share times the largest possible idf is under the
    ``limit``-th best weight so far no later word can enter, so their document frequencies are not
    looked up (in a long interview those lookups were most of the time its related articles took:
    docs/benchmarks.md)."""
    shares = text_shares(texts)
    highest_idf = term_idf(doc_count, 1)
    weights: Counter[str] = Counter()
    lowest: list[float] = []  # the ``limit`` highest weights so far (a min-heap)
    for term in ordered_shares(shares):
        if len(lowest) == limit and shares[term] * highest_idf < lowest[0]:
            break
        found = frequency(term)
        weights[term] = shares[term] * (term_idf(doc_count, found) if found else 0.0)
        (heapq.heappush if len(lowest) < limit else heapq.heappushpop)(lowest, weights[term])
    best = Counter({term: weights[term] for term in shares if term in weights}).most_common(limit)
    if not best or best[0][1] <= 0:
        return []
    top = best[0][1]
    return [(term, weight / top) for term, weight in best if weight > 0]


def text_shares(texts: list[str]) -> Counter[str]:
    """Each word's share of each text, summed (what ``key_terms_of`` weighs)."""
    shares: Counter[str] = Counter()
    for text in texts:
        terms = [term for _, _, term in text_terms(text)]
        for term, count in Counter(terms).items():
            shares[term] += count / len(terms)
    return shares


def ordered_shares(shares: Counter[str]) -> list[str]:
    """The words of ``shares`` in the order ``key_terms_of`` weighs them (largest share first)."""
    return sorted(shares, key=shares.__getitem__, reverse=True)
