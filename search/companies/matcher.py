"""Gazetteer names matched in text: the kinds of pattern, and how names and tickers are written.

The gazetteer (``gazetteer.py``: the corpus's ``companies.csv`` merged with the bundled lists in
``corpus/company-lists/``) maps names, aliases and tickers to one canonical company. Matching is
case-sensitive and whole-word with an Aho-Corasick automaton, and overlapping matches are resolved
leftmost-longest, so "Financial Times" beats "Times"; an ``exclude`` phrase such as "Amazon
rainforest" hides the names it contains. A weak alias ("FT", "Shell") counts when the article also
names the company in full or speaks of a company around it (``cues.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

import ahocorasick

from search.companies.gazetteer import Company, GazetteerError

STRONG, WEAK, EXCLUDE = "strong", "weak", "exclude"
EXCHANGES_SHOWN_AS = {"NASDAQ": ("NASDAQ", "Nasdaq"), "HKEX": ("HKEX", "HKSE", "HK")}


def ticker_patterns(ticker: str) -> list[str]:
    """Return the ways a ticker such as "NYSE:BABA" is written in news text."""
    exchange, _, symbol = ticker.partition(":")
    if not symbol:
        exchange, symbol = "", exchange
    exchange, symbol = exchange.strip(), symbol.strip()
    patterns = [f"<{symbol}>"]  # Reuters wire style: "Standard Oil Co <SRD>"
    for shown in EXCHANGES_SHOWN_AS.get(exchange.upper(), (exchange,)) if exchange else ():
        patterns += [f"{shown}: {symbol}", f"{shown}:{symbol}"]
    return patterns


def title_like(written: str) -> bool:
    """True when every longer word of ``written`` starts with a capital ("Mobile Telesystems", not
    "The independent Congressional")."""
    return all(word[:1].isupper() for word in written.split() if len(word) > 3 or word == written.split()[0])



def _case_variants(name: str) -> list[str]:
    """"easyJet" -> ["Easyjet", "EasyJet"]: how papers write a name that starts in lower case."""
    if " " in name or not re.fullmatch(r"[a-z]+[A-Z][A-Za-z]*", name):
        return []
    return [name[:1].upper() + name[1:].lower(), name[:1].upper() + name[1:]]


def is_distinctive(name: str) -> bool:
    """True for a name that can be matched on its own once accepted: several words ("Sidley Austin"),
    or one that is no ordinary capitalised word ("eTranslate", "PG&E", "3M"). "Wrestling" (from
    "Wrestling Inc"), "Patrick" (from "Patrick Corporation") and initials of three letters or fewer
    ("CTS": also "cents" in wire headlines) are counted only with their evidence."""
    words = name.split()
    if len(words) > 1:
        return True
    word = words[0] if words else ""
    if word.isalpha() and word.isupper() and len(word) <= 3:
        return False  # "CTS", "EC": initials mean too many things to be matched bare
    return bool(word) and not (word[:1].isupper() and word[1:].islower() and word.isalpha())



def is_word_boundary(text: str, index: int) -> bool:
    if index < 0 or index >= len(text):
        return True
    return not (text[index].isalnum() or text[index] == "_")


class Match(NamedTuple):
    """A gazetteer pattern found in a text."""

    start: int
    end: int
    kind: str  # STRONG, WEAK or EXCLUDE
    name: str  # the canonical name


def gazetteer_patterns(companies: Iterable[Company], matched: Iterable[Company]) -> dict[str, tuple[str, str]]:
    """Every pattern of the gazetteer -> (kind, canonical name): the ``exclude`` phrases of
    ``companies``, then the names, aliases, weak aliases and tickers of ``matched``.

    Raises GazetteerError when a phrase names two companies.
    """
    patterns: dict[str, tuple[str, str]] = {}

    def add(pattern: str, kind: str, name: str) -> None:
        existing = patterns.get(pattern)
        if existing and existing[1] != name and kind != EXCLUDE and existing[0] != EXCLUDE:
            raise GazetteerError(f"{pattern!r} names both {existing[1]!r} and {name!r}")
        if not existing or existing[0] == EXCLUDE or kind == STRONG:
            patterns[pattern] = (kind, name)

    bare_tickers: dict[str, set[str]] = {}
    for company in companies:
        for phrase in company.exclude:
            add(phrase, EXCLUDE, company.name)
    for company in matched:
        for pattern in [company.name, *company.aliases]:
            if pattern not in company.weak_aliases:  # an ambiguous name ("Shell") is only a weak alias
                add(pattern, STRONG, company.name)
                for variant in _case_variants(pattern):  # "easyJet" is also written "Easyjet", "EasyJet"
                    if variant not in patterns:
                        add(variant, STRONG, company.name)
        for pattern in company.weak_aliases:
            add(pattern, WEAK, company.name)
        for ticker in company.tickers:
            for pattern in ticker_patterns(ticker):
                if pattern.startswith("<"):
                    bare_tickers.setdefault(pattern, set()).add(company.name)
                else:
                    add(pattern, STRONG, company.name)
    # A bare Reuters-style mark ("<BT>") names no exchange, so two companies may share it
    # (BT on the LSE, Bankers Trust on the NYSE): such a mark is ambiguous and not used.
    for pattern, names in bare_tickers.items():
        if len(names) == 1 and pattern not in patterns:
            add(pattern, STRONG, next(iter(names)))
    return patterns


class GazetteerMatcher:
    """Patterns (pattern -> (kind, canonical name)) matched whole-word by Aho-Corasick automata: as
    written, in capitals (names of several words, for headlines), and in lower case (names of
    several words written in another case, "Mobile Telesystems" for "Mobile TeleSystems")."""

    def __init__(self, patterns: dict[str, tuple[str, str]]):
        self._automaton = ahocorasick.Automaton()
        self._upper_automaton = ahocorasick.Automaton()
        self._lower_automaton = ahocorasick.Automaton()
        upper: dict[str, tuple[str, str]] = {}
        lower: dict[str, tuple[str, str]] = {}
        for pattern, (kind, name) in patterns.items():
            self._automaton.add_word(pattern, (len(pattern), kind, name))
            if " " in pattern and not pattern.startswith("<"):
                upper.setdefault(pattern.upper(), (kind, name))
                if kind == STRONG and len(pattern) >= 8:
                    lower.setdefault(pattern.lower(), (kind, name))
        for pattern, (kind, name) in upper.items():
            self._upper_automaton.add_word(pattern, (len(pattern), kind, name))
        for pattern, (kind, name) in lower.items():
            self._lower_automaton.add_word(pattern, (len(pattern), kind, name))
        if patterns:
            self._automaton.make_automaton()
        if upper:
            self._upper_automaton.make_automaton()
        if lower:
            self._lower_automaton.make_automaton()
        self._has_patterns = bool(patterns)

    def matches(self, text: str) -> list[Match]:
        """The patterns in ``text`` as written, exclusions included, leftmost-longest."""
        return self._matches(text, self._automaton)

    def in_capitals(self, text: str) -> list[Match]:
        """The names of several words in ``text``, a text in capitals."""
        return self._matches(text, self._upper_automaton)

    def in_lower_case(self, lowered: str) -> list[Match]:
        """The names of several words in ``lowered``, a text made lower case."""
        return self._matches(lowered, self._lower_automaton)

    def _matches(self, text: str, automaton: ahocorasick.Automaton) -> list[Match]:
        if not self._has_patterns or not text:
            return []
        if automaton.kind != ahocorasick.AHOCORASICK:
            return []
        spans = []
        for end, (length, kind, name) in automaton.iter(text):
            start = end - length + 1
            if is_word_boundary(text, start - 1) and is_word_boundary(text, end + 1):
                spans.append(Match(start, end + 1, kind, name))
        # An exclusion hides the names it contains ("Amazon" in "Amazon rainforest"), not a longer
        # name that only overlaps it ("the Amazon" and "Amazon S3").
        exclusions = [(s, e) for s, e, kind, _ in spans if kind == EXCLUDE]
        if exclusions:
            spans = [span for span in spans if span.kind == EXCLUDE
                     or not any(s <= span.start and span.end <= e for s, e in exclusions)]
        names = [span for span in spans if span.kind != EXCLUDE]
        names.sort(key=lambda span: (span.start, -(span.end - span.start)))
        chosen = []
        covered_until = -1
        for span in names:
            if span.start >= covered_until:
                chosen.append(span)
                covered_until = span.end
        return chosen + [span for span in spans if span.kind == EXCLUDE]
