"""The company directory: what the gazetteer says about each company, and its URL slug.

``CompanyDirectory`` answers, for the company pages, what the gazetteer says about a company: its
canonical name, aliases, tickers, URL slug, predecessors and successors.

Slugs: ``company_slug`` is the one slug of a name, the one in the pages' URLs. Two names can have
the same slug ("AT&T" and "AT-T"), and the two users of slugs settle such a clash differently:

- ``numbered_slug``, the directory's rule: every gazetteer company keeps a slug of its own, the
  later ones numbered in gazetteer order ("at-t", "at-t-2"); ``python -m search companies`` shows it;
- ``page_slugs``, the company pages' rule: a slug names the company with most articles, the other
  has no page (the pages link ``company_slug(name)``, never a numbered slug).

The two agree wherever no two names clash.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from search.companies.gazetteer import Company, Succession, Successions, bundled_successions, load_all


def company_slug(name: str) -> str:
    """Return the URL slug of a company name: "Financial Times" -> "financial-times", "AT&T" -> "at-t".

    NFKC, case-folded, every run of characters that are not letters or digits made one dash (so
    "Société Générale" keeps its accents: "société-générale"). It is in URLs: keep its output.
    (``profile.slugify`` is this function; ``article.slugify``, ASCII for ids and file names, is another.)
    """
    text = unicodedata.normalize("NFKC", name).casefold()
    return re.sub(r"[\W_]+", "-", text).strip("-") or "company"


def numbered_slug(base: str, taken: Container[str]) -> str:
    """The directory's rule for a clash: ``base`` if no company has it yet, else ``base-2``,
    ``base-3``... (so every gazetteer company has a slug of its own, in gazetteer order)."""
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def page_slugs(names_by_articles: Iterable[str]) -> dict[str, str]:
    """The company pages' rule for a clash: map each slug to the first of ``names_by_articles``
    (most articles first) that has it; the other names with that slug get no page of their own."""
    found: dict[str, str] = {}
    for name in names_by_articles:
        found.setdefault(company_slug(name), name)
    return found


@dataclass(frozen=True)
class CompanyInfo:
    """What the gazetteer says about one company."""

    name: str  # canonical
    slug: str  # numbered on a clash (``numbered_slug``), unlike the pages' URLs
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
    with the same slug (rare: "AT&T" and "AT-T") are told apart by "-2", "-3" in gazetteer order
    (``numbered_slug``; the company pages settle a clash by articles instead: ``page_slugs``).
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
        slug = numbered_slug(company_slug(name), self._by_slug)
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
