"""Names written before a ticker mark, in ordinary case or in a headline's capitals."""

from __future__ import annotations

import re
from functools import lru_cache

from search.companies.cues import HEADLINE_STOP, smart_title
from search.companies.organisations import CONNECTORS, MAX_NAME_WORDS, Token, name_before, tokenize


def words_before_ticker(text: str, position: int, capitals: bool) -> tuple[list[str], int]:
    """The words of the name just before ``text[position:]`` (a ticker mark), and where it starts.

    In capitals, every word back to the previous mark or punctuation (at most MAX_NAME_WORDS);
    ``_as_written`` then keeps those the rest of the article writes as a name.
    """
    first = max(0, position - 160)
    tokens = tokenize(text[first:position], first)
    if not capitals:
        tokens.append(Token(position, position + 1, "<"))
        return name_before(text, tokens, len(tokens) - 1)
    words: list[str] = []
    start = position
    for token_start, token_end, token in reversed(tokens):
        gap = text[token_end:start]
        if "\n" in gap or (words and gap.strip()) or len(words) >= MAX_NAME_WORDS:
            break
        if not any(ch.isalpha() for ch in token) or not (token[:1].isalnum() and token == token.upper()):
            break
        words.insert(0, token)
        start = token_start
    if start > 0 and not text[start - 1].isspace() and text[start - 1] not in "\"'(":
        return [], 0  # "SAN/BAR": part of a longer token
    return words, start


def headline_name(words: list[str], others: list[str]) -> str | None:
    """The name in a headline's capitals before a ticker: as the article writes it, else its last words
    after any headline verb or preposition ("NEOAX <NOAX> BUYS REXNORD <REX>" -> "Rexnord")."""
    written = _as_written(words, others)
    if written:
        return written
    clean: list[str] = []
    for word in reversed(words):
        if word in HEADLINE_STOP:
            break
        clean.insert(0, word)
    if not clean or (len(clean) == 1 and len(clean[0]) <= 2):
        return None
    return smart_title(clean)


@lru_cache(maxsize=4096)
def _phrase_pattern(words: tuple[str, ...]) -> re.Pattern:
    return re.compile(r"(?<![\w<])" + r"\s+".join(re.escape(w) for w in words) + r"(?![\w>])", re.IGNORECASE)


def _as_written(words: list[str], others: list[str]) -> str | None:
    """How the rest of the article writes the last words of a name in capitals, longest first,
    with the legal suffix it gives the name there ("NEW CENTURY" -> "New Century Entertainment Corp")."""
    for size in range(len(words), 0, -1):
        phrase = words[-size:]
        if phrase[0] in HEADLINE_STOP and size > 1:
            continue
        pattern = _phrase_pattern(tuple(phrase))
        for other in others:
            for match in pattern.finditer(other):
                written = " ".join(match.group().split())
                if written != written.upper() and all(w[:1].isupper() or not w[:1].isalpha() or w in CONNECTORS
                                                      for w in written.split()):
                    return written + _suffixed_tail(other, match.end())
    return None


_TAIL = re.compile(r"(?:\s+[A-Z][\w&'-]*){0,3}?\s+"
                   r"(?:Inc|Corp|Co|Ltd|Plc|PLC|plc|AG|SA|NV|Cos|Corporation|Company|Incorporated|Limited)\b\.?")


def _suffixed_tail(text: str, end: int) -> str:
    """" Entertainment Corp" when ``text[end:]`` continues the name up to a legal suffix, else ""."""
    match = _TAIL.match(text, end)
    return " " + " ".join(match.group().split()) if match else ""
