"""Company names: a gazetteer the admin edits, matched fast, plus names with legal suffixes.

The gazetteer (``corpus/companies.csv``) maps names, aliases and tickers to one canonical
company. Matching is case-sensitive and whole-word with an Aho-Corasick automaton, and
overlapping matches are resolved leftmost-longest, so "Financial Times" beats "Times" and an
``exclude`` phrase such as "Amazon rainforest" beats "Amazon" and names nobody.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import ahocorasick
from cleanco import basename

STRONG, WEAK, EXCLUDE = "strong", "weak", "exclude"
EXCHANGES_SHOWN_AS = {"NASDAQ": ("NASDAQ", "Nasdaq"), "HKEX": ("HKEX", "HKSE", "HK")}

# Legal suffixes that make an unknown capitalised name a company ("Standard Oil Co", "Foo Inc.").
# "Group" is left out on purpose: "Visegrad Group", "Lima Group" are not companies.
_SUFFIX = r"(?:Inc|Incorporated|Corp|Corporation|Co|Cos|Ltd|Limited|LLC|L\.L\.C|Plc|PLC|plc|AG|SA|S\.A|NV|N\.V|GmbH|SpA|S\.p\.A|Holdings|Pty)"
_CAPITALISED = r"(?:[A-Z][A-Za-z0-9&'-]*|&)"
_LEGAL_NAME = re.compile(
    rf"(?<![\w&'-])((?:{_CAPITALISED}[ ]){{1,4}}){_SUFFIX}(?:\.|\b)(?![-\w])(?:,? (?:{_SUFFIX})\b\.?)?"
)
# Words that start a sentence or a clause rather than a name.
_LEADING_NOISE = {
    "A", "An", "The", "In", "On", "At", "By", "For", "From", "Of", "And", "Or", "But", "With",
    "To", "As", "After", "Before", "While", "When", "Photo", "Photos", "Said", "Says", "Its",
    "Their", "His", "Her", "Our", "This", "That", "These", "Those", "Both", "Unit", "Subsidiary",
}
# "US Marine Corp(s)", "Peace Corps": bodies that are not companies.
_NOT_COMPANY_ENDINGS = {"Marine", "Marines", "Army", "Navy", "Peace", "Signal", "Medical"}
_GENERIC = {
    "Holding", "Holdings", "Group", "Company", "Companies", "Corp", "Investment", "Investments",
    "Trading", "Industries", "International", "Bank", "Trust", "Capital", "Partners", "Energy",
    "Oil", "Financial", "Securities", "Management", "Services", "Systems", "Resources", "Mining",
}

# Words that may follow a company's name without changing which company it is.
_CORPORATE_TAIL = {"Holding", "Holdings", "Group", "Co", "Company", "Corporation", "International"}


@dataclass
class Company:
    """One gazetteer entry."""

    name: str
    aliases: list[str] = field(default_factory=list)
    weak_aliases: list[str] = field(default_factory=list)
    tickers: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)


class GazetteerError(ValueError):
    """The gazetteer file cannot be used as it is."""


def _split(cell: str | None) -> list[str]:
    return [part.strip() for part in (cell or "").split(";") if part.strip()]


def load_gazetteer(path: Path) -> list[Company]:
    """Read the gazetteer CSV (name, aliases, weak_aliases, tickers, exclude)."""
    companies = []
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(row for row in handle if not row.startswith("#"))
        if not reader.fieldnames or "name" not in reader.fieldnames:
            raise GazetteerError(f"{path}: the first line must name the columns, starting with 'name'")
        for number, row in enumerate(reader, start=2):
            name = (row.get("name") or "").strip()
            if not name:
                raise GazetteerError(f"{path}:{number}: a company needs a name")
            companies.append(
                Company(
                    name=name,
                    aliases=_split(row.get("aliases")),
                    weak_aliases=_split(row.get("weak_aliases")),
                    tickers=_split(row.get("tickers")),
                    exclude=_split(row.get("exclude")),
                )
            )
    return companies


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


class CompanyExtractor:
    """Find the canonical companies an article names."""

    def __init__(self, companies: list[Company], legal_suffixes: bool = True):
        self.companies = {c.name: c for c in companies}
        self.legal_suffixes = legal_suffixes
        self._automaton = ahocorasick.Automaton()
        patterns: dict[str, tuple[str, str]] = {}

        def add(pattern: str, kind: str, name: str) -> None:
            existing = patterns.get(pattern)
            if existing and existing[1] != name and kind != EXCLUDE:
                raise GazetteerError(f"{pattern!r} names both {existing[1]!r} and {name!r}")
            if not existing or existing[0] == EXCLUDE or kind == STRONG:
                patterns[pattern] = (kind, name)

        bare_tickers: dict[str, set[str]] = {}
        for company in companies:
            for phrase in company.exclude:
                add(phrase, EXCLUDE, company.name)
        for company in companies:
            for pattern in [company.name, *company.aliases]:
                add(pattern, STRONG, company.name)
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
        for pattern, (kind, name) in patterns.items():
            self._automaton.add_word(pattern, (len(pattern), kind, name))
        if patterns:
            self._automaton.make_automaton()
        self._has_patterns = bool(patterns)
        self._lookup = {p: name for p, (kind, name) in patterns.items() if kind != EXCLUDE}

    @classmethod
    def from_file(cls, path: Path | None) -> "CompanyExtractor":
        """Build an extractor from a gazetteer file; no file means legal suffixes only."""
        return cls(load_gazetteer(path) if path and Path(path).exists() else [])

    def canonical(self, name: str) -> str:
        """Return the canonical name for ``name`` if the gazetteer knows it, else ``name`` cleaned."""
        name = " ".join(name.split())
        if name in self._lookup:
            return self._lookup[name]
        base = _strip_legal_suffixes(name) or name
        # "Alibaba Group Holding Ltd" -> "Alibaba Group Holding" -> "Alibaba Group" -> "Alibaba"
        candidate = base
        while True:
            if candidate in self._lookup:
                return self._lookup[candidate]
            words = candidate.split()
            if len(words) < 2 or words[-1] not in _CORPORATE_TAIL:
                break
            candidate = " ".join(words[:-1])
        words = base.split()
        while len(words) > 1 and words[-1] in ("Holding", "Holdings"):
            words.pop()
        return " ".join(words)

    def extract(self, *texts: str) -> list[str]:
        """Return the companies named in ``texts``, in order of first mention, without repeats."""
        strong: dict[str, int] = {}
        weak: dict[str, int] = {}
        offset = 0
        for text in texts:
            for start, kind, name in self._matches(text):
                target = strong if kind == STRONG else weak
                target.setdefault(name, offset + start)
            if self.legal_suffixes:
                for start, name in self._legal_names(text):
                    strong.setdefault(name, offset + start)
            offset += len(text) + 1
        # A weak alias ("FT") counts only when the company is also named in full.
        found = dict(strong)
        for name, position in weak.items():
            if name in strong:
                found[name] = min(position, strong[name])
        return [name for name, _ in sorted(found.items(), key=lambda item: item[1])]

    def _matches(self, text: str) -> list[tuple[int, str, str]]:
        if not self._has_patterns or not text:
            return []
        spans = []
        for end, (length, kind, name) in self._automaton.iter(text):
            start = end - length + 1
            if _is_word_boundary(text, start - 1) and _is_word_boundary(text, end + 1):
                spans.append((start, end + 1, kind, name))
        spans.sort(key=lambda span: (span[0], -(span[1] - span[0])))
        chosen = []
        covered_until = -1
        for start, end, kind, name in spans:
            if start >= covered_until:
                chosen.append((start, kind, name))
                covered_until = end
        return [(start, kind, name) for start, kind, name in chosen if kind != EXCLUDE]

    def _legal_names(self, text: str) -> list[tuple[int, str]]:
        found = []
        for match in _LEGAL_NAME.finditer(text):
            words = match.group(1).split()
            start = match.start(1)
            # "John Lydon's Public Image Ltd" names "Public Image"; "Virginia-based X Corp" names "X".
            for index in range(len(words) - 1, -1, -1):
                if words[index].endswith(("'s", "’s")) or words[index].endswith("-based"):
                    start += sum(len(w) + 1 for w in words[: index + 1])
                    words = words[index + 1 :]
                    break
            while words and words[0] in _LEADING_NOISE:
                start += len(words[0]) + 1
                words = words[1:]
            if not words or all(word in _GENERIC or word == "&" for word in words) or words[-1] in _NOT_COMPANY_ENDINGS:
                continue
            if words[0] == "&" or words[-1] == "&":
                continue
            found.append((start, self.canonical(" ".join(words))))
        return found


def _strip_legal_suffixes(name: str) -> str:
    previous = None
    while name and name != previous:
        previous = name
        name = basename(name).strip(" ,.")
    return name


def _is_word_boundary(text: str, index: int) -> bool:
    if index < 0 or index >= len(text):
        return True
    return not (text[index].isalnum() or text[index] == "_")
