"""Search-box suggestions: completions of what is being typed, from company names and headlines.

A ``Suggester`` is built once per index build (``Archive.complete`` in ``engines/flow.py``, on the first
completion asked for) from the company names and the stored headlines the engine lists, and answers
from memory without touching the index. Matching is by word prefix, ignoring case and accents:
``byte`` finds "ByteDance" and "BytePlus"; ``tik ban`` finds "US bans TikTok" (every typed word
starts a word of the suggestion).

Ranking: suggestions that begin with what was typed come first, then those that merely contain words
starting with it; within each, company names before headlines, companies by how many articles name
them, headlines newest first. The same headline or name is offered once.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass

import numpy as np

MAX_SUGGESTIONS = 8
NAME = "autocomplete"  # its key in the build's cache (Build.derived)
_WORD = re.compile(r"\w+")
_END = "\U0010ffff"  # sorts after every character: [p, p + _END) holds the strings that start with p


def fold(text: str) -> str:
    """Return ``text`` lowercased (casefold), without accents, its spaces collapsed."""
    if text.isascii():
        return " ".join(text.lower().split())
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def _prefix_range(keys: list[str], prefix: str) -> tuple[int, int]:
    return bisect_left(keys, prefix), bisect_left(keys, prefix + _END)


@dataclass
class Suggester:
    # every candidate as shown, best first: companies (most articles first), then headlines (newest first)
    texts: list[str]
    starts: list[str]  # the folded candidates, sorted
    start_ids: np.ndarray  # the candidate each entry of ``starts`` is
    words: list[str]  # every folded word of the candidates, sorted, once each
    offsets: np.ndarray  # candidates having words[i]: owners[offsets[i]:offsets[i + 1]]
    owners: np.ndarray

    @classmethod
    def from_candidates(cls, candidates: list[str]) -> Suggester:
        """Build from candidate texts in rank order (best first); later repeats of a text are dropped."""
        texts: list[str] = []
        folded: list[str] = []
        seen: set[str] = set()
        for text in candidates:
            shown = " ".join(text.split())
            key = fold(shown)
            if key and key not in seen:
                seen.add(key)
                texts.append(shown)
                folded.append(key)
        order = sorted(range(len(folded)), key=folded.__getitem__)
        words: list[str] = []
        offsets: list[int] = []
        owners: list[int] = []
        for word, number in sorted({(word, number)
                                    for number, key in enumerate(folded) for word in _WORD.findall(key)}):
            if not words or words[-1] != word:
                words.append(word)
                offsets.append(len(owners))
            owners.append(number)
        offsets.append(len(owners))
        return cls(texts=texts, starts=[folded[i] for i in order], start_ids=np.array(order, dtype=np.int32),
                   words=words, offsets=np.array(offsets, dtype=np.int64), owners=np.array(owners, dtype=np.int32))

    def _containing(self, prefix: str) -> np.ndarray:
        """Return the candidates (sorted, once each) having a word that starts with ``prefix``."""
        lo, hi = _prefix_range(self.words, prefix)
        return np.unique(self.owners[self.offsets[lo]:self.offsets[hi]])

    def suggest(self, q: str, limit: int = MAX_SUGGESTIONS) -> list[str]:
        """Return up to ``limit`` completions of ``q``, best first."""
        typed = fold(q)
        prefixes = _WORD.findall(typed)
        if not prefixes or limit <= 0:
            return []
        lo, hi = _prefix_range(self.starts, typed)
        first = np.unique(self.start_ids[lo:hi])[:limit]  # begin with what was typed
        found = [int(i) for i in first]
        if len(found) < limit:
            every = self._containing(prefixes[0])
            for prefix in dict.fromkeys(prefixes[1:]):
                if not len(every):
                    break
                every = np.intersect1d(every, self._containing(prefix), assume_unique=True)
            rest = every[~np.isin(every, first)][: limit - len(found)]
            found += [int(i) for i in rest]
        return [self.texts[i] for i in found]
