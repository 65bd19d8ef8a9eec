"""Fast evaluation of word queries: postings as numpy arrays, BM25F scores computed in bulk.

Whoosh walks every matching posting in Python, once to count the matches and again to score
them; at newsroom scale that is most of a search's time. Most searches typed into a news
archive are words combined with AND, OR and NOT across the text fields (the parser turns
``oil prices`` into ``(title:oil OR captions:oil OR body:oil) AND (... price ...)``). For those,
this module reads each term's postings once per index as numpy arrays (kept in a small cache,
so the words of a query being typed are read once), and computes the match set and BM25F scores
(the formula of Whoosh's BM25F with a Lucene-style idf, ``ArchiveBM25F``; same quantised field
lengths, same boosts) with array operations. Phrases are matched the same way on the documents
that have all their words, reading word positions for those documents only. Anything else
(wildcards, fuzzy terms, ranges, non-text fields) returns None and is answered by Whoosh as
before. A test checks that both ways give the same hits, and the same scores for words.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from whoosh import query as wq
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

from search import deadline
from search.engines.relevance import term_idf
from search.engines.whoosh.columns import field_lengths
from search.engines.whoosh.columns import positions as read_positions
from search.engines.whoosh.columns import postings as read_postings
from search.errors import BadRequest

if TYPE_CHECKING:
    from search.engines.whoosh.derived import Derived

# BM25 with the usual constants (chosen with `make eval`, see README "Search quality").
B = 0.75
K1 = 1.2
_BYTE_TO_LENGTH = np.array([byte_to_length(i) for i in range(256)], dtype=np.float32)
# A phrase compares word positions in every article having all its words: articles x words x (slop + 1)
# steps, refused above this before any position is read (docs/searching.md "Limits").
PHRASE_BUDGET = 3_000_000
# An OR whose postings number more than 1/DENSE_OR of the documents is merged over a per-document array.
DENSE_OR = 16
CACHE_BYTES = 48 * 1024 * 1024  # postings kept per open index (per worker), least recently used first out


class ArchiveBM25F(BM25F):
    """Whoosh's BM25F with this module's idf and constants: for the queries Whoosh answers itself
    (wildcards, fuzzy words, field filters), so that every query is ranked the same way."""

    def __init__(self):
        super().__init__(B=B, K1=K1)

    def idf(self, searcher, fieldname, text):
        parent = searcher.get_parent()
        return term_idf(parent.doc_count_all(), parent.doc_frequency(fieldname, text))


@dataclass
class Evaluated:
    """The documents a query matches (sorted docnums), their scores, and which terms each leaf matched."""

    ids: np.ndarray
    scores: np.ndarray
    leaves: list[tuple[str, str, np.ndarray]]  # (field, text, docnums) of every term in the query


class TermScorer:
    """Field lengths and a postings cache of one open index, for ``evaluate``.

    Postings are read through the reader of the thread asking (Whoosh readers are not shared
    between threads); the cache and the lengths are read-only arrays, shared.
    """

    def __init__(self, searcher, fields: tuple[str, ...], derived: Derived | None = None):
        reader = searcher.reader()
        self.schema = reader.schema
        self.doc_count_all = reader.doc_count_all()
        self.fields = fields
        self.avg_length = {f: searcher.avg_field_length(f) or 1.0 for f in fields}
        # The build's own arrays (derived.py), memory-mapped: no postings read through Whoosh, no cache.
        self.stored = {f: derived.postings(f) for f in fields if f in derived.fields} if derived is not None else {}
        self.lengths = {f: derived.array(f"{f}.lengths") if f in self.stored else self._lengths(reader, f)
                        for f in fields}
        self._cache: OrderedDict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._cached_bytes = 0
        self._lock = threading.Lock()

    def _lengths(self, reader, field: str) -> np.ndarray:
        """Return each document's length in ``field`` as Whoosh stores it (one byte, quantised)."""
        return field_lengths(reader, field, _BYTE_TO_LENGTH)

    def postings(self, reader, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Return (docnums, term frequencies) of a term: from the build's arrays, else read block by block (cached)."""
        stored = self.stored.get(field)
        if stored is not None:
            return stored.get(self.schema[field].to_bytes(text))
        key = (field, text)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        result = read_postings(reader, field, self.schema[field].to_bytes(text))
        size = result[0].nbytes + result[1].nbytes
        with self._lock:
            if key not in self._cache and size <= CACHE_BYTES // 4:
                self._cache[key] = result
                self._cached_bytes += size
                while self._cached_bytes > CACHE_BYTES:
                    _, (ids, weights) = self._cache.popitem(last=False)
                    self._cached_bytes -= ids.nbytes + weights.nbytes
        return result

    def evaluate(self, query: wq.Query, reader) -> Evaluated | None:
        """Return the matches and BM25F scores of ``query``, or None if it is not made of words."""
        leaves: list[tuple[str, str, np.ndarray]] = []
        result = self._evaluate(query, leaves, reader)
        if result is None:
            return None
        return Evaluated(result[0], result[1], leaves)

    def _evaluate(self, query, leaves, reader):
        if query is wq.NullQuery:  # only stop words: matches nothing
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float64)
        if isinstance(query, wq.Term) and query.fieldname in self.fields and isinstance(query.text, str):
            deadline.check()
            ids, weights = self.postings(reader, query.fieldname, query.text)
            leaves.append((query.fieldname, query.text, ids))
            if not len(ids):
                return ids, weights
            idf = term_idf(self.doc_count_all, len(ids))
            lengths = self.lengths[query.fieldname][ids]
            norm = K1 * ((1 - B) + B * lengths / self.avg_length[query.fieldname])
            scores = idf * (weights * (K1 + 1)) / (weights + norm)
            return ids, (scores * query.boost).astype(np.float64)
        if (isinstance(query, wq.Phrase) and query.fieldname in self.fields and len(query.words) > 1
                and all(isinstance(w, str) for w in query.words)):
            return self._phrase(query, leaves, reader)
        if isinstance(query, wq.Or) and query.scale is None:
            parts = [self._evaluate(q, leaves, reader) for q in query.subqueries]
            if any(p is None for p in parts):
                return None
            ids = np.concatenate([p[0] for p in parts])
            scores = np.concatenate([p[1] for p in parts])
            if len(ids) * DENSE_OR > self.doc_count_all:
                # Many postings: summed into one slot per document instead of sorted (np.unique). The sums
                # add the same numbers in the same order, so the scores are the same to the last bit.
                present = np.bincount(ids, minlength=self.doc_count_all)
                unique = np.flatnonzero(present).astype(ids.dtype)
                summed = np.bincount(ids, weights=scores, minlength=self.doc_count_all)[unique]
                return unique, summed * query.boost
            unique, inverse = np.unique(ids, return_inverse=True)
            return unique, np.bincount(inverse, weights=scores, minlength=len(unique)) * query.boost
        if isinstance(query, wq.And):
            parts = [self._evaluate(q, leaves, reader) for q in query.subqueries]
            if any(p is None for p in parts):
                return None
            ids, scores = parts[0]
            for other_ids, other_scores in parts[1:]:
                ids, left, right = np.intersect1d(ids, other_ids, assume_unique=True, return_indices=True)
                scores = scores[left] + other_scores[right]
            return ids, scores * query.boost
        if isinstance(query, wq.AndNot):
            positive = self._evaluate(query.a, leaves, reader)
            negative = self._evaluate(query.b, [], reader)
            if positive is None or negative is None:
                return None
            keep = ~np.isin(positive[0], negative[0], assume_unique=True)
            return positive[0][keep], positive[1][keep] * query.boost
        return None

    def _phrase(self, query: wq.Phrase, leaves, reader):
        """Documents with the words in order, each within ``slop`` of the last; scored as their words.

        Candidates are the documents with every word (numpy); positions are read only for them.
        The score is the sum of the words' BM25F scores, where Whoosh scores the phrase itself
        (so the order of phrase hits can differ from Whoosh's; the matches are the same).
        """
        field = query.fieldname
        distinct = {word: self._evaluate(wq.Term(field, word), leaves, reader) for word in dict.fromkeys(query.words)}
        words = [distinct[word] for word in query.words]  # a repeated word is read once
        ids, scores = words[0]
        for other_ids, other_scores in words[1:]:
            ids, left, right = np.intersect1d(ids, other_ids, assume_unique=True, return_indices=True)
            scores = scores[left] + other_scores[right]
        if not len(ids):
            return ids, scores
        slop = query.slop
        cost = len(ids) * len(query.words) * slop
        if cost > PHRASE_BUDGET:
            raise BadRequest(f"the phrase \"{' '.join(query.words)[:80]}\" would compare word positions in "
                             f"{len(ids):,} articles ({len(query.words)} words, ~{slop - 1}): too costly; quote fewer "
                             "or rarer words, allow fewer words between them, or add a filter")
        stored = self.stored.get(field)
        if stored is not None and stored.has_positions:
            keep = self._phrase_in_arrays(stored, query, ids)
            return ids[keep], scores[keep] * query.boost
        positions = {word: read_positions(reader, field, self.schema[field].to_bytes(word), ids) for word in distinct}
        found = [positions[word] for word in query.words]
        keep = np.zeros(len(ids), dtype=bool)
        for index, docnum in enumerate(ids.tolist()):
            if index % 256 == 0:
                deadline.check()
            starts = set(found[0].get(docnum, ()))
            for following in found[1:]:
                after = following.get(docnum, ())
                if slop == 1:
                    starts = {q for q in after if q - 1 in starts}
                else:
                    starts = {q for q in after if any(q - d in starts for d in range(1, slop + 1))}
                if not starts:
                    break
            keep[index] = bool(starts)
        return ids[keep], scores[keep] * query.boost

    def _phrase_in_arrays(self, stored, query: wq.Phrase, ids: np.ndarray) -> np.ndarray:
        """Which of the candidates ``ids`` have the phrase, from the build's position arrays, in bulk.

        Each position is a key (candidate << 32 | position); a word's positions are kept where one of
        the positions kept for the word before it is 1..slop words earlier in the same article, as the
        loop over articles below does one article at a time.
        """
        field, slop = query.fieldname, query.slop
        keys = {}
        for word in dict.fromkeys(query.words):
            deadline.check()
            owner, position = stored.positions_in(self.schema[field].to_bytes(word), ids)
            keys[word] = (owner << 32) | position  # sorted: by candidate, then position
        starts = keys[query.words[0]]
        for word in query.words[1:]:
            deadline.check()
            following = keys[word]
            near = np.zeros(len(following), dtype=bool)
            for distance in range(1, slop + 1):
                near |= _within(following - distance, starts)
            starts = following[near]
            if not len(starts):
                break
        keep = np.zeros(len(ids), dtype=bool)
        keep[starts >> 32] = True
        return keep


def _within(values: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    """``np.isin(values, sorted_keys)`` for a sorted ``sorted_keys``, by bisection instead of sorting both."""
    if not len(sorted_keys):
        return np.zeros(len(values), dtype=bool)
    at = np.searchsorted(sorted_keys, values)
    return sorted_keys[np.minimum(at, len(sorted_keys) - 1)] == values
