"""Related articles: the articles that best share an article's key words (more-like-this, from the index).

The key words of the article (``feedback.key_terms``: each word's share of its headline and body,
times its idf; the same words the any-words mode re-ranks with) become one OR query over headlines
and bodies, each word weighted by its key-term weight, scored by the numpy BM25F of ``scoring``
(``TermScorer.evaluate``; postings cached per build). The article itself and its near-duplicates
(``nearduplicates``: its other versions are not "related", they are the same story) are left out,
two versions of another story count once (the best-scored), and an article that shares fewer than
``MIN_SHARED`` of the key words is left out: one common word is not a relation. So is one whose score
is under ``MIN_SIMILARITY`` of the article's own score for the same query: on the bundled corpus
(294 articles on every subject) the lists below that were other subjects sharing a word or two
("Study indicates as great white shark disappears" -> "Wikinews investigates disappearance of
Indonesian cargo ship"), and an article with nothing related shows no list rather than noise.
The rules (``engines/relevance.py``) are the Solr engine's too; the cost is in docs/benchmarks.md.
"""

from __future__ import annotations

import numpy as np
from whoosh import query as wq

from search.engines.relevance import MIN_SHARED, MIN_SIMILARITY, RELATED_TERMS
from search.engines.whoosh.feedback import key_terms
from search.engines.whoosh.scoring import TermScorer
from search.index.nearduplicates import Groups
from search.index.schema import FIELD_BOOSTS

TERMS = RELATED_TERMS
FIELDS = ("title", "body")


def related_docnums(scorer: TermScorer, searcher, docnum: int, groups: Groups, live: np.ndarray,
                    limit: int = 5, terms: int = TERMS) -> list[tuple[int, float]]:
    """Return up to ``limit`` (document number, score) of the articles most like ``docnum``, best first,
    leaving out ``docnum``, its near-duplicates (``groups``) and the documents not ``live`` (deleted),
    and keeping one article of each group of near-duplicates."""
    words = key_terms(searcher, [docnum], limit=terms)
    if not words or limit <= 0:
        return []
    query = wq.Or([wq.Term(field, term, boost=FIELD_BOOSTS[field] * weight)
                   for term, weight in words for field in FIELDS])
    evaluated = scorer.evaluate(query, searcher.reader())
    if evaluated is None or not len(evaluated.ids):
        return []
    ids, scores = evaluated.ids, evaluated.scores
    row = {term: number for number, (term, _weight) in enumerate(words)}
    has = np.zeros((len(words), len(ids)), dtype=bool)  # which key words each match has (in any field)
    for _field, text, postings in evaluated.leaves:
        if len(postings):
            has[row[text], np.searchsorted(ids, postings)] = True  # ids: sorted, and every posting is in them
    shared = has.sum(axis=0)
    own_score = scores[np.searchsorted(ids, docnum)] if docnum in ids else scores.max()
    keep = live[ids] & (ids != docnum) & (shared >= MIN_SHARED) & (scores >= MIN_SIMILARITY * own_score)
    own = groups.group_of[docnum]
    if own >= 0:
        keep &= groups.group_of[ids] != own
    ids, scores = ids[keep], scores[keep]
    found: list[tuple[int, float]] = []
    seen: set[int] = set()
    for position in np.lexsort((ids, -scores)):  # best first; ties in index order
        other = int(ids[position])
        group = int(groups.group_of[other])
        if group >= 0:
            if group in seen:
                continue
            seen.add(group)
        found.append((other, float(scores[position])))
        if len(found) == limit:
            break
    return found
