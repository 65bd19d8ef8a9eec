"""Company names: a gazetteer matched fast, plus organisations the articles name with evidence.

The gazetteer is matched as ``matcher.py`` says; organisations it does not know are found by their
evidence (``organisations.py``, ``ticker_names.py``) and, once enough articles of the corpus give
evidence for them (``candidates.py``), matched bare too.

Names are given as they were on the article's date (``gazetteer.Successions``): Exxon in 1987,
ExxonMobil in 2005.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from cleanco import basename

from search.companies.cues import (
    BRACKETED_NAME,
    TICKER_MARK,
    capitalised_after,
    company_context,
    follows_ticker,
    is_all_caps,
    is_place,
    person_before,
)
from search.companies.gazetteer import Company, Successions, bundled_successions, load_all
from search.companies.matcher import (
    EXCLUDE,
    STRONG,
    WEAK,
    GazetteerMatcher,
    Match,
    gazetteer_patterns,
    is_distinctive,
    title_like,
)
from search.companies.organisations import CONNECTORS, TICKER, Mention, names_with_evidence, rejection
from search.companies.ticker_names import headline_name, words_before_ticker

# Legal forms written before a name (Russian, Indonesian, Polish...).
_LEGAL_PREFIXES = {"OAO", "OOO", "ZAO", "PAO", "PJSC", "OJSC", "JSC", "CJSC", "PT", "AO"}

# Words that may follow a company's name without changing which company it is.
_CORPORATE_TAIL = {"Holding", "Holdings", "Group", "Co", "Company", "Corporation", "International"}


def _note_first(positions: dict[str, int], name: str, position: int) -> None:
    """Keep the earliest position of ``name`` (texts in capitals are read last but may come first)."""
    if position < positions.get(name, position + 1):
        positions[name] = position


def _supported_in_capitals(text: str, start: int, end: int, name: str, named: dict[str, int]) -> bool:
    """True when a single word of a text in capitals is a company: a ticker mark ("<CTS>"), a company
    the article names elsewhere, or a word a ticker mark follows."""
    return text[start:end].startswith("<") or name in named or follows_ticker(text, end)


def _as_counted(text: str, match: Match, capitals: bool, named: dict[str, int]) -> Match | None:
    """A gazetteer match as it counts in ``text`` (a weak alias in a company's context counts as
    strong), or None when it does not count."""
    start, end, kind, name = match
    if kind == EXCLUDE:
        return None
    single = " " not in text[start:end]
    if single and person_before(text, start):
        return None  # "Paul E. Lego", "Henry Ford"
    if capitals and single and not _supported_in_capitals(text, start, end, name, named):
        return None  # "SHR 56 CTS": one word in a headline in capitals needs support
    if kind == WEAK and single and capitalised_after(text, end):
        return None  # "Sun Yingsha": part of a longer name
    if kind == WEAK and company_context(text, start, end):
        kind = STRONG  # "Shell said", "shares in Total"
    return Match(start, end, kind, name)


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
        patterns = gazetteer_patterns(companies, self.companies.values())
        self._lookup = {p: name for p, (kind, name) in patterns.items() if kind != EXCLUDE}
        self._folded = {}  # case-folded name -> canonical: names from a headline in capitals, or in another case
        for pattern, name in self._lookup.items():
            self._folded.setdefault(pattern.casefold(), name)
        # Accepted unknown organisations: the distinctive ones are matched wherever they appear.
        self.promoted = frozenset(name for name in promoted if name not in self._lookup)
        for name in self.promoted:
            if is_distinctive(name) and name not in patterns:
                patterns[name] = (STRONG, name)
        self._matcher = GazetteerMatcher(patterns)
        # What names_with_evidence found in texts read before (text -> its names), set by a reader from its
        # parse cache: the search depends on the text alone, not on the gazetteer, and is the costly part.
        self.evidence: dict[str, list] | None = None

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
        while len(words) > 1 and (words[-1] in ("Holding", "Holdings") or words[-1] in CONNECTORS):
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
        names = [self.successions.name_on(name, published)
                 for name, _ in sorted(found.items(), key=lambda item: item[1])]
        return list(dict.fromkeys(names))

    def _names_in(self, text: str, capitals: bool, named: dict[str, int]) -> Iterator[Match]:
        """Gazetteer names and accepted organisations in one text.

        A generator on purpose: ``named`` grows as the caller notes what it yields.
        """
        spans = self._matcher.matches(text)
        for span in spans:
            counted = _as_counted(text, span, capitals, named)
            if counted is not None:
                yield counted
        yield from self._in_another_case(text, capitals, spans)
        if not capitals and self.legal_suffixes:
            # An organisation named with evidence counts in that article even when the corpus has not
            # accepted it (acceptance only adds its bare mentions elsewhere).
            for mention in self._organisations(text, spans):
                yield Match(mention.start, mention.end, STRONG, mention.name)

    def _in_another_case(self, text: str, capitals: bool, spans: list[Match]) -> Iterator[Match]:
        """Names of several words the matches as written (``spans``) missed: in a text in capitals,
        or written in another case ("Mobile Telesystems")."""
        if capitals:
            for start, end, kind, name in self._matcher.in_capitals(text):
                if kind != EXCLUDE and not any(s <= start < e for s, e, _, _ in spans):
                    yield Match(start, end, STRONG, name)
        else:
            lowered = text.lower()
            if len(lowered) == len(text):  # lower() kept every offset
                for start, end, _kind, name in self._matcher.in_lower_case(lowered):
                    if title_like(text[start:end]) and not any(s < end and start < e for s, e, _, _ in spans):
                        yield Match(start, end, STRONG, name)

    def find_candidates(self, text: str, rejected: list[tuple[Mention, str]] | None = None) -> list[Mention]:
        """Return the organisations in ``text`` that the gazetteer does not know (promoted or not);
        the names rejected despite their evidence are added to ``rejected`` with the reason."""
        if not self.legal_suffixes:
            return []
        return [m for m in self._organisations(text, self._matcher.matches(text), rejected) if not m.known]

    def _ticker_mentions(self, text: str, capitals: bool, others: list[str]) -> list[Mention]:
        """Names written with a ticker mark ("Lukens Inc <LUC>", "BROWN GROUP INC <BG>") or in angle
        brackets ("<Biosystems Research Inc>"): companies on that evidence alone."""
        if "<" not in text or not self.legal_suffixes:
            return []
        found = []
        for match in TICKER_MARK.finditer(text):
            if match.group() in self._lookup:
                continue  # the gazetteer knows this ticker: matched with the names
            words, start = words_before_ticker(text, match.start(), capitals)
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

    def _organisations(self, text: str, spans: list[Match],
                       rejected: list[tuple[Mention, str]] | None = None) -> list[Mention]:
        """Organisations named with evidence, unless the gazetteer matched there; names the evidence
        is not enough for go to ``rejected`` with the reason."""
        found: list[Mention] = []
        taken = [(s, e) for s, e, _, _ in spans]  # an exclusion phrase also says "no company here"
        named = self.evidence.get(text) if self.evidence else None
        for start, end, words, evidence in names_with_evidence(text) if named is None else named:
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


def strip_legal_suffixes(name: str) -> str:
    previous = None
    while name and name != previous:
        previous = name
        name = basename(name).strip(" ,.").removesuffix(" Cos")  # "Williams Cos", which cleanco keeps
    return name
