"""Near-duplicate articles: repeated, corrected and updated versions of one story, grouped at index time.

A wire service sends a story, then a correction, a repeat, an update with one more paragraph, a
shorter version under a new headline. In a search they are one story; listed one under the other
they push everything else off the page. So:

* **At index time** each article gets a MinHash signature (datasketch, 128 permutations) of its
  5-word shingles: the lowercased words (``\\w+``, stop words and numbers kept, nothing stemmed) of
  its headline, body and captions, every run of 5 in a row. Signatures go to ``signatures.npz`` in
  the build folder, keyed by article id, so an incremental build only signs the files it reads.
* **After every build** (full or incremental) all signatures are grouped again: LSH (42 bands of 3
  rows) finds candidate pairs; a pair whose estimate is at least ``PREFILTER`` is checked on the
  articles' own text (exact Jaccard of the shingle sets, read back from the index); articles whose
  shingle sets have Jaccard >= ``THRESHOLD`` and that were published at most ``MAX_DAYS`` apart are
  near-duplicates. Groups are formed greedily in publication order, and an article joins a group
  only if it is a near-duplicate of *every* member (complete linkage: no chains of drifting
  updates). The groups go to ``duplicates.json`` in the build folder, with their document numbers in
  that build; a group's id is the article id of its first (earliest) version.
* **At search time** ``Groups`` (loaded once per build by the searcher) says which group a document
  belongs to, and ``fold`` puts the hits of one page that belong to the group of a higher-ranked hit
  on that page under it.

Why a side file and not a stored field: a group changes when an article arrives or leaves (a new
version joins the group of older articles, a deleted one can leave a pair alone), and Whoosh can
only change a stored field by deleting and re-adding the whole document. Recomputing the groups of
the whole index after every build is cheap enough (measured in docs/benchmarks.md); the file is
written with the build and published with it atomically, like ``vocabulary.tsv``.

Why these numbers (measured on Reuters-21578 and BBC News; ``python -m search.index.duplicates_report`` lists
a build's groups):
pairs at Jaccard 0.5 and above are the same story (repeats, corrections, rewrites under a new
headline, a company's results sent twice); from 0.3 to 0.5 they are mostly different stories
cast in one template (two companies' dividend notices, the weekly grain shipments), and related but
different BBC articles. Pairs at 0.5 or more published more than 3 days apart are, with few
exceptions, routine reports repeated with new figures ("FED ADDS RESERVES VIA CUSTOMER REPURCHASES",
the Bundesbank council leaving rates unchanged 4 weeks later, word for word) rather than versions;
within 3 days they are versions. Undated articles (BBC) are compared without the date condition.
"""

from __future__ import annotations

import json
import os
import re
import zlib
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SHINGLE_WORDS = 5
NUM_PERM = 128
LSH_BANDS, LSH_ROWS = 42, 3  # P(candidate) = 1 - (1 - J^3)^42: 0.996 at J = 0.5, 0.68 at 0.3
THRESHOLD = 0.5  # Jaccard of the shingle sets
PREFILTER = 0.35  # estimated Jaccard under which a candidate is not read back (0.5 is 3.4 sd above)
MAX_DAYS = 3.0
SEED = 1

SIGNATURES_NAME = "signatures.npz"
GROUPS_NAME = "duplicates.json"
FORMAT = 1

_WORD = re.compile(r"\w+")
_MASK32 = np.uint64(0xFFFFFFFF)
# One odd multiplier per position in a shingle: "a b c d e" and "e d c b a" hash differently.
_POSITION = np.random.RandomState(SEED).randint(0, 1 << 31, SHINGLE_WORDS).astype(np.uint64) * 2 + 1
_SIGNATURE_DTYPE = np.uint32
_EMPTY = np.iinfo(_SIGNATURE_DTYPE).max


def shingle_words(title: str, body: str, captions: list[str] | tuple[str, ...]) -> list[str]:
    """Return the words shingles are made of: headline, body and captions, lowercased."""
    return _WORD.findall("\n".join([title, body, *captions]).lower())


def shingles(title: str, body: str, captions) -> set[str]:
    """Return the article's shingles as text (what the signatures estimate; for checks by hand)."""
    words = shingle_words(title, body, captions)
    if len(words) < SHINGLE_WORDS:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i:i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


def _fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's finaliser on uint64 arrays holding 32-bit values (a bijection on 32 bits)."""
    values = values ^ (values >> np.uint64(16))
    values = (values * np.uint64(0x85EBCA6B)) & _MASK32
    values = values ^ (values >> np.uint64(13))
    values = (values * np.uint64(0xC2B2AE35)) & _MASK32
    return values ^ (values >> np.uint64(16))


def shingle_hashes(title: str, body: str, captions) -> np.ndarray:
    """Return the article's shingles as sorted, distinct 32-bit hashes (the set the signature is of).

    Each word is hashed once (CRC-32, mixed); a shingle's hash combines its words' with one
    multiplier per position, in numpy. Same text, same hashes, in every process and build.
    """
    words = shingle_words(title, body, captions)
    if not words:
        return np.zeros(0, dtype=np.uint32)
    tokens = _fmix32(np.fromiter((zlib.crc32(w.encode()) for w in words), dtype=np.uint64, count=len(words)))
    span = min(SHINGLE_WORDS, len(tokens))
    count = len(tokens) - span + 1
    combined = np.zeros(count, dtype=np.uint64)
    for position in range(span):
        combined += tokens[position:position + count] * _POSITION[position]  # wraps modulo 2**64
    return np.unique(_fmix32(combined & _MASK32)).astype(np.uint32)


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard similarity of two sorted, distinct hash arrays."""
    if not len(a) or not len(b):
        return 0.0
    common = len(np.intersect1d(a, b, assume_unique=True))
    return common / (len(a) + len(b) - common)


_permutations = None


def _minhash_class():
    """datasketch's MinHash, with the permutations made once (imported on first use: it pulls in scipy)."""
    global _permutations
    from datasketch import MinHash

    if _permutations is None:
        _permutations = MinHash(num_perm=NUM_PERM, seed=SEED).permutations
    return MinHash, _permutations


def _identity(value: int) -> int:
    return value


def signature(hashes: np.ndarray) -> np.ndarray:
    """Return the MinHash signature (NUM_PERM uint32 values) of a set of shingle hashes."""
    MinHash, permutations = _minhash_class()
    minhash = MinHash(num_perm=NUM_PERM, hashfunc=_identity, permutations=permutations, scheme="affine32")
    if len(hashes):
        minhash.update_batch(hashes.tolist())
    return minhash.hashvalues.astype(_SIGNATURE_DTYPE)


def sign(article) -> tuple[str, float, bytes]:
    """An article's id, publication time (epoch seconds, NaN if undated) and signature bytes."""
    hashes = shingle_hashes(article.title, article.body, article.captions)
    published = article.published.timestamp() if article.published is not None else np.nan
    return article.id, published, signature(hashes).tobytes()


class Signatures:
    """The signatures of one build's articles: id, publication time (epoch seconds, NaN if undated)
    and MinHash values. Built up while indexing (kept packed: 520 bytes an article), saved next to the
    index, loaded to update it."""

    def __init__(self, ids=(), published=(), values=None):
        self.ids: list[str] = list(ids)
        self._published = array("d", published)
        self._values = bytearray(np.ascontiguousarray(values, dtype=_SIGNATURE_DTYPE).tobytes()
                                 if values is not None else b"")
        self._removed: set[str] = set()

    def add(self, article) -> None:
        """Sign ``article`` (an Article being indexed)."""
        self.add_signed(*sign(article))

    def add_signed(self, article_id: str, published: float, values: bytes) -> None:
        """Add an article signed elsewhere (``sign``, in a loader's worker process)."""
        self.ids.append(article_id)
        self._published.append(published)
        self._values += values
        self._removed.discard(article_id)

    def remove(self, ids) -> None:
        """Forget these articles (deleted, or about to be read again from a changed file)."""
        self._removed.update(ids)

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return (ids, published, values) of the articles kept, the last signature of an id winning."""
        last: dict[str, int] = {}
        for index, article_id in enumerate(self.ids):
            if article_id not in self._removed:
                last[article_id] = index
        order = np.array(sorted(last.values()), dtype=np.int64)
        values = np.frombuffer(bytes(self._values), dtype=_SIGNATURE_DTYPE).reshape(-1, NUM_PERM)
        ids = np.array([self.ids[i] for i in order.tolist()], dtype=str)
        published = np.frombuffer(self._published, dtype=np.float64)[order] if len(order) else np.zeros(0)
        return ids, published, values[order]

    def save(self, folder: Path) -> None:
        """Write the signatures as a new file (an updated build's files are hard links to the old build's)."""
        ids, published, values = self.arrays()
        temporary = Path(folder) / (SIGNATURES_NAME + ".tmp")
        with open(temporary, "wb") as handle:
            np.savez(handle, format=np.array([FORMAT, NUM_PERM, SHINGLE_WORDS]), ids=ids,
                     published=published, values=values)
        os.replace(temporary, Path(folder) / SIGNATURES_NAME)

    @staticmethod
    def exists(folder: Path | None) -> bool:
        """True if ``folder`` (a build) has signatures this version can extend."""
        if folder is None or not (Path(folder) / SIGNATURES_NAME).exists():
            return False
        try:
            with np.load(Path(folder) / SIGNATURES_NAME) as data:
                return data["format"].tolist() == [FORMAT, NUM_PERM, SHINGLE_WORDS]
        except (OSError, ValueError, KeyError):
            return False

    @classmethod
    def load(cls, folder: Path) -> Signatures:
        with np.load(Path(folder) / SIGNATURES_NAME) as data:
            return cls(data["ids"].tolist(), data["published"], data["values"])


# --- grouping (after a build) -------------------------------------------------------------------


def document_numbers(reader) -> dict[str, int]:
    """Return {article id: document number} of the live documents of ``reader`` (from the id lexicon)."""
    numbers: dict[str, int] = {}
    for leaf, offset in reader.leaf_readers():
        for btext, info in leaf.iter_field("id"):
            if info.doc_frequency() == 1:
                docnums = [info.min_id()]
            else:  # an id deleted and added again in the same segment: its postings say which is live
                docnums = list(leaf.postings("id", btext).all_ids())
            for docnum in docnums:
                if not leaf.is_deleted(docnum):
                    numbers[btext.decode("utf-8")] = docnum + offset
    return numbers


def candidate_pairs(values: np.ndarray) -> np.ndarray:
    """Return the (i, j) pairs, i < j, of signatures that agree on all the rows of at least one band.

    LSH banding as datasketch's MinHashLSH does it, in numpy: each band's rows are sorted and runs of
    equal rows give the pairs. MinHashLSH (a dict per band, a Python call per article and band) was
    many times slower on Reuters' signatures (docs/benchmarks.md); this finds the same pairs (a test
    checks). Identical signatures (the same text filed twice, or many times) are banded once and
    paired among themselves directly, so that a story sent ten times does not make 42 bands x 45 pairs.
    """
    if not len(values):
        return np.zeros((0, 2), dtype=np.int64)
    unique, inverse = np.unique(values, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    order = np.argsort(inverse, kind="stable")
    starts = np.searchsorted(inverse[order], np.arange(len(unique) + 1))
    members = [order[starts[u]:starts[u + 1]] for u in range(len(unique))]
    count = len(values)
    found = [_pairs_within(group, count) for group in members if len(group) > 1]
    for u, v in _banded_pairs(unique).tolist():
        left, right = members[u], members[v]
        low, high = np.minimum.outer(left, right).ravel(), np.maximum.outer(left, right).ravel()
        found.append(low.astype(np.int64) * count + high)
    if not found:
        return np.zeros((0, 2), dtype=np.int64)
    codes = np.unique(np.concatenate(found))
    return np.stack([codes // count, codes % count], axis=1)


def _pairs_within(members: np.ndarray, count: int) -> np.ndarray:
    members = np.sort(members).astype(np.int64)
    i, j = np.triu_indices(len(members), k=1)
    return members[i] * count + members[j]


def _banded_pairs(values: np.ndarray) -> np.ndarray:
    """The LSH candidate pairs of distinct signatures."""
    count = len(values)
    found = []
    for band in range(LSH_BANDS):
        rows = values[:, band * LSH_ROWS:(band + 1) * LSH_ROWS]
        order = np.lexsort(rows.T[::-1])
        ordered = rows[order]
        same = (ordered[1:] == ordered[:-1]).all(axis=1)
        if not same.any():
            continue
        # runs of equal rows: starts where a row differs from the one before, ends before the next start
        edges = np.flatnonzero(np.diff(np.concatenate(([0], same.astype(np.int8), [0]))))
        starts, stops = edges[::2], edges[1::2] + 1
        two = stops - starts == 2  # most buckets: one pair, taken all at once
        first, second = order[starts[two]].astype(np.int64), order[starts[two] + 1].astype(np.int64)
        found.append(np.minimum(first, second) * count + np.maximum(first, second))
        for start, stop in zip(starts[~two], stops[~two]):
            found.append(_pairs_within(order[start:stop], count))
    if not found:
        return np.zeros((0, 2), dtype=np.int64)
    codes = np.unique(np.concatenate(found))
    return np.stack([codes // count, codes % count], axis=1)


@dataclass
class Grouping:
    """Groups of near-duplicate article ids (each of 2 or more, first version first), and figures."""

    groups: list[list[str]]
    articles: int = 0
    candidates: int = 0
    verified: int = 0  # candidate pairs read back and compared on their text
    near_duplicate_pairs: int = 0


# The texts of some articles, by id: {article id: (title, body, captions)} (ids it does not know left out).
Texts = Callable[[list[str]], dict[str, tuple[str, str, list[str]]]]


def index_texts(searcher, numbers: dict[str, int]) -> Texts:
    """The texts of articles as a Whoosh index stores them (``numbers``: id -> document number)."""
    def texts(ids: list[str]) -> dict[str, tuple[str, str, list[str]]]:
        found = {}
        for article_id in ids:
            docnum = numbers.get(article_id)
            if docnum is None:  # signed but not in the index: nothing to compare
                continue
            stored = searcher.stored_fields(docnum)
            captions = [c for c in (stored.get("captions") or "").split("\n") if c]
            found[article_id] = (stored.get("title", ""), stored.get("body", ""), captions)
        return found
    return texts


def group(signatures: Signatures, searcher=None, numbers: dict[str, int] | None = None,
          texts: Texts | None = None) -> Grouping:
    """Group the near-duplicates among ``signatures``: the articles of the index ``searcher`` reads
    (``numbers``: their document numbers, if known), or those whose texts ``texts`` reads (the Solr
    loader, which has no Whoosh index)."""
    ids, published, values = signatures.arrays()
    nonempty = ~(values == _EMPTY).all(axis=1) if len(values) else np.zeros(0, dtype=bool)
    result = Grouping([], articles=len(ids))
    if nonempty.sum() < 2:
        return result
    pairs = candidate_pairs(values[nonempty])
    if not len(pairs):
        return result
    index = np.flatnonzero(nonempty)
    left, right = index[pairs[:, 0]], index[pairs[:, 1]]
    result.candidates = len(left)
    gap = np.abs(published[left] - published[right])
    in_window = ~(gap > MAX_DAYS * 86400)  # NaN (an undated article) is in every window
    left, right = left[in_window], right[in_window]
    estimate = (values[left] == values[right]).mean(axis=1)
    left, right = left[estimate >= PREFILTER], right[estimate >= PREFILTER]
    result.verified = len(left)

    if texts is None:
        texts = index_texts(searcher, document_numbers(searcher.reader()) if numbers is None else numbers)
    positions = sorted(set(left.tolist()) | set(right.tolist()))
    found = texts([str(ids[position]) for position in positions])
    hashes: dict[int, np.ndarray] = {}
    for position in positions:
        text = found.get(str(ids[position]))
        if text is not None:
            hashes[position] = shingle_hashes(*text)
    neighbours: dict[int, dict[int, float]] = {}
    for a, b in zip(left.tolist(), right.tolist()):
        if a in hashes and b in hashes:
            similarity = jaccard(hashes[a], hashes[b])
            if similarity >= THRESHOLD:
                neighbours.setdefault(a, {})[b] = similarity
                neighbours.setdefault(b, {})[a] = similarity
    result.near_duplicate_pairs = sum(len(n) for n in neighbours.values()) // 2
    result.groups = _complete_linkage(neighbours, ids, published)
    return result


def _complete_linkage(neighbours: dict[int, dict[int, float]], ids: np.ndarray,
                      published: np.ndarray) -> list[list[str]]:
    """Form groups in publication order (undated last, then by id): an article joins the group of
    an earlier near-duplicate only if it is a near-duplicate of every member; the most similar such
    group (mean Jaccard) wins. The order does not depend on document numbers, so a full build and
    an incremental one group the same articles the same way."""
    def order_key(position: int):
        when = published[position]
        return (np.isnan(when), 0.0 if np.isnan(when) else when, str(ids[position]))

    group_of: dict[int, int] = {}
    members: list[list[int]] = []
    for position in sorted(neighbours, key=order_key):
        linked = neighbours[position]
        best, best_score = None, -1.0
        for number in sorted({group_of[other] for other in linked if other in group_of}):
            if all(member in linked for member in members[number]):
                score = sum(linked[member] for member in members[number]) / len(members[number])
                if score > best_score:
                    best, best_score = number, score
        if best is None:
            best = len(members)
            members.append([])
        members[best].append(position)
        group_of[position] = best
    return [[str(ids[p]) for p in group_] for group_ in members if len(group_) > 1]


def save_groups(folder: Path, grouping: Grouping, numbers: dict[str, int]) -> None:
    """Write ``duplicates.json``: each group's id (its first version's article id), article ids and
    document numbers in this build (``numbers``)."""
    groups = [{"group": ids[0], "ids": ids, "docnums": [numbers[i] for i in ids]}
              for ids in grouping.groups if all(i in numbers for i in ids)]
    data = {
        "format": FORMAT,
        "threshold": THRESHOLD,
        "shingle_words": SHINGLE_WORDS,
        "max_days": MAX_DAYS,
        "articles": grouping.articles,
        "candidates": grouping.candidates,
        "verified": grouping.verified,
        "pairs": grouping.near_duplicate_pairs,
        "groups": groups,
    }
    temporary = Path(folder) / (GROUPS_NAME + ".tmp")
    temporary.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, Path(folder) / GROUPS_NAME)


def update(folder: Path, signatures: Signatures, index) -> Grouping:
    """After a build's commit: save the signatures and the groups of every article in ``index``."""
    signatures.save(folder)
    with index.searcher() as searcher:
        numbers = document_numbers(searcher.reader())
        grouping = group(signatures, searcher, numbers)
        save_groups(folder, grouping, numbers)
    return grouping


def update_from(folder: Path, signatures: Signatures, numbers: dict[str, int], texts: Texts) -> Grouping:
    """``update`` for a build without a Whoosh index: the document numbers and texts come from the loader."""
    signatures.save(folder)
    grouping = group(signatures, numbers=numbers, texts=texts)
    save_groups(folder, grouping, numbers)
    return grouping


# --- search time ---------------------------------------------------------------------------------


class Groups:
    """The near-duplicate groups of one open build, by document number."""

    def __init__(self, groups: list[tuple[str, list[int]]], doc_count: int):
        self.keys = [key for key, _ in groups]
        self.members = [np.array(sorted(docnums), dtype=np.int64) for _, docnums in groups]
        self.group_of = np.full(doc_count, -1, dtype=np.int32)
        for number, docnums in enumerate(self.members):
            self.group_of[docnums[docnums < doc_count]] = number

    def __len__(self) -> int:
        return len(self.keys)

    @classmethod
    def load(cls, folder: Path, doc_count: int) -> Groups:
        """Read a build's groups (none if it has no ``duplicates.json``: built before they existed)."""
        path = Path(folder) / GROUPS_NAME
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls([], doc_count)
        return cls([(g["group"], g["docnums"]) for g in data.get("groups", [])], doc_count)

    def key(self, docnum: int) -> str | None:
        """Return the id of the document's group (its first version's article id), or None."""
        number = self.group_of[docnum] if 0 <= docnum < len(self.group_of) else -1
        return self.keys[number] if number >= 0 else None

    def others(self, docnum: int) -> np.ndarray:
        """Return the document numbers of the document's near-duplicates (not itself)."""
        number = self.group_of[docnum] if 0 <= docnum < len(self.group_of) else -1
        if number < 0:
            return np.zeros(0, dtype=np.int64)
        members = self.members[number]
        return members[members != docnum]


def fold(hits: list) -> list:
    """Put each hit that belongs to the group of a hit ranked above it under that hit (``similar``);
    return the hits left at the top level, in order. Hits need ``group`` and ``similar``."""
    leads: dict[str, object] = {}
    top = []
    for hit in hits:
        lead = leads.get(hit.group) if hit.group else None
        if lead is not None:
            lead.similar.append(hit)
            continue
        if hit.group:
            leads[hit.group] = hit
        top.append(hit)
    return top
