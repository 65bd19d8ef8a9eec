"""Whole Whoosh columns and posting lists as numpy arrays, read in blocks instead of one value at a time.

A worker opens each index build once and reads, for every document, its year, month, day, date
and field lengths (facets, date filters and sorting, BM25F). Through Whoosh's per-document API
that took seconds at 23k articles while the first search waited (docs/benchmarks.md).
Whoosh stores a numeric column as fixed-width big-endian numbers, one per document; this reads
that block with numpy and falls back to the per-document API for any other layout. Posting
lists are read block by block (Whoosh decodes each block into an array of ids and weights).
"""

from __future__ import annotations

from itertools import accumulate
from pickle import loads

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, STORED_COLUMN, W3LeafMatcher, W3PerDocReader, _lenfield
from whoosh.columns import CompressedBytesColumn, NumericColumn, PickleColumn
from whoosh.formats import Positions


def _raw(column_reader, doc_count: int) -> np.ndarray | None:
    """Return a NumericColumn reader's stored numbers, padded with its default, or None."""
    if not isinstance(column_reader, NumericColumn.Reader):
        return None
    typecode = column_reader._typecode
    width = np.dtype(">" + typecode).itemsize
    count = min(column_reader._count, doc_count)
    data = column_reader._dbfile.get(column_reader._basepos, count * width)
    values = np.frombuffer(data, dtype=">" + typecode, count=count).astype(np.dtype(typecode).newbyteorder("="))
    if count < doc_count:
        values = np.concatenate([values, np.full(doc_count - count, column_reader._default, dtype=values.dtype)])
    return values


def numeric_column(reader, fieldname: str, translate: bool = True) -> np.ndarray:
    """Return a sortable field's values for every document of ``reader`` (all segments).

    ``translate=False`` gives the stored numbers (for ordering); ``True`` gives the field's values,
    converted through Whoosh's own translation once per distinct stored number.
    """
    total = reader.doc_count_all()
    parts = []
    for leaf, _offset in reader.leaf_readers():
        count = leaf.doc_count_all()
        if not leaf.has_column(fieldname):
            parts.append(np.zeros(count, dtype=np.float64))
            continue
        column = leaf.column_reader(fieldname, translate=False)
        raw = _raw(column, count)
        if raw is None:
            raw = np.fromiter(column, dtype=np.float64, count=count)
        if translate:  # the field's own values, 0 where a document has none (an undated article)
            field = reader.schema[fieldname]
            distinct, inverse = np.unique(raw, return_inverse=True)
            default = getattr(column, "_default", None)
            values = np.array([0 if v == default else field.from_column_value(int(v)) for v in distinct],
                              dtype=np.float64)
            raw = values[inverse]
        parts.append(raw.astype(np.float64))
    return np.concatenate(parts) if parts else np.zeros(total, dtype=np.float64)


def field_lengths(reader, fieldname: str, byte_to_length: np.ndarray) -> np.ndarray:
    """Return each document's length in a text field as Whoosh scores it (one quantised byte)."""
    parts = []
    for leaf, _offset in reader.leaf_readers():
        count = leaf.doc_count_all()
        perdoc = getattr(leaf, "_perdoc", None)
        column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN) if perdoc is not None else None
        raw = _raw(column, count) if column is not None else None
        if perdoc is not None and column is None:  # no document of this segment has the field
            parts.append(np.zeros(count, dtype=np.float32))
        elif raw is not None:
            parts.append(byte_to_length[raw.astype(np.int64)])
        else:
            parts.append(np.fromiter((leaf.doc_field_length(d, fieldname, 0) or 0 for d in range(count)),
                                     dtype=np.float32, count=count))
    return np.concatenate(parts).astype(np.float32) if parts else np.zeros(0, dtype=np.float32)


def _blocks(reader, fieldname: str, btext: bytes):
    """Yield (docnums, weights, values) per block of a term's postings, over all segments.

    ``weights`` and ``values`` are functions, so a caller decodes only what it reads.
    """
    for leaf, offset in reader.leaf_readers():
        if (fieldname, btext) not in leaf:
            continue
        matcher = leaf.postings(fieldname, btext)
        if isinstance(matcher, W3LeafMatcher):
            while matcher.is_active():
                matcher._read_ids()
                ids = np.asarray(matcher._ids, dtype=np.int64) + offset
                yield (ids, lambda m=matcher: (m._read_weights(), m._weights)[1],
                       lambda m=matcher: (m._read_values(), m._values)[1])
                matcher._next_block()
        else:  # postings inlined in the term info: a handful, read one by one
            ids, weights, values = [], [], []
            while matcher.is_active():
                ids.append(matcher.id())
                weights.append(matcher.weight())
                values.append(matcher.value())
                matcher.next()
            yield np.asarray(ids, dtype=np.int64) + offset, lambda w=weights: w, lambda v=values: v


def postings(reader, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Return (docnums, weights) of a term over all segments, read block by block."""
    ids_parts, weight_parts = [], []
    for ids, weights, _values in _blocks(reader, fieldname, btext):
        ids_parts.append(ids)
        weight_parts.append(np.asarray(weights(), dtype=np.float32))
    if not ids_parts:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
    return np.concatenate(ids_parts).astype(np.int32), np.concatenate(weight_parts)


def positions(reader, fieldname: str, btext: bytes, wanted: np.ndarray) -> dict[int, list[int]]:
    """Return {docnum: word positions} of a term, for the (sorted) docnums in ``wanted`` only."""
    field_format = reader.schema[fieldname].format
    # Whoosh's Positions format stores a 4-byte frequency and a pickled list of position deltas
    # (its trailing '.' dropped); decoding that directly is twice as fast as format.decode_positions.
    if type(field_format) is Positions:
        def decode(value: bytes) -> list[int]:
            return list(accumulate(loads(value[4:] + b".")))
    else:
        decode = field_format.decode_positions
    found: dict[int, list[int]] = {}
    for ids, _weights, values in _blocks(reader, fieldname, btext):
        hit = np.isin(ids, wanted, assume_unique=True)
        if hit.any():
            block_values = values()
            for index in np.flatnonzero(hit):
                found[int(ids[index])] = decode(block_values[index])
    return found


_STORED = "_stored"  # Whoosh's stored-fields column
StoredLayout = tuple[np.ndarray, np.ndarray]  # (offsets, lengths) of every document's stored bytes in a segment


def stored_layout(leaf) -> StoredLayout | None:
    """Where each document's stored fields are in a segment's column, read once with numpy; None if not the
    layout Whoosh 3 writes (then each searcher's reader works it out itself, as before).

    Whoosh's reader of the column works this out in Python for every new searcher (every thread's first
    article), from the lengths it stores at the column's end: a cost that grows with the archive.
    """
    perdoc = getattr(leaf, "_perdoc", None)
    whoosh_layout = isinstance(STORED_COLUMN, PickleColumn) and isinstance(STORED_COLUMN._child, CompressedBytesColumn)
    if not whoosh_layout or not isinstance(perdoc, W3PerDocReader) or not perdoc.has_column(_STORED):
        return None
    colfile, base, length = perdoc._get_column_file(_STORED)
    try:
        count = perdoc._doccount
        last = base + length - 1
        code = chr(colfile.get_byte(last))
        if code == "X":  # the offsets were stored too; Whoosh's writer does not, but a reader accepts them
            return None
        dtype = np.dtype(code).newbyteorder(">")
        start = last - dtype.itemsize * count
        lengths = np.frombuffer(colfile.get(start, dtype.itemsize * count), dtype=dtype).astype(np.int64)
    finally:
        colfile.close()
    offsets = np.zeros(count, dtype=np.int64)
    np.cumsum(lengths[:-1], out=offsets[1:])
    return offsets, lengths


def share_stored_layout(leaf, layout: StoredLayout) -> None:
    """Give a new searcher's segment reader the stored-fields layout read once (``stored_layout``)."""
    perdoc = leaf._perdoc
    if _STORED in perdoc._readers:
        return
    if _STORED not in perdoc._colfiles:  # opened as Whoosh opens it, and closed with the reader
        perdoc._colfiles[_STORED] = perdoc._get_column_file(_STORED)
    colfile, base, length = perdoc._colfiles[_STORED]
    inner = CompressedBytesColumn.Reader.__new__(CompressedBytesColumn.Reader)
    inner._dbfile, inner._basepos, inner._length, inner._doccount = colfile, base, length, perdoc._doccount
    inner.had_stored_offsets = False
    inner._offsets, inner._lengths = layout
    inner._decompress = __import__(STORED_COLUMN._child._module).decompress
    perdoc._readers[_STORED] = PickleColumn.Reader(inner)
