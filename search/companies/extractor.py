"""Company names: a gazetteer matched fast, plus organisations the articles name with evidence.

The gazetteer (``gazetteer.py``: the corpus's ``companies.csv`` merged with the bundled lists in
``corpus/company-lists/``) maps names, aliases and tickers to one canonical company. Matching is
case-sensitive and whole-word with an Aho-Corasick automaton, and overlapping matches are resolved
leftmost-longest, so "Financial Times" beats "Times"; an ``exclude`` phrase such as "Amazon
rainforest" hides the names it contains. A weak alias ("FT", "Shell") counts when the article also
names the company in full or speaks of a company around it (``company_cues.py``).

Organisations the gazetteer does not know are found by their evidence: a legal suffix ("Symplicity
Corporation"), a company's name ending ("Biman Bangladesh Airlines"), a description ("law firm
Sidley Austin", "UpGuard, a cybersecurity firm"), a ticker mark ("Lukens Inc <LUC>") or a company's
context ("Xstrata's bid", "analyst at Bridgewell Securities"). Such a name counts where its
evidence is. When at least ``MIN_ARTICLES`` articles of the corpus give evidence for it
(``CandidateCounter``, run by ``CorpusReader`` before the articles are built), its bare mentions
count too. ``python -m search companies --candidates`` lists them, and the names rejected despite
their evidence, for the admin to review.

Names are given as they were on the article's date (``gazetteer.Successions``): Exxon in 1987,
ExxonMobil in 2005. ``CompanyDirectory`` answers, for the company pages, what the gazetteer says
about a company: its canonical name, aliases, tickers, URL slug, predecessors and successors.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import ahocorasick
from cleanco import basename

from search.companies.cues import (
    GIVEN_NAMES, BRACKETED_NAME, HEADLINE_STOP, TICKER_MARK, capitalised_after, company_context, context_names, listed_names, follows_ticker, is_all_caps, is_place, person_before, smart_title,
)
from search.companies.gazetteer import Company, GazetteerError, Succession, Successions, bundled_successions, load_all, load_gazetteer  # noqa: F401

STRONG, WEAK, EXCLUDE = "strong", "weak", "exclude"
EXCHANGES_SHOWN_AS = {"NASDAQ": ("NASDAQ", "Nasdaq"), "HKEX": ("HKEX", "HKSE", "HK")}

# An unknown organisation becomes a company when this many articles give evidence for it
# (a legal suffix or a description). Measured (issue 7): of the names found in one article only,
# about 69% were companies on the bundled Wikinews, 88% on BBC News, 95% on Reuters wire copy; the
# others are bands ("Public Image Ltd"), clubs ("Notts Co"), people, public bodies, films. Of those
# found in two or more articles, 97% (BBC) and 98% (Reuters) were companies. Three would only
# drop more real companies (Reuters: 1,175 more names, nearly all companies).
MIN_ARTICLES = 2

CORPORATE_NAME = "a company's name (Airlines, Industries...)"
LEGAL_SUFFIX, DESCRIBED, TICKER, CONTEXT = "legal suffix", "described as a company", "named with a ticker", "in a company's context"

# Legal forms written after a name ("Standard Oil Co", "Foo Inc.", "HDT Védelmi Ipari Kft.").
# "Group" is left out on purpose: "Visegrad Group", "Lima Group" are not companies.
_SUFFIXES = {
    "Inc", "Incorporated", "Corp", "Corporation", "Co", "Cos", "Company", "Ltd", "Limited", "LLC", "LLP",
    "L.L.C.", "L.P.", "S.p.A", "Plc", "PLC", "plc", "AG", "SA", "S.A.", "NV", "N.V.", "GmbH", "SpA", "S.p.A.",
    "Holdings", "Pty", "Kft", "Zrt", "Nyrt", "Bhd", "Berhad", "BV", "B.V.", "ASA", "Oyj", "Pte", "Cie", "C.V.", "CV",
}

# Lowercase words that may join the capitalised words of a name ("Cable and Wireless PLC",
# "Bank of Tokyo Ltd", "Société de Gestion SA").
_CONNECTORS = {"and", "of", "&", "de", "du", "des", "la", "le", "von", "van", "der", "y", "e", "und", "et", "en"}
# Words that start a sentence or a clause rather than a name.
_LEADING_NOISE = {
    "A", "An", "The", "In", "On", "At", "By", "For", "From", "Of", "And", "Or", "But", "With",
    "To", "As", "After", "Before", "While", "When", "Photo", "Photos", "Said", "Says", "Its",
    "Their", "His", "Her", "Our", "This", "That", "These", "Those", "Both", "Unit", "Subsidiary",
    "Then", "Thereafter", "Meanwhile", "However", "Yesterday", "Today", "Last", "Under", "Including",
    "According", "Also", "Like", "Between", "Against", "Through", "Via", "Per", "Shares", "Class",
}
# Words that are never the first word of a described name ("company founder", "firm Wednesday").
_NOT_A_NAME = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February",
    "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
    "CEO", "Chairman", "President", "Director", "Chief", "Minister", "Mr", "Mrs", "Ms", "Dr", "I", "We",
    "It", "He", "She", "They", "You", "Inc", "Corp", "Ltd", "LLC",
}
# "US Marine Corp(s)", "Peace Corps": bodies that are not companies.
_NOT_COMPANY_ENDINGS = {
    "Marine", "Marines", "Army", "Navy", "Peace", "Signal", "Medical", "University", "Institute", "Association",
    "Foundation", "Council", "Commission", "Ministry", "Department", "Agency", "Authority", "Society", "School",
    "College", "Party", "Union", "Federation", "Committee", "Government", "Court", "Police", "Office",
    "Board", "Library", "Museum", "Gallery", "Church", "Parliament", "Assembly",
}
# Words a name made only of is no name: "the Group said", "Trading Co", "Canada Inc".
_GENERIC = {
    "Holding", "Holdings", "Group", "Company", "Companies", "Corp", "Investment", "Investments",
    "Trading", "Industries", "International", "Bank", "Banking", "Trust", "Capital", "Partners", "Energy",
    "Oil", "Gas", "Financial", "Finance", "Securities", "Management", "Services", "Service", "Systems",
    "Resources", "Mining", "Investors", "Insurance", "Electric", "Power", "Light", "Telephone", "Telegraph",
    "Communications", "Development", "Chemical", "Petroleum", "Motor", "Motors", "Products", "Technologies",
    "Technology", "Manufacturing", "Marketing", "Credit", "Acquisition", "Enterprises", "Associates",
    "Brothers", "Sons", "Stores", "Industrial", "National", "General", "United", "American",
    "Global", "World", "Hospital", "Broadcasting", "Entertainment", "Media", "News", "Sales", "Discount",
    "Canada", "America", "Japan", "China", "Australia", "Europe", "Asia", "Africa", "India", "Tokyo", "London",
    "New", "York", "Southern", "Northern", "Western", "Eastern", "US", "U.S.", "UK", "Wireless", "Business",
    "Machines", "Steel", "Cars", "Air", "Airlines", "Shipping", "Foods", "Food", "Health",
}
# A word just before a legal name that says it is no company: "rock band Blues Incorporated".
_NOT_COMPANY_CUES = {
    "band", "group", "club", "team", "party", "ministry", "agency", "university", "school", "church",
    "charity", "foundation", "union", "orchestra", "choir", "album", "song", "film", "show", "magazine's",
}
# Descriptions that make the capitalised name next to them a company ("law firm Sidley Austin",
# "UpGuard, a cybersecurity firm"). Broadcasters and networks are left out: most named in the
# news are public (PBS, NRK, RTHK), which the archive does not count as companies.
# "daily" only after a capitalised word ("Greek daily Kathimerini", not "a daily Aspirin"); Python's
# lookbehinds have a fixed width, hence one per word length.
_DAILY = "|".join(rf"(?<=[A-Z][a-z]{{{n}}} )daily" for n in range(2, 13))
_COMPANY_NOUNS = (
    r"company|companies|firm|firms|corporation|conglomerate|retailer|airline|manufacturer|start-?ups?|newspaper|"
    r"tabloid|website|news site|app|supermarket chain|insurer|investment bank|brewer|carmaker|automaker|beermaker|"
    rf"chipmaker|drugmaker|handset maker|games maker|software maker|{_DAILY}"
)
_PUBLICATION_NOUNS = {"newspaper", "daily", "tabloid", "website", "news site"}

# Legal forms written before a name (Russian, Indonesian, Polish...).
_LEGAL_PREFIXES = {"OAO", "OOO", "ZAO", "PAO", "PJSC", "OJSC", "JSC", "CJSC", "PT", "AO"}

# Words that may follow a company's name without changing which company it is.
_CORPORATE_TAIL = {"Holding", "Holdings", "Group", "Co", "Company", "Corporation", "International"}

# Tokens: initials ("E.F.", "U.S.", "J. "), words with inner dots ("Amazon.com", "UOL.com.br"),
# words with apostrophes, ampersands and hyphens, then any single other character.
_TOKEN = re.compile(r"(?:[A-Z]\.){2,}|[A-Z]\.(?=\s[A-Z])|[\w'’&-]+(?:\.[\w'’&-]+)*|\S")
_DESCRIBED_AFTER = re.compile(rf"\b(?P<noun>{_COMPANY_NOUNS}),?\s+(?:(?:called|named)\s+)?(?=[A-Za-z0-9])")
# "UpGuard, a cybersecurity firm, ...", "Apex Shark Expeditions, a company that ...": the noun ends
# the description (not "John Smith, a company spokesman").
_DESCRIBED_BEFORE = re.compile(
    rf",\s+an?\s+(?:[\w-]+\s+){{0,3}}?(?:{_COMPANY_NOUNS})(?=[,.;:)]|\s+(?:that|which|whose|based|"
    rf"headquartered|founded|owned|in|with|from|for|specialising|specializing)\b)"
)
# Words that end a company's name as a legal form does ("Biman Bangladesh Airlines", "Bower Industries",
# "Forest Laboratories"), rarely anything else's.
_HEADS = {
    "Airlines", "Airways", "Laboratories", "Pharmaceuticals", "Industries", "Bancorp", "Bancshares", "Securities",
    "Motors", "Petroleum", "Electronics", "Semiconductor", "Semiconductors", "Microsystems", "Software",
    "Telecommunications", "Breweries", "Brewery", "Distillers", "Refining", "Productions", "Records",
    "Communications", "Entertainment", "Studios", "Pictures",
}
# Only the text this far around a hint is read word by word (a name is at most MAX_NAME_WORDS long).
_WINDOW = 160
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[\"“(]?[A-Z0-9])|\n")
MAX_NAME_WORDS = 6
# Nouns that head a name with "of" ("Bank of Tokyo", "Food Corporation of India"), unlike a
# person's name ("Allan Leslie of Discount Corp").
_OF_HEADS = {"Association", "Society", "Bureau", "Board", "Authority", "Institute", "Exchange", "Federation",
             "Corporation", "Corp", "Company", "Co", "Union", "Chamber", "House", "Agency", "Commission", "Council"}
# "Virginia-based", "State-run", "US-registered": words that describe the name that follows.
_DESCRIBING_PREFIX = re.compile(r"-(?:based|run|owned|registered|controlled|listed|backed|headquartered|born)$", re.IGNORECASE)


class Mention(NamedTuple):
    """An organisation the gazetteer does not name, found with evidence in a text."""

    start: int
    end: int
    name: str  # canonical: the gazetteer's name when the form with its suffix is an alias, else cleaned
    evidence: str  # LEGAL_SUFFIX, CORPORATE_NAME, DESCRIBED, TICKER or CONTEXT
    known: bool  # the gazetteer knows it (as "HDT Limited", say), so it is no candidate


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


def _note_first(positions: dict[str, int], name: str, position: int) -> None:
    """Keep the earliest position of ``name`` (texts in capitals are read last but may come first)."""
    if position < positions.get(name, position + 1):
        positions[name] = position


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


class CompanyExtractor:
    """Find the canonical companies an article names.

    ``promoted`` are the unknown organisations the corpus gives enough evidence for (see
    ``CandidateCounter``); they count as companies like gazetteer entries.
    """

    def __init__(self, companies: list[Company], legal_suffixes: bool = True, promoted: Iterable[str] = (),
                 successions: Successions | None = None):
        self.companies = {c.name: c for c in companies if not c.phrases_only}
        self.legal_suffixes = legal_suffixes  # False: the gazetteer only, no unknown organisations
        self.successions = successions or Successions()
        self._canonical_cache: dict[str, str] = {}  # cleanco's suffix stripping is the costly part
        self._gazetteer = companies
        self._not_companies = frozenset(self.not_companies)
        self._automaton = ahocorasick.Automaton()
        self._upper_automaton = ahocorasick.Automaton()  # names of several words, in capitals, for headlines
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
        for company in self.companies.values():
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
        self._lookup = {p: name for p, (kind, name) in patterns.items() if kind != EXCLUDE}
        self._folded = {}  # case-folded name -> canonical: names from a headline in capitals, or in another case
        for pattern, name in self._lookup.items():
            self._folded.setdefault(pattern.casefold(), name)
        # Accepted unknown organisations: the distinctive ones are matched wherever they appear.
        self.promoted = frozenset(name for name in promoted if name not in self._lookup)
        for name in self.promoted:
            if is_distinctive(name) and name not in patterns:
                patterns[name] = (STRONG, name)
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
        # Names of several words written in another case ("Mobile Telesystems" for "Mobile TeleSystems").
        self._lower_automaton = ahocorasick.Automaton()
        for pattern, (kind, name) in lower.items():
            self._lower_automaton.add_word(pattern, (len(pattern), kind, name))
        if patterns:
            self._automaton.make_automaton()
        if upper:
            self._upper_automaton.make_automaton()
        if lower:
            self._lower_automaton.make_automaton()
        self._has_patterns = bool(patterns)

    @property
    def not_companies(self) -> list[str]:
        """The phrases the gazetteer says are no companies (its ``(not companies)`` rows)."""
        return [phrase for company in self._gazetteer if company.phrases_only for phrase in company.exclude]

    @classmethod
    def from_file(cls, path: Path | None, promoted: Iterable[str] = ()) -> CompanyExtractor:
        """Build an extractor from a corpus's gazetteer file merged with the bundled lists and successions."""
        return cls(load_all(Path(path) if path else None), promoted=promoted, successions=bundled_successions())

    def with_promoted(self, names: Iterable[str]) -> CompanyExtractor:
        """Return an extractor that also counts ``names`` (accepted candidates) as companies."""
        return CompanyExtractor(self._gazetteer, self.legal_suffixes, promoted=names, successions=self.successions)

    def canonical(self, name: str, published=None) -> str:
        """Return the canonical name for ``name`` if the gazetteer knows it, else ``name`` cleaned;
        with ``published``, the name that company had on that day (``Successions``)."""
        return self.successions.name_on(self._canonical(name), published)

    def _canonical(self, name: str) -> str:
        cached = self._canonical_cache.get(name)
        if cached is None:
            cached = self._canonical_cache[name] = self._resolve(name)
            if len(self._canonical_cache) > 100_000:
                self._canonical_cache.clear()
        return cached

    def _resolve(self, name: str) -> str:
        name = " ".join(name.split())
        words = name.split()
        if len(words) > 1 and words[0] in _LEGAL_PREFIXES:
            name = " ".join(words[1:])  # "OAO Mobile Telesystems", "PT Bank Mandiri"
        if name in self._lookup:
            return self._lookup[name]
        if " " in name and name.casefold() in self._folded:
            return self._folded[name.casefold()]  # "Mobile Telesystems" for "Mobile TeleSystems"
        base = strip_legal_suffixes(name) or name
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
        while len(words) > 1 and (words[-1] in ("Holding", "Holdings") or words[-1] in _CONNECTORS):
            if is_place(" ".join(words[:-1])):
                break  # "North American Holding" stays: "North American" is a place
            words.pop()  # "Woolcott and Co Inc" -> "Woolcott and" -> "Woolcott"
        return " ".join(words)

    def extract(self, *texts: str, context: Iterable[str] = (), published=None) -> list[str]:
        """Return the companies named in ``texts``, in order of first mention, without repeats.

        ``context``: companies the rest of the article names (when ``texts`` is part of it), so
        that their weak aliases count here too ("the FT report" after "Financial Times").
        ``published``: the article's date, so each company is given the name it had then.
        """
        strong: dict[str, int] = {}
        weak: dict[str, int] = {}
        offsets, offset = [], 0
        for text in texts:
            offsets.append(offset)
            offset += len(text) + 1
        capitals = [is_all_caps(text) for text in texts]
        # Texts in ordinary case first: a headline in capitals is read with what they found.
        for number in sorted(range(len(texts)), key=lambda n: capitals[n]):
            text, base = texts[number], offsets[number]
            others = [t for n, t in enumerate(texts) if n != number and not capitals[n]]
            tickers = self._ticker_mentions(text, capitals[number], others)
            for start, end, kind, name in self._names_in(text, capitals[number], strong):
                if not any(m.start <= start and end <= m.end and m.name != name and not m.known for m in tickers):
                    _note_first(strong if kind == STRONG else weak, name, base + start)
            for mention in tickers:
                _note_first(strong, mention.name, base + mention.start)
        # A weak alias ("FT") counts only when the company is also named in full, or in a company's context.
        found = dict(strong)
        known = set(strong) | set(context)
        for name, position in weak.items():
            if name in known:
                found[name] = min(position, strong.get(name, position))
        names = [self.successions.name_on(name, published) for name, _ in sorted(found.items(), key=lambda item: item[1])]
        return list(dict.fromkeys(names))

    def _names_in(self, text: str, capitals: bool, named: dict[str, int]) -> Iterator[tuple[int, int, str, str]]:
        """Gazetteer names and accepted organisations in one text, as (start, end, kind, name)."""
        spans = self._matches(text)
        for start, end, kind, name in spans:
            if kind == EXCLUDE:
                continue
            single = " " not in text[start:end]
            if single and person_before(text, start):
                continue  # "Paul E. Lego", "Henry Ford"
            if capitals and single and not text[start:end].startswith("<") \
                    and name not in named and not follows_ticker(text, end):
                continue  # "SHR 56 CTS": one word in a headline in capitals needs support
            if kind == WEAK and single and capitalised_after(text, end):
                continue  # "Sun Yingsha": part of a longer name
            if kind == WEAK and company_context(text, start, end):
                kind = STRONG  # "Shell said", "shares in Total"
            yield start, end, kind, name
        if capitals:
            for start, end, kind, name in self._matches(text, self._upper_automaton):
                if kind != EXCLUDE and not any(s <= start < e for s, e, _, _ in spans):
                    yield start, end, STRONG, name
        else:
            lowered = text.lower()
            if len(lowered) == len(text):  # lower() kept every offset
                for start, end, kind, name in self._matches(lowered, self._lower_automaton):
                    if _title_like(text[start:end]) and not any(s < end and start < e for s, e, _, _ in spans):
                        yield start, end, STRONG, name
        if not capitals and self.legal_suffixes:
            # An organisation named with evidence counts in that article even when the corpus has not
            # accepted it (acceptance only adds its bare mentions elsewhere).
            for mention in self._organisations(text, spans):
                yield mention.start, mention.end, STRONG, mention.name

    def find_candidates(self, text: str, rejected: list[tuple[Mention, str]] | None = None) -> list[Mention]:
        """Return the organisations in ``text`` that the gazetteer does not know (promoted or not);
        the names rejected despite their evidence are added to ``rejected`` with the reason."""
        if not self.legal_suffixes:
            return []
        return [m for m in self._organisations(text, self._matches(text), rejected) if not m.known]

    def _ticker_mentions(self, text: str, capitals: bool, others: list[str]) -> list[Mention]:
        """Names written with a ticker mark ("Lukens Inc <LUC>", "BROWN GROUP INC <BG>") or in angle
        brackets ("<Biosystems Research Inc>"): companies on that evidence alone."""
        if "<" not in text or not self.legal_suffixes:
            return []
        found = []
        for match in TICKER_MARK.finditer(text):
            if match.group() in self._lookup:
                continue  # the gazetteer knows this ticker: matched with the names
            words, start = _words_before(text, match.start(), capitals)
            if not words:
                continue
            if capitals:
                name = headline_name(words, others)
                if name is None:
                    continue
            else:
                name = " ".join(words)
            found.append(self._mention(name, start, match.end(), TICKER))
        if not capitals:
            for match in BRACKETED_NAME.finditer(text):
                inner = " ".join(match.group(1).split())
                if " " in inner or any(ch.islower() for ch in inner):
                    found.append(self._mention(inner, match.start(), match.end(), TICKER))
        return [m for m in found if m is not None]

    def _mention(self, written: str, start: int, end: int, evidence: str) -> Mention | None:
        name = self._folded.get(written.casefold()) or self._canonical(written)
        known = name in self.companies
        if not known and self._rejection(name):
            return None
        return Mention(start, end, name, evidence, known)

    def _rejection(self, name: str) -> str:
        """Why ``name``, found with evidence, is still no company ("" when it may be one)."""
        return "listed as no company" if name in self._not_companies else rejection(name)

    def _matches(self, text: str, automaton=None) -> list[tuple[int, int, str, str]]:
        """Gazetteer matches as (start, end, kind, name), exclusions included, leftmost-longest."""
        if not self._has_patterns or not text:
            return []
        spans = []
        automaton = automaton if automaton is not None else self._automaton
        if automaton.kind != ahocorasick.AHOCORASICK:
            return []
        for end, (length, kind, name) in automaton.iter(text):
            start = end - length + 1
            if _is_word_boundary(text, start - 1) and _is_word_boundary(text, end + 1):
                spans.append((start, end + 1, kind, name))
        # An exclusion hides the names it contains ("Amazon" in "Amazon rainforest"), not a longer
        # name that only overlaps it ("the Amazon" and "Amazon S3").
        exclusions = [(s, e) for s, e, kind, _ in spans if kind == EXCLUDE]
        if exclusions:
            spans = [span for span in spans if span[2] == EXCLUDE
                     or not any(s <= span[0] and span[1] <= e for s, e in exclusions)]
        names = [span for span in spans if span[2] != EXCLUDE]
        names.sort(key=lambda span: (span[0], -(span[1] - span[0])))
        chosen = []
        covered_until = -1
        for span in names:
            if span[0] >= covered_until:
                chosen.append(span)
                covered_until = span[1]
        return chosen + [span for span in spans if span[2] == EXCLUDE]

    def _organisations(self, text: str, spans: list[tuple[int, int, str, str]],
                       rejected: list[tuple[Mention, str]] | None = None) -> list[Mention]:
        """Organisations named with evidence, unless the gazetteer matched there; names the evidence
        is not enough for go to ``rejected`` with the reason."""
        found: list[Mention] = []
        taken = [(s, e) for s, e, _, _ in spans]  # an exclusion phrase also says "no company here"
        names = []
        for first, last in _windows(text):
            part = text[first:last]
            tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(part)]
            names += [(start + first, end + first, words, evidence)
                      for start, end, words, evidence in _legal_names(part, tokens) + _described_names(part, tokens, first == 0)]
        for start, end, written in listed_names(text):
            words = written.split()
            # The place test reads the name as written: cleaning it ("U.S." -> "U.S") can hide a place.
            if words and words[0] not in _LEADING_NOISE and not is_place(written):
                names.append((start, end, words, DESCRIBED))
        for start, end, written in context_names(text):
            words = written.split()
            while words and (words[0] in _LEADING_NOISE or words[0] in _NOT_A_NAME or words[0] in GIVEN_NAMES):
                start += len(words[0]) + 1
                words = words[1:]
            if words and not is_place(" ".join(words)) and not (len(words) == 1 and start == 0):
                names.append((start, end, words, CONTEXT))
        for start, end, words, evidence in names:
            if any(s < end and start < e for s, e in taken):
                continue  # the gazetteer has decided what this is
            full = " ".join(words)
            if full in self._lookup:
                found.append(Mention(start, end, self._lookup[full], evidence, True))
                taken.append((start, end))
                continue
            name = self._canonical(full)
            known = name in self.companies
            if not known:
                reason = self._rejection(name)
                if reason:
                    if rejected is not None:
                        rejected.append((Mention(start, end, name, evidence, False), reason))
                    continue
            found.append(Mention(start, end, name, evidence, known))
            taken.append((start, end))
        return sorted(found)


def _words_before(text: str, position: int, capitals: bool) -> tuple[list[str], int]:
    """The words of the name just before ``text[position:]`` (a ticker mark), and where it starts.

    In capitals, every word back to the previous mark or punctuation (at most MAX_NAME_WORDS);
    ``_as_written`` then keeps those the rest of the article writes as a name.
    """
    first = max(0, position - 160)
    tokens = [(m.start() + first, m.end() + first, m.group()) for m in _TOKEN.finditer(text[first:position])]
    if not capitals:
        tokens.append((position, position + 1, "<"))
        return _name_before(text, tokens, len(tokens) - 1)
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
                if written != written.upper() and all(w[:1].isupper() or not w[:1].isalpha() or w in _CONNECTORS
                                                      for w in written.split()):
                    return written + _suffixed_tail(other, match.end())
    return None


_TAIL = re.compile(r"(?:\s+[A-Z][\w&'-]*){0,3}?\s+(?:Inc|Corp|Co|Ltd|Plc|PLC|plc|AG|SA|NV|Cos|Corporation|Company|Incorporated|Limited)\b\.?")


def _suffixed_tail(text: str, end: int) -> str:
    """" Entertainment Corp" when ``text[end:]`` continues the name up to a legal suffix, else ""."""
    match = _TAIL.match(text, end)
    return " " + " ".join(match.group().split()) if match else ""


_HINT_WORDS = sorted({
    *_SUFFIXES, *_HEADS, "company", "companies", "firm", "firms", "corporation", "conglomerate", "retailer", "airline",
    "manufacturer", "start-up", "startup", "start-ups", "startups", "newspaper", "tabloid", "website", "news site",
    "app", "supermarket chain", "insurer", "investment bank", "brewer", "carmaker", "automaker", "beermaker",
    "chipmaker", "drugmaker", "handset maker", "games maker", "software maker", "daily",
})


@lru_cache(maxsize=1)
def _hint_automaton() -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for word in _HINT_WORDS:
        automaton.add_word(word, len(word))
    automaton.make_automaton()
    return automaton


def _hints(text: str) -> list[tuple[int, int]]:
    """Where ``text`` has a legal suffix, a company's name ending or a company noun (the words of
    ``_HINT_WORDS``), found by one Aho-Corasick pass instead of a regular expression tried at every word."""
    found = []
    for last, length in _hint_automaton().iter(text):
        start, end = last - length + 1, last + 1
        if not _is_word_boundary(text, start - 1) or not (_is_word_boundary(text, end) and text[end : end + 1] != "-"):
            continue
        found.append((start, end))
    return found


def _windows(text: str) -> list[tuple[int, int]]:
    """The stretches of ``text`` around legal suffixes and company nouns, cut at spaces, merged."""
    windows: list[list[int]] = []
    for start, end in _hints(text) if text else ():
        first, last = max(0, start - _WINDOW), min(len(text), end + _WINDOW)
        if windows and first <= windows[-1][1]:
            windows[-1][1] = last
        else:
            windows.append([first, last])
    cut = []
    for first, last in windows:
        if first > 0:
            space = text.find(" ", first, last)
            first = space + 1 if space >= 0 else first
        if last < len(text):
            space = text.rfind(" ", first, last)
            last = space if space > first else last
        cut.append((first, last))
    return cut


def rejection(name: str) -> str:
    """Why a name found with evidence is still no company ("" when it may be one)."""
    words = name.split()
    content = [word for word in words if word not in _CONNECTORS]
    # "Investors Service", "Trading", "Canada" are no names; "American Telephone and Telegraph" and
    # "Bank of Tokyo" are.
    if not content or (all(word in _GENERIC for word in content) and len(content) < 3 and len(content) == len(words)):
        return "generic words only"
    if not any(ch.isalpha() for ch in name) or len(name) < 2:
        return "no name"  # "firm 19", "B"
    if len([w for w in words if len(w) >= 4 and w.isupper()]) >= 2 and all(w.isupper() or w in _CONNECTORS for w in words):
        return "a headline in capitals"  # "MORGAN GRENFELL GROUP PLC"; its story names it properly
    if words[-1] in _NOT_COMPANY_ENDINGS:
        return f"ends like a public body or institution ({words[-1]})"
    if words[0] in _CONNECTORS or words[-1] in _CONNECTORS:
        return "a fragment"
    if len(words) == 1 and words[0] in _NOT_A_NAME:
        return "a common word"
    if is_place(name):
        return "a place"
    return ""


def _line_wrap(gap: str) -> bool:
    """True for the space between two words of one name broken across lines ("Citizens\\n    First")."""
    return not gap.strip() and gap.count("\n") == 1 and gap.startswith("\n")


def _is_capitalised(token: str) -> bool:
    first = token[:1]
    if first.isupper() or first.isdigit():
        return any(ch.isalpha() for ch in token) or len(token) > 1
    # "eTranslate", "spotLESS", "iRobot": lowercase start, then a capital
    return first.isalpha() and token.isalnum() and any(ch.isupper() for ch in token[1:])


def _possessive(token: str) -> bool:
    return token.endswith(("'s", "’s"))


def _legal_names(text: str, tokens: list[tuple[int, int, str]]) -> list[tuple[int, int, list[str], str]]:
    """Names followed by a legal suffix: (start, end, words with the suffixes, evidence)."""
    found = []
    index = 0
    while index < len(tokens):
        token = tokens[index][2]
        if token not in _SUFFIXES and token not in _HEADS:
            index += 1
            continue
        # The suffixes: "Co", "Co Inc", "Co., Ltd.", "Holdings Ltd", "Corp of America".
        first_suffix = index
        last = index
        probe = index + 1
        while probe < len(tokens):
            word = tokens[probe][2]
            if word == "." and tokens[probe][0] == tokens[probe - 1][1]:
                last = probe
                probe += 1
            elif word == "," and probe + 1 < len(tokens) and tokens[probe + 1][2] in _SUFFIXES:
                probe += 1
            elif word in _SUFFIXES and tokens[probe][0] - tokens[probe - 1][1] <= 1:
                last = probe
                probe += 1
            else:
                break
        suffixes = [tokens[i][2] for i in range(first_suffix, last + 1) if tokens[i][2] not in ".,"]
        if suffixes == ["Company"]:  # alone, also "Charlie Company", "Royal Shakespeare Company"
            index = last + 1
            continue
        # "Hospital Corp of America", "Aluminum Co of America"
        # "Anglo American Corp of South Africa Ltd": up to three words, and the suffixes after them.
        tail: list[str] = []
        if probe + 1 < len(tokens) and tokens[probe][2] == "of":
            after = probe + 1
            while after < len(tokens) and len(tail) < 3 and _is_capitalised(tokens[after][2]) \
                    and tokens[after][2] not in _LEADING_NOISE and tokens[after][2] not in _SUFFIXES \
                    and tokens[after][0] - tokens[after - 1][1] == 1:
                tail.append(tokens[after][2])
                after += 1
            if tail:
                last = after - 1
                while after < len(tokens) and tokens[after][2] in _SUFFIXES and tokens[after][0] - tokens[after - 1][1] <= 1:
                    last = after
                    after += 1
                tail = ["of", *tail]
        if tokens[first_suffix][2] in ("Co", "Cos", "Company") and first_suffix > 0 \
                and tokens[first_suffix - 1][2] in ("and", "&"):
            first_suffix -= 1  # "Woolcott and Co Inc", "Goldman Sachs & Co"
            suffixes.insert(0, tokens[first_suffix][2])
        words, start = _name_before(text, tokens, first_suffix)
        if words:
            end = tokens[last][1]
            evidence = LEGAL_SUFFIX if any(w in _SUFFIXES for w in suffixes) else CORPORATE_NAME
            following = tokens[last + 1][2] if last + 1 < len(tokens) else ""
            if evidence == CORPORATE_NAME and _is_capitalised(following) and following not in _LEADING_NOISE:
                index = last + 1
                continue  # "National Telecommunications Commission": the ending is inside a longer name
            if evidence == CORPORATE_NAME and ("and" in words or "&" in words):
                cut = max(i for i, w in enumerate(words) if w in ("and", "&")) + 1
                start = text.find(words[cut], start) if cut < len(words) else start
                words = words[cut:]  # "Big Machine and Dick Clark Productions": the last of two names
            if words:
                found.append((start, end, words + suffixes + tail, evidence))
        index = last + 1
    return found


def _name_before(text: str, tokens: list[tuple[int, int, str]], index: int) -> tuple[list[str], int]:
    """Walk left from the suffix at ``index`` over the name's words; return them and their start."""
    words: list[tuple[int, str]] = []
    probe = index - 1
    if probe >= 0 and tokens[probe][2] == "," and tokens[probe][1] == tokens[index][0] - 1:
        probe -= 1  # "Hungarian National Asset Management, Inc."
    while probe >= 0 and len(words) < MAX_NAME_WORDS:
        start, end, token = tokens[probe]
        following = tokens[probe + 1][0] if probe + 1 < len(tokens) else len(text)
        if following - end > 1 and words and not _line_wrap(text[end:following]):
            break  # more than one space: not one name (a wire story's line break is one space)
        if _possessive(token):
            # "McDonald's Corp" and "Moody's Investors Service Inc" keep it; "John Lydon's Public
            # Image Ltd" does not: what follows a person's possessive is a name of its own.
            if not words or all(word in _GENERIC for _, word in words):
                words.insert(0, (start, token))
                probe -= 1
                continue
            break
        if _DESCRIBING_PREFIX.search(token) or (token in _SUFFIXES and words):
            break  # "Virginia-based X Corp"; "Scott Inc and Woolcott and Co": a name ends at its suffix
        if token in _CONNECTORS and words and probe > 0 and _is_capitalised(tokens[probe - 1][2]) \
                and tokens[probe - 1][2] not in _LEADING_NOISE and tokens[probe - 1][2] not in _SUFFIXES \
                and (token != "of" or tokens[probe - 1][2] in _GENERIC or tokens[probe - 1][2] in _OF_HEADS):
            words.insert(0, (start, token))
            probe -= 1
            continue
        if _is_capitalised(token) and token not in _CONNECTORS:
            words.insert(0, (start, token))
            probe -= 1
            continue
        break
    # "Bear, Stearns and Co", "Dillon, Read and Co Inc": a partner's name before a comma.
    if probe >= 1 and tokens[probe][2] == "," and words \
            and (tokens[index][2] in ("and", "&") or any(w in ("and", "&") for _, w in words)) \
            and _is_capitalised(tokens[probe - 1][2]) and not _possessive(tokens[probe - 1][2]) \
            and tokens[probe - 1][2] not in _NOT_A_NAME | _LEADING_NOISE | _GENERIC \
            and (probe < 2 or not _is_capitalised(tokens[probe - 2][2])) and tokens[probe][0] == tokens[probe - 1][1]:
        words.insert(0, (tokens[probe - 1][0], tokens[probe - 1][2] + ","))
        probe -= 2
    # What comes before the name may say it is no company ("rock band Blues Incorporated").
    if probe >= 0 and tokens[probe][2].lower() in _NOT_COMPANY_CUES:
        return [], 0
    # Cut at a word that starts a clause ("USDA The Commodity Credit Corp" -> "Commodity Credit").
    for position in range(len(words) - 1, -1, -1):
        if words[position][1] in _LEADING_NOISE:
            words = words[position + 1 :]
            break
    while words and (words[0][1] in _CONNECTORS or words[0][1] in _LEADING_NOISE):
        words = words[1:]
    if not words:
        return [], 0
    first = words[0][0]
    if first > 0 and text[first - 1] in "/-":
        return [], 0  # "San/Bar Corp": the name is longer than its last part
    return [word for _, word in words], first


_CLAUSE_STARTS = set(",;:(—–\"“")


def _described_names(text: str, tokens: list[tuple[int, int, str]], whole: bool = True) -> list[tuple[int, int, list[str], str]]:
    """Names described as companies: "law firm Sidley Austin", "UpGuard, a cybersecurity firm"."""
    found = []
    if not text:
        return found
    starts = {start: i for i, (start, _, _) in enumerate(tokens)}
    for match in _DESCRIBED_AFTER.finditer(text):
        index = starts.get(match.end())
        if index is None:
            continue
        keep_the = match.group("noun") in _PUBLICATION_NOUNS
        words: list[str] = []
        start = tokens[index][0]
        end = start
        while index < len(tokens) and len(words) < MAX_NAME_WORDS:
            token_start, token_end, token = tokens[index]
            if words and token_start - end > 1:
                break
            if _DESCRIBING_PREFIX.search(token):
                break
            if _is_capitalised(token) and (not words or token not in _LEADING_NOISE) and not _possessive(token):
                words.append(token)
            elif _possessive(token) and _is_capitalised(token):
                words.append(token[:-2])
                end = token_end - 2
                break
            elif token in _CONNECTORS and words and index + 1 < len(tokens) and _is_capitalised(tokens[index + 1][2]):
                words.append(token)
            else:
                break
            end = token_end
            index += 1
        if words and words[0] in ("The",) and not keep_the:
            words = words[1:]
            start = text.index(words[0], start) if words else start
        if match.group("noun").endswith("s") and ("and" in words or "&" in words):
            cut = min(words.index(w) for w in ("and", "&") if w in words)
            end = start + len(" ".join(words[:cut]))
            words = words[:cut]  # "start-up companies Gizmondo and Tapwave": the first of several
        while words and words[-1] in _CONNECTORS:
            words.pop()
        if match.group().rstrip().endswith(",") and not text.startswith(",", end):
            continue  # "a company, spotLESS Materials, to ..." but not "the party's website, Jephcott is"
        if words and words[0] not in _NOT_A_NAME and words[0] not in _LEADING_NOISE - {"The"}:
            found.append((start, end, words, DESCRIBED))
    for match in _DESCRIBED_BEFORE.finditer(text):
        index = starts.get(match.start())
        if index is None or index == 0:
            continue
        words_before: list[tuple[int, str]] = []
        probe = index - 1
        while probe >= 0 and len(words_before) < MAX_NAME_WORDS:
            token_start, token_end, token = tokens[probe]
            following = tokens[probe + 1][0]
            if words_before and following - token_end > 1:
                break
            if _is_capitalised(token) and not _possessive(token):
                words_before.insert(0, (token_start, token))
            elif token in ("and", "&") and words_before and probe > 0 and _is_capitalised(tokens[probe - 1][2]):
                words_before.insert(0, (token_start, token))  # not "of": "Chris Fallows of Apex Shark Expeditions"
            else:
                break
            probe -= 1
        while words_before and (words_before[0][1] in _LEADING_NOISE or words_before[0][1] in _CONNECTORS):
            words_before = words_before[1:]
        # Only a name that starts its clause: "..., said Tom Smith, a company spokesman" is a person.
        before = tokens[probe][2] if probe >= 0 else ""
        starts_clause = (probe < 0 and whole) or before in _CLAUSE_STARTS or before in _LEADING_NOISE \
            or before.lower() in ("by", "from", "with", "and", "of", "at", "for", "to", "in", "on")
        if words_before and starts_clause and words_before[0][1] not in _NOT_A_NAME:
            found.append((words_before[0][0], tokens[index - 1][1], [w for _, w in words_before], DESCRIBED))
    return found


def strip_legal_suffixes(name: str) -> str:
    previous = None
    while name and name != previous:
        previous = name
        name = basename(name).strip(" ,.").removesuffix(" Cos")  # "Williams Cos", which cleanco keeps
    return name


def _is_word_boundary(text: str, index: int) -> bool:
    if index < 0 or index >= len(text):
        return True
    return not (text[index].isalnum() or text[index] == "_")


def sentence_around(text: str, start: int, end: int, limit: int = 300) -> str:
    """Return the sentence of ``text`` that holds ``text[start:end]``, at most ``limit`` characters."""
    left = 0
    for match in _SENTENCE_END.finditer(text, 0, start):
        left = match.end()
    right_match = _SENTENCE_END.search(text, end)
    right = right_match.start() if right_match else len(text)
    sentence = " ".join(text[left:right].split())
    if len(sentence) > limit:
        middle = sentence.find(text[start:end]) if text[start:end] in sentence else 0
        first = max(0, min(middle - limit // 3, len(sentence) - limit))
        sentence = ("…" if first else "") + sentence[first : first + limit].strip() + ("…" if first + limit < len(sentence) else "")
    return sentence


@dataclass
class Candidate:
    """An unknown organisation, with how many articles give evidence for it."""

    name: str
    articles: int = 0
    mentions: int = 0
    evidence: Counter = field(default_factory=Counter)
    forms: Counter = field(default_factory=Counter)  # as written: "Blues Incorporated", "firm called eTranslate"
    examples: list[str] = field(default_factory=list)  # one sentence from each of the first articles

    @property
    def form(self) -> str:
        """The most frequent way the name is written, with its suffix (for an exclusion phrase)."""
        return self.forms.most_common(1)[0][0] if self.forms else self.name


class CandidateCounter:
    """Count, over a corpus, the articles that give evidence for each unknown organisation.

    Feed it every article once (``add``); then ``promoted(n)`` are the names at least ``n``
    articles support, and ``candidates()`` is the full list for the admin.
    """

    def __init__(self, extractor: CompanyExtractor, examples: int = 3):
        self.extractor = extractor
        self.max_examples = examples
        self.found: dict[str, Candidate] = {}
        self.rejected: dict[str, Candidate] = {}  # names with evidence that are still no company
        self.reasons: dict[str, str] = {}
        self.articles = 0

    def add(self, *texts: str) -> None:
        """Count one article (its headline, body, captions...)."""
        self.articles += 1
        seen: set[str] = set()
        seen_rejected: set[str] = set()
        for text in texts:
            rejected: list[tuple[Mention, str]] = []
            found = self.extractor.find_candidates(text, rejected)
            for mention, reason in rejected:
                entry = self.rejected.setdefault(mention.name, Candidate(mention.name))
                entry.mentions += 1
                entry.evidence[mention.evidence] += 1
                entry.forms[text[mention.start : mention.end]] += 1
                self.reasons.setdefault(mention.name, reason)
                if mention.name not in seen_rejected:
                    seen_rejected.add(mention.name)
                    entry.articles += 1
                if len(entry.examples) < self.max_examples:
                    entry.examples.append(sentence_around(text, mention.start, mention.end))
            for mention in found:
                candidate = self.found.get(mention.name)
                if candidate is None:
                    candidate = self.found[mention.name] = Candidate(mention.name)
                candidate.mentions += 1
                candidate.evidence[mention.evidence] += 1
                candidate.forms[text[mention.start : mention.end]] += 1
                if mention.name not in seen:
                    seen.add(mention.name)
                    candidate.articles += 1
                    if len(candidate.examples) < self.max_examples:
                        candidate.examples.append(sentence_around(text, mention.start, mention.end))

    def candidates(self, min_articles: int = 1, max_articles: int | None = None) -> list[Candidate]:
        """Candidates with ``min_articles`` to ``max_articles`` articles, most articles first."""
        return sorted(
            (c for c in self.found.values()
             if c.articles >= min_articles and (max_articles is None or c.articles <= max_articles)),
            key=lambda c: (-c.articles, -c.mentions, c.name.casefold()),
        )

    def rejected_names(self, limit: int = 20) -> list[tuple[Candidate, str]]:
        """The names most often found with evidence and still rejected, with the reason."""
        ranked = sorted(self.rejected.values(), key=lambda c: (-c.articles, -c.mentions, c.name.casefold()))
        return [(c, self.reasons[c.name]) for c in ranked[:limit]]

    def promoted(self, min_articles: int = MIN_ARTICLES) -> set[str]:
        """The names that become companies: those at least ``min_articles`` articles support."""
        # A company context alone ("X's shares", "analyst at X") is weaker evidence than a legal suffix,
        # a description or a ticker: such a name needs one article more.
        return {c.name for c in self.found.values()
                if c.articles >= min_articles + (1 if set(c.evidence) == {CONTEXT} else 0)}


def company_slug(name: str) -> str:
    """Return the URL slug of a company name: "Financial Times" -> "financial-times", "AT&T" -> "at-t".

    The same rule as the company pages' (``company_profile.slugify``): NFKC, case-folded, every run
    of characters that are not letters or digits made one dash (so "Société Générale" keeps its
    accents: "société-générale").
    """
    text = unicodedata.normalize("NFKC", name).casefold()
    return re.sub(r"[\W_]+", "-", text).strip("-") or "company"


@dataclass(frozen=True)
class CompanyInfo:
    """What the gazetteer says about one company."""

    name: str  # canonical
    slug: str
    aliases: tuple[str, ...] = ()  # aliases and weak aliases, as written in the gazetteer
    tickers: tuple[str, ...] = ()  # "NYSE:BABA"
    predecessors: tuple[Succession, ...] = ()  # the companies it was before a merger or rename
    successors: tuple[Succession, ...] = ()  # what it became


class CompanyDirectory:
    """Look companies up by any of their names, tickers or their URL slug.

    >>> directory = CompanyDirectory.from_file(Path("corpus/companies.csv"))
    >>> directory.get("Alibaba Group").name, directory.get("NYSE:BABA").slug
    ('Alibaba', 'alibaba')
    >>> directory.by_slug("financial-times").aliases
    ('FT',)

    Names that are not in the gazetteer (accepted candidates, names given by the articles
    themselves) can be added with ``extra``: they get a slug and no aliases or tickers. Two names
    with the same slug (rare: "AT&T" and "AT-T") are told apart by "-2", "-3" in gazetteer order.
    """

    def __init__(self, companies: Iterable[Company], extra: Iterable[str] = (), successions: Successions | None = None):
        self.successions = successions or Successions()
        self._by_name: dict[str, CompanyInfo] = {}
        self._by_slug: dict[str, CompanyInfo] = {}
        self._names: dict[str, str] = {}  # every name, alias and ticker -> canonical name
        for company in companies:
            if company.phrases_only:
                continue
            self._add(company.name, (*company.aliases, *company.weak_aliases), tuple(company.tickers))
            for alias in (*company.aliases, *company.weak_aliases, *company.tickers):
                self._names.setdefault(alias, company.name)
        for name in extra:
            if name not in self._by_name:
                self._add(name, (), ())

    @classmethod
    def from_file(cls, path: Path | None, extra: Iterable[str] = ()) -> CompanyDirectory:
        """Load the gazetteer CSV merged with the bundled lists and successions (``gazetteer.load_all``)."""
        return cls(load_all(Path(path) if path else None), extra, bundled_successions())

    def _add(self, name: str, aliases: tuple[str, ...], tickers: tuple[str, ...]) -> None:
        base = company_slug(name)
        slug, number = base, 1
        while slug in self._by_slug:
            number += 1
            slug = f"{base}-{number}"
        info = CompanyInfo(name, slug, aliases, tickers, tuple(self.successions.predecessors(name)),
                           tuple(self.successions.successors(name)))
        self._by_name[name] = self._by_slug[slug] = info
        self._names[name] = name

    def get(self, name: str) -> CompanyInfo | None:
        """The company that ``name`` (canonical name, alias, weak alias or ticker) stands for."""
        canonical = self._names.get(" ".join(name.split()))
        return self._by_name[canonical] if canonical else None

    def by_slug(self, slug: str) -> CompanyInfo | None:
        """The company whose slug is ``slug`` (the reverse of ``CompanyInfo.slug``)."""
        return self._by_slug.get(slug)

    def slug(self, name: str) -> str:
        """The slug of ``name``: its company's if known, else ``company_slug(name)``."""
        info = self.get(name)
        return info.slug if info else company_slug(name)

    def __iter__(self) -> Iterator[CompanyInfo]:
        return iter(self._by_name.values())

    def __len__(self) -> int:
        return len(self._by_name)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None
