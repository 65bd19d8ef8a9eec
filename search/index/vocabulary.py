"""The archive's vocabulary, for 'did you mean': every word of headlines, bodies and captions.

It used to be a Whoosh field (``spell``), which doubled the indexing work (every word analysed and
posted twice) for a list that only needs each word and the number of articles it occurs in. Now the
indexer counts words as it goes and writes them to ``vocabulary.tsv`` in the build; the searcher
loads that once per build. Corrections are the words within two edits (insertions, deletions,
substitutions and swaps of neighbours, so "cocao" finds "cocoa") that start with the same letter,
fewest edits first, then the most common; rapidfuzz computes the distances in C.
"""

from __future__ import annotations

import os
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import OSA, Levenshtein

FILE_NAME = "vocabulary.tsv"
# Words worth correcting to: letters only, at least three of them, lowercased.
WORD = re.compile(r"[^\W\d_]{3,}")


def words_of(*texts: str) -> set[str]:
    """Return the distinct vocabulary words of ``texts``."""
    return set(WORD.findall(" ".join(texts).lower()))


class Vocabulary:
    """Words and the number of articles each occurs in."""

    def __init__(self, counts: Counter | None = None):
        self.counts: Counter = counts if counts is not None else Counter()
        self._by_initial: dict[str, list[str]] | None = None
        self._sorted: list[str] | None = None

    def add(self, words: Iterable[str]) -> None:
        self.counts.update(words)
        self._by_initial = self._sorted = None

    def remove(self, words: Iterable[str]) -> None:
        self.counts.subtract(words)
        for word in [w for w in words if self.counts[w] <= 0]:
            del self.counts[word]
        self._by_initial = self._sorted = None

    def __contains__(self, word: str) -> bool:
        return self.counts.get(word, 0) > 0

    def frequency(self, word: str) -> int:
        return self.counts.get(word, 0)

    def correct(self, word: str, maxdist: int = 2) -> str | None:
        """Return the known word closest to ``word`` (fewest edits, then most articles), or None."""
        if self._by_initial is None:
            by_initial: dict[str, list[str]] = {}
            for known in self.counts:
                by_initial.setdefault(known[:1], []).append(known)
            self._by_initial = by_initial
        candidates = self._by_initial.get(word[:1], [])
        found = process.extract(word, candidates, scorer=OSA.distance, score_cutoff=maxdist, limit=None)
        ranked = sorted((distance, -self.counts[known], known) for known, distance, _ in found if known != word)
        return ranked[0][2] if ranked else None

    def starting_with(self, prefix: str) -> list[str]:
        """Every known word that starts with ``prefix`` (lowercase), in alphabetical order."""
        if self._sorted is None:
            self._sorted = sorted(word for word, count in self.counts.items() if count > 0)
        words, found = self._sorted, []
        for index in range(bisect_left(words, prefix), len(words)):
            if not words[index].startswith(prefix):
                break
            found.append(words[index])
        return found

    def within(self, word: str, maxdist: int, prefix_length: int = 0) -> list[str]:
        """Every known word within ``maxdist`` Levenshtein edits of ``word`` (a swap of neighbours
        is two, as in Whoosh's fuzzy terms) that shares its first ``prefix_length`` letters."""
        word = word.lower()
        if prefix_length > len(word):
            return [word] if word in self else []
        if self._sorted is None:
            self.starting_with("")
        candidates = self.starting_with(word[:prefix_length]) if prefix_length else self._sorted
        found = process.extract(word, candidates, scorer=Levenshtein.distance, score_cutoff=maxdist, limit=None)
        return [known for known, _, _ in found]

    def save(self, folder: Path) -> None:
        """Write the vocabulary as a new file (an updated build's files are hard links to the old build's)."""
        lines = (f"{word}\t{count}\n" for word, count in sorted(self.counts.items()) if count > 0)
        temporary = folder / (FILE_NAME + ".tmp")
        temporary.write_text("".join(lines), encoding="utf-8")
        os.replace(temporary, folder / FILE_NAME)

    @classmethod
    def load(cls, folder: Path) -> Vocabulary:
        path = folder / FILE_NAME
        counts: Counter = Counter()
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                word, _, count = line.partition("\t")
                counts[word] = int(count)
        return cls(counts)


