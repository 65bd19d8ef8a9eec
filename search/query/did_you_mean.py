"""'Did you mean': spelling suggestions for words the archive does not contain.

A suggestion replaces only words the archive does not contain, by words it does; numbers, years
and words typed in capitals (tickers, acronyms) are kept as typed; and the searcher offers the
suggestion only if it finds articles. Suggestions come from the build's vocabulary
(``search/index/vocabulary.py``: every word of headlines, bodies and captions, unstemmed), not from
the stemmed search fields, so they are real words ("tiktok", not "tiktk" or a stem like "compani"), and
Whoosh's multi-field corrector, which suggests from the wrong field, is not used (see
WHOOSH-NOTES.md).
"""

from __future__ import annotations

import re

from whoosh.lang.stopwords import stoplists

from search.index.vocabulary import Vocabulary

OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}
STOP_WORDS = stoplists["en"]
# A word to check: letters only (numbers and years are never rewritten), not a field name, not
# inside a wildcard, at least three letters.
_WORD = re.compile(r"(?<![\w:*?~^\-])([^\W\d_]{3,})(?![\w:*?~])")
# Typed in capitals (a ticker, an acronym: BABA, NYSE, ASML): meant as written, never corrected.
_CAPITALS = re.compile(r"[A-Z]{2,6}")


def corrected_query(text: str, vocabulary: Vocabulary) -> str:
    """Return ``text`` with unknown words replaced by the closest known ones, or "" if none is unknown."""
    if not vocabulary.counts:
        return ""
    changed = False
    pieces: list[str] = []
    position = 0
    for match in _WORD.finditer(text):
        word = match.group(1)
        lower = word.lower()
        if word in OPERATORS or lower in STOP_WORDS or _inside_quotes_field(text, match.start()):
            continue
        if _CAPITALS.fullmatch(word):
            continue
        if lower in vocabulary:
            continue
        candidate = vocabulary.correct(lower, maxdist=2)
        if candidate and candidate != lower:
            pieces.append(text[position : match.start()])
            pieces.append(candidate)
            position = match.end()
            changed = True
    if not changed:
        return ""
    pieces.append(text[position:])
    return "".join(pieces)


def _inside_quotes_field(text: str, index: int) -> bool:
    """True when the word follows a field prefix such as source:"..." (names are not corrected)."""
    before = text[:index]
    return bool(re.search(r"\w+:\"[^\"]*$", before))
