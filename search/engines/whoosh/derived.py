"""The arrays a worker searches with, written once per build and memory-mapped by every worker.

Opening a build used to read, in every worker, every facet value's postings, every column and field
length through Whoosh, and the first search read each term's postings block by block; the first
completion read every stored headline. Instead, the build writes them once as ``.npy`` files next
to its Whoosh files (``derived.*``, before it is published, so they are checksummed with the rest),
and a worker opens them with ``np.load(mmap_mode="r")``: the pages are the kernel's page cache,
shared by every worker, and nothing is decoded at open.

Per searched text field: the terms, sorted (UTF-8 bytes, as Whoosh orders them) in an offsets +
bytes array searched by bisection (no dictionary of every term is built at open); each term's
postings as a slice of two flat arrays (docnums, term frequencies); each document's length as
Whoosh scores it; and each posting's word positions (for phrases), one flat array per field in the
postings' order. Per facet: its values and their postings. The live documents, the date columns,
and the search box's completions (``autocomplete.Suggester``'s lists) complete it.

A build without these files (made before they existed), or whose files do not match its Whoosh
segments, is opened the old way: everything read from Whoosh (``facets.py``, ``scoring.py``).
"""

from __future__ import annotations

import json
import logging
import os
import time
from array import array
from bisect import bisect_left
from itertools import accumulate, chain
from pathlib import Path
from pickle import loads

import numpy as np
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.formats import Positions
from whoosh.util.numeric import byte_to_length

from search.engines.whoosh.columns import field_lengths, numeric_column
from search.index.schema import FACET_FIELD, FACETS, SEARCHED_FIELDS

LOG = logging.getLogger("search.engines")
VERSION = 1
PREFIX = "derived."
META = PREFIX + "meta.json"
BYTE_TO_LENGTH = np.array([byte_to_length(i) for i in range(256)], dtype=np.float32)


class StringArray:
    """A sorted (or not) sequence of strings as offsets + UTF-8 bytes: indexable, bisectable, not unpacked."""

    def __init__(self, offsets: np.ndarray, blob: np.ndarray):
        self.offsets, self.blob = offsets, blob
        self._bytes = memoryview(blob) if len(blob) else memoryview(b"")

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def raw(self, i: int) -> bytes:
        return bytes(self._bytes[int(self.offsets[i]):int(self.offsets[i + 1])])

    def __getitem__(self, i: int) -> str:
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self.raw(i).decode("utf-8")

    def find(self, key: bytes) -> int:
        """The position of ``key`` (bytes) in a sorted array, or -1."""
        at = bisect_left(_RawView(self), key)
        return at if at < len(self) and self.raw(at) == key else -1

    @staticmethod
    def encode(texts) -> tuple[np.ndarray, np.ndarray]:
        encoded = [t if isinstance(t, bytes) else t.encode("utf-8") for t in texts]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(b) for b in encoded], out=offsets[1:])
        return offsets, np.frombuffer(b"".join(encoded), dtype=np.uint8).copy()


class _RawView:
    def __init__(self, strings: StringArray):
        self.strings = strings

    def __len__(self) -> int:
        return len(self.strings)

    def __getitem__(self, i: int) -> bytes:
        return self.strings.raw(i)


class FieldPostings:
    """Every term's postings of one text field, as slices of flat arrays; and their word positions.

    A term's postings are ``docs[starts[t]:starts[t + 1]]`` (ascending docnums) with their frequencies
    in ``freqs``; its positions, posting after posting, are ``positions[pos_starts[t]:pos_starts[t + 1]]``,
    a posting having as many positions as its frequency.
    """

    def __init__(self, terms: StringArray, starts: np.ndarray, docs: np.ndarray, freqs: np.ndarray,
                 pos_starts: np.ndarray | None = None, positions: np.ndarray | None = None):
        self.terms, self.starts, self.docs, self.freqs = terms, starts, docs, freqs
        self.pos_starts, self.positions = pos_starts, positions

    @property
    def has_positions(self) -> bool:
        return self.positions is not None

    def get(self, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
        """(docnums, term frequencies) of a term; empty arrays for a term the field lacks."""
        at = self.terms.find(btext)
        if at < 0:
            return self.docs[:0], self.freqs[:0]
        start, end = int(self.starts[at]), int(self.starts[at + 1])
        return self.docs[start:end], self.freqs[start:end]

    def positions_in(self, btext: bytes, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The term's word positions in the documents ``wanted`` (sorted docnums, each having the term):
        (index in ``wanted`` of each position's document, position), grouped by document."""
        at = self.terms.find(btext)
        start, end = int(self.starts[at]), int(self.starts[at + 1])
        docs, freqs = self.docs[start:end], self.freqs[start:end]
        where = np.searchsorted(docs, wanted)
        counts = freqs[where].astype(np.int64)
        before = np.cumsum(freqs, dtype=np.int64) - freqs.astype(np.int64)  # positions of earlier postings
        first = int(self.pos_starts[at]) + before[where]  # where each wanted document's positions begin
        total = int(counts.sum())
        flat = np.repeat(first - (np.cumsum(counts) - counts), counts) + np.arange(total, dtype=np.int64)
        return np.repeat(np.arange(len(wanted), dtype=np.int64), counts), self.positions[flat].astype(np.int64)


class Derived:
    """The derived arrays of one build, memory-mapped (read-only)."""

    def __init__(self, build_dir: Path, meta: dict):
        self.path, self.meta = build_dir, meta
        self.doc_count_all = int(meta["doc_count_all"])
        self.avg_length = {f: float(v["avg_length"]) for f, v in meta["fields"].items()}

    def array(self, name: str) -> np.ndarray:
        return np.load(self.path / f"{PREFIX}{name}.npy", mmap_mode="r", allow_pickle=False)

    def strings(self, name: str) -> StringArray:
        return StringArray(self.array(name + ".at"), self.array(name + ".bytes"))

    def postings(self, field: str) -> FieldPostings:
        positioned = self.meta["fields"][field].get("positions", False)
        return FieldPostings(self.strings(f"{field}.terms"), self.array(f"{field}.starts"),
                             self.array(f"{field}.docs"), self.array(f"{field}.freqs"),
                             self.array(f"{field}.pos_starts") if positioned else None,
                             self.array(f"{field}.positions") if positioned else None)

    @property
    def fields(self) -> list[str]:
        return list(self.meta["fields"])

    def suggester(self):
        """The search box's completions as the build wrote them (``autocomplete.Suggester``), mapped."""
        from search.query.autocomplete import Suggester  # noqa: PLC0415

        return Suggester(texts=self.strings("suggest.texts"), starts=self.strings("suggest.starts"),
                         start_ids=self.array("suggest.start_ids"), words=self.strings("suggest.words"),
                         offsets=self.array("suggest.offsets"), owners=self.array("suggest.owners"))

    def facet(self, facet: str) -> tuple[StringArray, np.ndarray, np.ndarray]:
        """(values, starts, docnums) of a facet: value i's documents are docnums[starts[i]:starts[i + 1]]."""
        return self.strings(f"facet.{facet}.values"), self.array(f"facet.{facet}.starts"), \
            self.array(f"facet.{facet}.docs")


def segment_ids(reader) -> list[str]:
    """The Whoosh segments a reader reads, in order (what the derived files were written from)."""
    return [leaf.segment().segment_id() if hasattr(leaf, "segment") else "" for leaf, _ in reader.leaf_readers()]


def open_derived(build_dir: Path, reader) -> Derived | None:
    """The build's derived arrays, or None when it has none or they were written from other segments."""
    try:
        meta = json.loads((build_dir / META).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        LOG.warning("build %s: %s is not readable (%s): reading from Whoosh instead", build_dir.name, META, exc)
        return None
    if meta.get("version") != VERSION or meta.get("segments") != segment_ids(reader) \
            or meta.get("doc_count_all") != reader.doc_count_all():
        LOG.warning("build %s: its derived arrays do not match its segments: reading from Whoosh instead",
                    build_dir.name)
        return None
    return Derived(build_dir, meta)


# --- writing ---------------------------------------------------------------------------------------

def _leaf_postings(leaf, fieldname: str, positions: array | None = None):
    """Yield (term bytes, docnums, frequencies) of every term of a field in one segment, in term order;
    with ``positions``, append each posting's word positions to it as well, in the same order (one
    reading of the postings for both). Raise ``_NoPositions`` when they are not laid out as expected."""
    terms = leaf._terms  # the segment's W3TermsReader: (term, TermInfo) pairs without a lookup per term
    fieldobj = leaf.schema[fieldname]
    codec, postfile = terms._codec, terms._postfile
    for (name, btext), info in terms.items_from(fieldname, b""):
        if name != fieldname:
            break
        matcher = codec.postings_reader(postfile, info, fieldobj.format, term=(fieldname, btext))
        ids, weights, values = [], [], []
        if isinstance(matcher, W3LeafMatcher):
            while matcher.is_active():
                matcher._read_ids()
                matcher._read_weights()
                ids.append(np.asarray(matcher._ids, dtype=np.int32))
                weights.append(np.asarray(matcher._weights, dtype=np.float32))
                if positions is not None:
                    matcher._read_values()
                    values.extend(matcher._values)
                matcher._next_block()
            leaf_ids, leaf_weights = np.concatenate(ids), np.concatenate(weights)
        else:
            while matcher.is_active():
                ids.append(matcher.id())
                weights.append(matcher.weight())
                if positions is not None:
                    values.append(matcher.value())
                matcher.next()
            leaf_ids, leaf_weights = np.asarray(ids, dtype=np.int32), np.asarray(weights, dtype=np.float32)
        if positions is not None:
            _decode_positions(values, positions)
        yield btext, leaf_ids, leaf_weights


class _NoPositions(Exception):
    """A field's postings hold no positions laid out as Whoosh's ``Positions`` format writes them."""


SMALL_TERM = 64  # positions decoded with plain Python below this many, with numpy above


def _decode_positions(values: list[bytes], out: array) -> None:
    """Append the absolute word positions of Whoosh ``Positions`` values (a 4-byte count and a pickled list
    of position deltas each) to ``out``, decoded with one ``pickle.loads`` for all of them: the pickles'
    bodies are joined into one list of lists."""
    if any(value[4:6] != b"\x80\x02" or value[-1:] != b"." for value in values):
        raise _NoPositions
    deltas = loads(b"\x80\x02(" + b"".join(value[6:-1] for value in values) + b"l.")
    if len(deltas) < SMALL_TERM:  # most terms: a handful of postings, where numpy's set-up costs more
        for posting in deltas:
            out.extend(accumulate(posting))
        return
    counts = np.fromiter(map(len, deltas), dtype=np.int64, count=len(deltas))
    flat = np.fromiter(chain.from_iterable(deltas), dtype=np.int64, count=int(counts.sum()))
    running = np.cumsum(flat)
    ends = np.cumsum(counts)
    before = np.zeros(len(counts), dtype=np.int64)  # the running sum before each posting's first delta
    before[1:] = running[ends[:-1] - 1] if len(running) else 0
    out.frombytes((running - np.repeat(before, counts)).astype(np.uint32).tobytes())


def _field_arrays(reader, fieldname: str, with_positions: bool = False) -> dict[str, np.ndarray]:
    """The field's terms and postings over all segments (docnums in order), as flat arrays; ``with_positions``:
    also every posting's word positions, in the postings' order ("positions"), and where each term's begin
    ("pos_starts"), when the field keeps them as counts of positions (else those two are left out)."""
    per_leaf = []
    positioned = with_positions and type(reader.schema[fieldname].format) is Positions
    for leaf, offset in reader.leaf_readers():
        if fieldname not in leaf.schema or not hasattr(leaf, "_terms"):
            continue
        terms, counts, ids, freqs = [], [], [], []
        positions = array("I") if positioned else None
        try:
            for btext, leaf_ids, leaf_freqs in _leaf_postings(leaf, fieldname, positions):
                terms.append(btext)
                counts.append(len(leaf_ids))
                ids.append(leaf_ids + offset)
                freqs.append(leaf_freqs)
        except _NoPositions:
            return _field_arrays(reader, fieldname)
        per_leaf.append((terms, np.asarray(counts, dtype=np.int64),
                         np.concatenate(ids) if ids else np.zeros(0, np.int32),
                         np.concatenate(freqs) if freqs else np.zeros(0, np.float32),
                         np.frombuffer(positions, dtype=np.uint32) if positioned else None))
    if len(per_leaf) == 1:
        terms, counts, docs, freqs, positions = per_leaf[0]
    else:  # merge: a term's postings are its segments' postings one after the other (docnums ascending)
        terms = sorted(set().union(*(leaf[0] for leaf in per_leaf)))
        position = {t: i for i, t in enumerate(terms)}
        counts = np.zeros(len(terms), dtype=np.int64)
        slots = []
        for leaf_terms, leaf_counts, *_ in per_leaf:
            where = np.fromiter((position[t] for t in leaf_terms), dtype=np.int64, count=len(leaf_terms))
            slots.append(where)
            counts[where] += leaf_counts
        starts = np.zeros(len(terms) + 1, dtype=np.int64)
        np.cumsum(counts, out=starts[1:])
        docs = np.zeros(int(starts[-1]), dtype=np.int32)
        freqs = np.zeros(int(starts[-1]), dtype=np.float32)
        filled = starts[:-1].copy()
        places = []
        for (_, leaf_counts, leaf_docs, leaf_freqs, _), where in zip(per_leaf, slots):
            # each posting of the segment goes to its term's next free place
            leaf_starts = np.repeat(filled[where], leaf_counts)
            within = np.arange(len(leaf_docs)) - np.repeat(np.cumsum(leaf_counts) - leaf_counts, leaf_counts)
            docs[leaf_starts + within] = leaf_docs
            freqs[leaf_starts + within] = leaf_freqs
            places.append(leaf_starts + within)
            filled[where] += leaf_counts
        positions = _merged_positions(per_leaf, places, freqs) if positioned else None
    starts = np.zeros(len(terms) + 1, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    offsets, blob = StringArray.encode(terms)
    found = {"terms.at": offsets, "terms.bytes": blob, "starts": starts, "docs": docs.astype(np.int32),
             "freqs": freqs.astype(np.float32)}
    if positioned:
        before = np.zeros(len(freqs) + 1, dtype=np.int64)  # positions of the postings before each one
        np.cumsum(np.rint(freqs).astype(np.int64), out=before[1:])
        if before[-1] != len(positions) or not np.array_equal(before[1:], np.cumsum(freqs, dtype=np.float64)):
            return found  # frequencies that are not counts of positions: phrases read them through Whoosh
        found["pos_starts"] = before[starts]
        found["positions"] = positions
    return found


def _merged_positions(per_leaf, places: list[np.ndarray], freqs: np.ndarray) -> np.ndarray:
    """The segments' positions (each in its postings' order) moved to the merged postings' order: a posting
    that went to place p of the merged postings takes its positions to where the positions of place p begin."""
    begins = np.zeros(len(freqs) + 1, dtype=np.int64)
    np.cumsum(np.rint(freqs).astype(np.int64), out=begins[1:])
    merged = np.zeros(int(begins[-1]), dtype=np.uint32)
    for (_, _, _, leaf_freqs, leaf_positions), place in zip(per_leaf, places):
        lengths = np.rint(leaf_freqs).astype(np.int64)
        if int(lengths.sum()) != len(leaf_positions):
            return np.zeros(0, dtype=np.uint32)  # not counts of positions: refused by the caller
        leaf_begins = np.cumsum(lengths) - lengths
        target = np.repeat(begins[place] - leaf_begins, lengths) + np.arange(len(leaf_positions), dtype=np.int64)
        merged[target] = leaf_positions
    return merged


def write_derived(build_dir: Path, completions=None) -> dict:
    """Write the derived arrays of the Whoosh index in ``build_dir``; return {"seconds", "bytes"}.

    Each file is written under a temporary name and renamed: an incremental build's folder starts as
    hard links to the served build's files, which must not change under the workers reading them.
    ``completions(searcher, facets)`` gives the search box's candidates (the engine's, ``archive.py``).
    """
    from search.engines.whoosh.facets import FacetIndex  # noqa: PLC0415 (facets imports this module)
    from search.query.autocomplete import Suggester  # noqa: PLC0415

    started = time.perf_counter()
    ix = whoosh_index.open_dir(str(build_dir), indexname="MAIN")
    arrays: dict[str, np.ndarray] = {}
    try:
        with ix.searcher() as searcher:
            reader = searcher.reader()
            meta = {"version": VERSION, "doc_count_all": reader.doc_count_all(), "segments": segment_ids(reader),
                    "fields": {}}
            for field in SEARCHED_FIELDS:
                if field not in reader.schema:
                    continue
                found = _field_arrays(reader, field, with_positions=True)
                for name, values in found.items():
                    arrays[f"{field}.{name}"] = values
                arrays[f"{field}.lengths"] = field_lengths(reader, field, BYTE_TO_LENGTH)
                meta["fields"][field] = {"avg_length": searcher.avg_field_length(field) or 1.0,
                                         "positions": "positions" in found}
            for facet in FACETS:
                fieldname = FACET_FIELD[facet]
                if fieldname in reader.schema:
                    found = _field_arrays(reader, fieldname)
                else:
                    found = {"terms.at": np.zeros(1, np.int64), "terms.bytes": np.zeros(0, np.uint8),
                             "starts": np.zeros(1, np.int64), "docs": np.zeros(0, np.int32)}
                arrays[f"facet.{facet}.values.at"] = found["terms.at"]
                arrays[f"facet.{facet}.values.bytes"] = found["terms.bytes"]
                arrays[f"facet.{facet}.starts"] = found["starts"]
                arrays[f"facet.{facet}.docs"] = found["docs"]
            live = np.zeros(reader.doc_count_all(), dtype=bool)
            live[np.fromiter(reader.all_doc_ids(), dtype=np.int64)] = True
            arrays["live"] = live
            for name in ("year", "month", "day"):
                arrays[name] = numeric_column(reader, name).astype(np.int64)
            arrays["published"] = numeric_column(reader, "published", translate=False)
    finally:
        ix.close()
    for stale in build_dir.glob(PREFIX + "*"):  # links to the served build's files: unlinked, never rewritten
        stale.unlink()
    size = _save(build_dir, arrays, meta)
    if completions is not None:
        derived = Derived(build_dir, meta)
        ix = whoosh_index.open_dir(str(build_dir), indexname="MAIN")
        try:
            with ix.searcher() as searcher:
                suggester = Suggester.from_candidates(completions(searcher, FacetIndex(searcher.reader(), derived)))
        finally:
            ix.close()
        arrays = {}
        for name in ("texts", "starts", "words"):
            arrays[f"suggest.{name}.at"], arrays[f"suggest.{name}.bytes"] = StringArray.encode(getattr(suggester, name))
        for name in ("start_ids", "offsets", "owners"):
            arrays[f"suggest.{name}"] = getattr(suggester, name)
        meta["suggest"] = True
        size += _save(build_dir, arrays, meta)
    return {"seconds": round(time.perf_counter() - started, 3), "bytes": size}


def _save(build_dir: Path, arrays: dict[str, np.ndarray], meta: dict) -> int:
    """Write arrays (each under a temporary name, then renamed) and then the meta file; their size in bytes."""
    size = 0
    for name, values in arrays.items():
        path = build_dir / f"{PREFIX}{name}.npy"
        temporary = path.with_name(path.name + ".tmp")
        with open(temporary, "wb") as handle:
            np.save(handle, np.ascontiguousarray(values), allow_pickle=False)
        os.replace(temporary, path)
        size += path.stat().st_size
    temporary = build_dir / (META + ".tmp")
    temporary.write_text(json.dumps(meta), encoding="utf-8")
    os.replace(temporary, build_dir / META)  # last: the arrays are complete when it says so
    return size
