"""Relevance rules every engine applies the same way: Lucene's idf, and what makes two articles related.

The Whoosh engine scores with them in numpy (``whoosh/scoring.py``, ``whoosh/related.py``); the Manticore
engine weighs a related-articles query with them from the nodes' document counts.
"""

from __future__ import annotations

from math import log

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
