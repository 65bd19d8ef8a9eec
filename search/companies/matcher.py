"""Gazetteer names matched in text: the kinds of pattern, and how names and tickers are written.

The gazetteer (``gazetteer.py``: the corpus's ``companies.csv`` merged with the bundled lists in
``corpus/company-lists/``) maps names, aliases and tickers to one canonical company. Matching is
case-sensitive and whole-word with an Aho-Corasick automaton, and overlapping matches are resolved
leftmost-longest, so "Financial Times" beats "Times"; an ``exclude`` phrase such as "Amazon
rainforest" hides the names it contains. A weak alias ("FT", "Shell") counts when the article also
names the company in full or speaks of a company around it (``company_cues.py``).
"""

from __future__ import annotations

import re

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


def _title_like(written: str) -> bool:
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



def _is_word_boundary(text: str, index: int) -> bool:
    if index < 0 or index >= len(text):
        return True
    return not (text[index].isalnum() or text[index] == "_")
