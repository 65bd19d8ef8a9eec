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

import numpy as np
from whoosh import query as wq

from search.engines.relevance import key_terms_of
from search.engines.whoosh.scoring import TermScorer
from search.index.schema import FIELD_BOOSTS

DOCUMENTS = 10  # best matches read for their key words
TERMS = 20  # key words added
WEIGHT = 0.5  # of the key words' score, added to the query's
FIELDS = ("title", "body")
MIN_WORDS = 5  # different words in the query: a short query is precise as typed (measured below)


def applies(leaves: list[tuple[str, str, np.ndarray]]) -> bool:
    """True for a query of at least ``MIN_WORDS`` different words (the leaves of its parsed form)."""
    return len({text for _, text, _ in leaves}) >= MIN_WORDS


def key_terms(searcher, docnums: list[int], limit: int = TERMS) -> list[tuple[str, float]]:
    """Return the ``limit`` words that best characterise these documents, with weights (max 1)
    (``relevance.key_terms_of``: each word's share of each document's headline and body, summed, times its
    idf in the body field)."""
    reader = searcher.reader()
    texts = []
    for docnum in docnums:
        stored = searcher.stored_fields(docnum)
        texts.append(f"{stored.get('title', '')}\n{stored.get('body', '')}")
    return key_terms_of(texts, reader.doc_count_all(), lambda term: reader.doc_frequency("body", term), limit)


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
