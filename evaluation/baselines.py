"""The two baselines, on the same documents and queries as the product.

- ``rank_bm25``'s BM25Okapi (k1=1.5, b=0.75, its defaults) over the product's own tokens
  (``search.text.analysis.text_terms``: the same words, stop words and stems as the index), one
  bag of words per document (title + text), the query's words OR-ed by construction.
- tantivy (the ``tantivy`` package): one text field (title + text) with its ``en_stem``
  tokenizer, BM25 (k1=1.2, b=0.75), the query parsed as a disjunction of its words.
"""

from __future__ import annotations

import re
import tempfile

import numpy as np

from search.text.analysis import text_terms

from .product import DEPTH, typed_query
from .testsets import TestCollection


def tokens(text: str) -> list[str]:
    return [term for _, _, term in text_terms(text)]


def run_rank_bm25(collection: TestCollection) -> dict[str, dict[str, float]]:
    from rank_bm25 import BM25Okapi

    documents = collection.documents
    bm25 = BM25Okapi([tokens(f"{d.title}\n{d.text}") or ["\u2205"] for d in documents])
    run = {}
    for qid, text in collection.queries.items():
        scores = bm25.get_scores(tokens(typed_query(text)))
        best = np.argsort(-scores, kind="stable")[:DEPTH]
        run[qid] = {documents[i].id: float(scores[i]) for i in best if scores[i] > 0}
    return run


def run_tantivy(collection: TestCollection) -> dict[str, dict[str, float]]:
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("docid", stored=True, tokenizer_name="raw")
    builder.add_text_field("text", stored=False, tokenizer_name="en_stem")
    schema = builder.build()
    with tempfile.TemporaryDirectory(prefix="eval-tantivy-") as folder:
        index = tantivy.Index(schema, path=folder)
        writer = index.writer(heap_size=64_000_000, num_threads=1)
        for document in collection.documents:
            writer.add_document(tantivy.Document(docid=document.id, text=f"{document.title}\n{document.text}"))
        writer.commit()
        writer.wait_merging_threads()
        index.reload()
        searcher = index.searcher()
        run = {}
        for qid, text in collection.queries.items():
            words = re.findall(r"\w+", typed_query(text))
            if not words:
                run[qid] = {}
                continue
            query = index.parse_query(" ".join(words), ["text"])
            hits = searcher.search(query, DEPTH).hits
            run[qid] = {searcher.doc(address)["docid"][0]: float(score) for score, address in hits}
    return run
