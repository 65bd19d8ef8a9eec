"""FastSegmentWriter (search/index/writers.py) writes the index Whoosh's SegmentWriter writes: the same
terms, postings (documents, weights, positions), field lengths and stored fields, with its sorted runs
spilled to disk (a small memory limit) or not, and after an incremental merge of segments."""

from __future__ import annotations

import pytest
from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from search.index.schema import article_to_document, build_schema
from search.index.writers import FastSegmentWriter


def contents(ix) -> dict:
    """Everything a searcher reads of an index."""
    with ix.searcher() as searcher:
        reader = searcher.reader()
        postings = {}
        for fieldname, text in reader.all_terms():
            matcher = reader.postings(fieldname, text)
            items = []
            while matcher.is_active():
                items.append((matcher.id(), matcher.weight(), matcher.value()))
                matcher.next()
            postings[fieldname, text] = items
        lengths = {(name, doc): reader.doc_field_length(doc, name)
                   for name in reader.schema.scorable_names() for doc in range(reader.doc_count_all())}
        totals = {name: (reader.field_length(name), _or_none(reader.min_field_length, name),
                         _or_none(reader.max_field_length, name)) for name in reader.schema.scorable_names()}
        return {"postings": postings, "lengths": lengths, "totals": totals,
                "stored": list(reader.all_stored_fields()), "count": reader.doc_count()}


def _or_none(method, name):
    try:
        return method(name)
    except TypeError:  # Whoosh's multi-segment reader, for a field a segment has no lengths of
        return None


def write(folder, writer_class, documents, limitmb, batches=1):
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), build_schema(), indexname="MAIN")
    size = -(-len(documents) // batches)
    for start in range(0, len(documents), size):
        writer = writer_class(ix, limitmb=limitmb, compound=False)
        for document in documents[start:start + size]:
            writer.add_document(**document)
        if start:
            writer.delete_by_term("id", documents[0]["id"])
        writer.commit(merge=True)
    return ix


@pytest.mark.parametrize(("limitmb", "batches"), [(1, 1), (256, 1), (1, 3)],
                         ids=["runs spilled to disk", "in memory", "incremental merges"])
def test_the_fast_writer_writes_what_whoosh_writes(bundled_articles, tmp_path, limitmb, batches):
    documents = [article_to_document(article) for article in bundled_articles]
    stock = write(tmp_path / "stock", SegmentWriter, documents, limitmb, batches)
    fast = write(tmp_path / "fast", FastSegmentWriter, documents, limitmb, batches)
    expected = contents(stock)
    assert expected["count"] == len(documents) - (batches > 1)
    assert contents(fast) == expected
