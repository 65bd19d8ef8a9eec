"""A company as a first-class object: what the archive knows about one company.

The counts come from the engine (``engines/flow.py`` ``company_profile``: its articles per year, the
other companies named in them, the sources that wrote them); names, aliases, tickers and successions
come from the gazetteer (``companies.csv`` in the corpus folder, read once and again when it changes).
Companies are addressed by a slug of their name (``/company/financial-times``, ``company_slug``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from search.companies.directory import CompanyDirectory, CompanyInfo
from search.companies.gazetteer import GazetteerError
from search.results import CompanyProfile

CO_MENTIONED = 12  # other companies listed
SOURCES = 12


def with_gazetteer(profile: CompanyProfile, entry: CompanyInfo | None) -> CompanyProfile:
    """Fill in what the gazetteer says: aliases, tickers, the companies it came from and became."""
    if entry is not None:
        profile.aliases = list(entry.aliases)
        profile.tickers = list(entry.tickers)
        profile.predecessors = list(entry.predecessors)
        profile.successors = list(entry.successors)
    return profile


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
