"""Whoosh's segment writer with two costs of its commit taken out, writing the same index.

A profile of a one-process build put most of the writer's time in its commit, and two parts of that in
bookkeeping rather than in writing postings:

- the external sort of the postings writes its sorted runs one posting at a time with ``pickle`` and reads
  them back the same way: ``_RunPool`` writes and reads them in blocks with ``marshal`` (the postings are
  tuples of text, bytes and numbers, which marshal keeps as they are), in the same order;
- for every posting, the field writer asks the length of the document's field, and for a field that keeps
  no lengths (ids, keywords, numbers) Whoosh looks for the column's file on disk each time:
  ``_Lengths`` reads each field's lengths once, into an array, and answers the same values.

Nothing of Whoosh is patched: ``FastSegmentWriter`` is a ``SegmentWriter`` that uses both. The indexes are
the same (tests/system/test_parse_cache.py compares builds' stored fields and postings with and without it).
"""

from __future__ import annotations

import marshal

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length
from whoosh.writing import PostingPool, SegmentWriter

RUN_BLOCK = 16384  # postings marshalled together in a sorted run


class _RunPool(PostingPool):
    """Whoosh's posting pool, its sorted runs written and read ``RUN_BLOCK`` postings at a time."""

    def _write_run(self, f, items):
        if isinstance(items, list):
            for start in range(0, len(items), RUN_BLOCK):
                marshal.dump(items[start:start + RUN_BLOCK], f)
        else:  # a merge of runs (reduce_to), read as it is written
            block = []
            for item in items:
                block.append(item)
                if len(block) >= RUN_BLOCK:
                    marshal.dump(block, f)
                    block = []
            if block:
                marshal.dump(block, f)
        f.close()

    def _read_run(self, path):
        f = self._open_run(path)
        try:
            while True:
                try:
                    block = marshal.load(f)
                except EOFError:
                    return
                yield from block
        finally:
            f.close()
            self._remove_run(path)


_MISSING = object()


class _Lengths:
    """A segment's field lengths as the field writer asks for them, each field's column read once."""

    def __init__(self, reader):
        self._reader = reader
        self._arrays: dict = {}

    def doc_field_length(self, docnum, fieldname, default=0):
        array = self._arrays.get(fieldname, _MISSING)
        if array is _MISSING:
            column = self._reader._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            array = self._arrays[fieldname] = None if column is None else column.load()
        if array is None:
            return default
        lbyte = array[docnum]
        if lbyte:
            return byte_to_length(lbyte)
        return None  # as Whoosh's W3PerDocReader.doc_field_length answers a zero byte


class FastSegmentWriter(SegmentWriter):
    """A ``SegmentWriter`` whose commit writes the same segment with less bookkeeping (see the module)."""

    def __init__(self, ix, limitmb=128, **kwargs):
        super().__init__(ix, limitmb=limitmb, **kwargs)
        self.pool = _RunPool(self._tempstorage, self.newsegment, limitmb=limitmb)

    def _flush_segment(self):
        self.perdocwriter.close()
        pdr = self.per_document_reader() if self.codec.length_stats else None
        lengths = _Lengths(pdr) if pdr is not None and hasattr(pdr, "_cached_reader") else pdr
        postings = self.pool.iter_postings()
        self.fieldwriter.add_postings(self.schema, lengths, postings)
        self.fieldwriter.close()
        if pdr:
            pdr.close()
