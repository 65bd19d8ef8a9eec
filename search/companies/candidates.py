"""Counting unknown organisations across a corpus.

When at least ``MIN_ARTICLES`` articles of the corpus give evidence for an organisation
(``CandidateCounter``, run by ``CorpusReader`` before the articles are built), its bare mentions
count too. ``python -m search companies --candidates`` lists them, and the names rejected despite
their evidence, for the admin to review.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from search.companies.organisations import CONTEXT, Mention

if TYPE_CHECKING:
    from search.companies.extractor import CompanyExtractor

# An unknown organisation becomes a company when this many articles give evidence for it
# (a legal suffix or a description). A name found in one article only is much more often no
# company (a band: "Public Image Ltd", a club: "Notts Co", a person, a public body, a film) than
# one found in two or more; three would only drop more real companies. The measurements behind
# this (issue 7) belong in docs/, with the other company figures.
MIN_ARTICLES = 2

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[\"“(]?[A-Z0-9])|\n")


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
        sentence = (("…" if first else "") + sentence[first : first + limit].strip()
                    + ("…" if first + limit < len(sentence) else ""))
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

    def state(self) -> tuple:
        """What was counted, without the extractor: kept by the parse cache, added by ``merge``."""
        return self.found, self.rejected, self.reasons, self.articles

    def merge(self, state: tuple) -> None:
        """Add the counts of the articles that follow (``state`` of a counter fed them), as if fed here."""
        found, rejected, reasons, articles = state
        self.articles += articles
        for mine, theirs in ((self.found, found), (self.rejected, rejected)):
            for name, other in theirs.items():
                entry = mine.get(name)
                if entry is None:
                    mine[name] = entry = Candidate(name)
                entry.articles += other.articles
                entry.mentions += other.mentions
                entry.evidence.update(other.evidence)
                entry.forms.update(other.forms)
                entry.examples.extend(other.examples[: max(0, self.max_examples - len(entry.examples))])
        for name, reason in reasons.items():
            self.reasons.setdefault(name, reason)

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
