"""MAP, P@10 and nDCG@10 by ir-measures (trec_eval's implementations through pytrec_eval).

A judged query for which an engine returned nothing still counts, as zero: trec_eval skips
queries absent from the run, which would flatter an engine that finds nothing.
"""

from __future__ import annotations

import ir_measures
from ir_measures import AP, P, nDCG

from .testsets import TestCollection

EMPTY = "\u2205"  # a document id no qrels name: an empty ranking scores zero instead of being skipped


def evaluate(collection: TestCollection, run: dict[str, dict[str, float]]) -> dict[str, float]:
    """Return ``map``, ``p10`` and ``ndcg10`` averaged over the collection's judged queries."""
    run = {qid: (run.get(qid) or {EMPTY: 0.0}) for qid in collection.queries}
    binary = ir_measures.calc_aggregate([AP, P @ 10], collection.qrels, run)
    graded = ir_measures.calc_aggregate([nDCG @ 10], collection.graded_qrels, run)
    return {"map": binary[AP], "p10": binary[P @ 10], "ndcg10": graded[nDCG @ 10]}
