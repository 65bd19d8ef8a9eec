"""A company as a first-class object: what the archive knows about one company.

Everything comes from the open index's facet arrays (``facets.py``), so a profile costs a few
numpy operations whatever the archive's size: the articles that name the company (its mask in
the company column), their count per year, the other companies named in those articles, the
sources that wrote them. Names, aliases and tickers come from the gazetteer
(``companies.csv`` in the corpus folder, read once and again when it changes). Companies are addressed by a slug of their name
(``/company/financial-times``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from search.companies.directory import CompanyDirectory, CompanyInfo
from search.companies.directory import company_slug as slugify  # the one slug of a name, the directory's too
from search.companies.directory import page_slugs
from search.engines.whoosh.facets import FacetIndex
from search.companies.gazetteer import GazetteerError, Succession

CO_MENTIONED = 12  # other companies listed
SOURCES = 12


@dataclass
class CompanyProfile:
    name: str
    slug: str
    aliases: list[str] = field(default_factory=list)
    tickers: list[str] = field(default_factory=list)
    articles: int = 0  # live articles naming it
    undated: int = 0
    by_year: list[tuple[int, int]] = field(default_factory=list)  # every year from the first to the last
    co_mentioned: list[tuple[str, int]] = field(default_factory=list)  # most often named in the same articles
    sources: list[tuple[str, int]] = field(default_factory=list)
    predecessors: list[Succession] = field(default_factory=list)  # "Exxon" and "Mobil" for ExxonMobil
    successors: list[Succession] = field(default_factory=list)  # "ExxonMobil" for Exxon


def with_gazetteer(profile: CompanyProfile, entry: CompanyInfo | None) -> CompanyProfile:
    """Fill in what the gazetteer says: aliases, tickers, the companies it came from and became."""
    if entry is not None:
        profile.aliases = list(entry.aliases)
        profile.tickers = list(entry.tickers)
        profile.predecessors = list(entry.predecessors)
        profile.successors = list(entry.successors)
    return profile


def slugs(facets: FacetIndex) -> dict[str, str]:
    """Map each slug to the company name it stands for (the name with most articles on a clash:
    ``directory.page_slugs``)."""
    column = facets.columns["company"]
    counts = column.count(facets.live)
    return page_slugs(column.values[index] for index in np.argsort(-counts, kind="stable") if counts[index])


def directory(corpus_dir: Path | None) -> CompanyDirectory | None:
    """The gazetteer of ``corpus_dir`` as a CompanyDirectory, read again only when the file changes."""
    path = corpus_dir / "companies.csv" if corpus_dir is not None else None  # merged with the bundled lists
    try:
        modified = path.stat().st_mtime_ns if path is not None and path.exists() else 0
        return _directory(str(path) if path is not None else "", modified)
    except (GazetteerError, OSError):
        return None


@lru_cache(maxsize=4)
def _directory(path: str, modified_ns: int) -> CompanyDirectory:
    return CompanyDirectory.from_file(Path(path) if path else None)


def build_profile(facets: FacetIndex, name: str, entry: CompanyInfo | None) -> CompanyProfile:
    """Count what the archive says about ``name`` (a value of the company facet)."""
    column = facets.columns["company"]
    mask = column.mask_for((name,))
    mask = mask & facets.live if mask is not None else np.zeros(facets.doc_count, dtype=bool)
    profile = with_gazetteer(CompanyProfile(name=name, slug=slugify(name)), entry)
    profile.articles = int(mask.sum())
    years = facets.year[mask]
    profile.undated = int((years == 0).sum())
    dated = years[years > 0]
    if len(dated):
        first, last = int(dated.min()), int(dated.max())
        counts = np.bincount(dated - first, minlength=last - first + 1)
        profile.by_year = [(first + i, int(n)) for i, n in enumerate(counts)]
    profile.co_mentioned = _top(column.values, column.count(mask), CO_MENTIONED, skip=name)
    sources = facets.columns["source"]
    profile.sources = _top(sources.values, sources.count(mask), SOURCES)
    return profile


def _top(values: list[str], counts: np.ndarray, limit: int, skip: str = "") -> list[tuple[str, int]]:
    order = np.lexsort((np.arange(len(values)), -counts))
    return [(values[i], int(counts[i])) for i in order if counts[i] and values[i] != skip][:limit]
