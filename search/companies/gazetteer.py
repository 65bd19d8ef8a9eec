"""The company gazetteer: the admin's file, the bundled reference lists, and dated successions.

Three layers, read in this order (an earlier layer wins where two disagree):

1. ``companies.csv`` in the corpus folder: the admin's own file (name, aliases, weak_aliases,
   tickers, exclude). Its mistakes are errors (a phrase naming two companies).
2. ``corpus/company-lists/*.csv``, bundled with the product: companies compiled from public lists
   (stock-index constituents, exchanges, the largest banks, airlines, carmakers, state-owned
   enterprises...), each file saying where its rows come from, and ``historic.csv``, the names of
   companies that later merged or were renamed. A row whose name the admin's file has only adds
   aliases; a phrase already taken by another company is left out.
3. ``corpus/company-lists/not-companies.txt``: central banks, regulators, public broadcasters,
   stock indices, places... that look like company names and are none.

``corpus/company-lists/successions.csv`` dates mergers and renames ("Exxon, ExxonMobil,
1999-11-30"), so an article is tagged with the name the company had when it was published.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from search.config import PROJECT_ROOT
from search.errors import InvalidInput

BUNDLED_LISTS = PROJECT_ROOT / "corpus" / "company-lists"
NOT_COMPANIES_FILE = "not-companies.txt"
SUCCESSIONS_FILE = "successions.csv"
NOT_COMPANIES = "(not companies)"


class GazetteerError(InvalidInput):
    """The gazetteer file cannot be used as it is."""


@dataclass
class Company:
    """One gazetteer entry."""

    name: str
    aliases: list[str] = field(default_factory=list)
    weak_aliases: list[str] = field(default_factory=list)
    tickers: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    origin: str = ""  # the file it came from (for reports)

    @property
    def phrases_only(self) -> bool:
        """A row named in parentheses, such as ``(not companies)``, is no company: only its
        ``exclude`` phrases are used, to say that names found with a legal suffix or a
        description ("Commodity Credit Corporation", "Public Image Ltd") are not companies."""
        return self.name.startswith("(") and self.name.endswith(")")

    @property
    def name_is_weak(self) -> bool:
        """The name itself is ambiguous ("Shell", "Total"): it counts only as a weak alias."""
        return self.name in self.weak_aliases


def _split(cell: str | None) -> list[str]:
    return [part.strip() for part in (cell or "").split(";") if part.strip()]


def load_gazetteer(path: Path) -> list[Company]:
    """Read one gazetteer CSV (name, aliases, weak_aliases, tickers, exclude; ``#`` lines are comments)."""
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
                    origin=path.name,
                )
            )
    return companies


def load_not_companies(path: Path) -> Company:
    """The phrases of a not-companies list (one a line, ``#`` comments) as one ``(not companies)`` row."""
    phrases = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()
               if line.strip() and not line.lstrip().startswith("#")]
    return Company(NOT_COMPANIES, exclude=phrases, origin=path.name)


def reference_lists(folder: Path = BUNDLED_LISTS) -> list[Company]:
    """The bundled lists: every ``*.csv`` but the successions, then the not-companies phrases."""
    if not folder.is_dir():
        return []
    rows: list[Company] = []
    for path in sorted(folder.glob("*.csv")):
        if path.name != SUCCESSIONS_FILE:
            rows += load_gazetteer(path)
    if (folder / NOT_COMPANIES_FILE).exists():
        rows.append(load_not_companies(folder / NOT_COMPANIES_FILE))
    return rows


def merge(admin: list[Company], lists: list[Company]) -> list[Company]:
    """The admin's rows, then the lists' rows that add something: a company the admin's file names
    gets the lists' aliases it lacks; a phrase another company already has is left out."""
    merged = [Company(c.name, list(c.aliases), list(c.weak_aliases), list(c.tickers), list(c.exclude), c.origin)
              for c in admin]
    by_name = {c.name: c for c in merged if not c.phrases_only}
    owner: dict[str, str] = {}
    for company in merged:
        if not company.phrases_only:
            for phrase in (company.name, *company.aliases, *company.weak_aliases, *company.tickers):
                owner.setdefault(phrase, company.name)
    for row in lists:
        if row.phrases_only:
            merged.append(row)
            continue
        target = by_name.get(row.name)
        if target is None:
            if owner.get(row.name, row.name) != row.name:
                continue  # the admin's file (or an earlier list) uses this name for another company
            target = by_name[row.name] = Company(row.name, origin=row.origin)
            merged.append(target)
            owner[row.name] = row.name
            if row.name_is_weak:
                target.weak_aliases.append(row.name)
        for kind in ("aliases", "weak_aliases", "tickers"):
            have = getattr(target, kind)
            for phrase in getattr(row, kind):
                if (owner.setdefault(phrase, target.name) == target.name and phrase not in have
                        and phrase != target.name):
                    have.append(phrase)
        target.exclude += [phrase for phrase in row.exclude if phrase not in target.exclude]
    return merged


def load_all(path: Path | None, folder: Path = BUNDLED_LISTS) -> list[Company]:
    """The admin's file at ``path`` (if any) merged with the bundled lists."""
    admin = load_gazetteer(path) if path is not None and Path(path).exists() else []
    return merge(admin, reference_lists(folder))


@dataclass(frozen=True)
class Succession:
    predecessor: str
    successor: str
    since: date
    how: str = ""


def _as_date(value) -> date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, datetime) else value


class Successions:
    """Dated mergers and renames: which name a company had on a given day.

    >>> s = Successions([Succession("Exxon", "ExxonMobil", date(1999, 11, 30))])
    >>> s.name_on("Exxon", date(1987, 3, 2)), s.name_on("Exxon", date(2004, 1, 1))
    ('Exxon', 'ExxonMobil')

    A rename (a successor with one predecessor on that day) also works backwards: a 2004 story
    that says "Total" is tagged Total even when the gazetteer files "Total" under TotalEnergies.
    """

    def __init__(self, successions: Iterable[Succession] = ()):
        self.forward: dict[str, list[Succession]] = {}
        self.backward: dict[str, list[Succession]] = {}
        for succession in successions:
            self.forward.setdefault(succession.predecessor, []).append(succession)
            self.backward.setdefault(succession.successor, []).append(succession)
        for chains in (*self.forward.values(), *self.backward.values()):
            chains.sort(key=lambda s: s.since)

    @classmethod
    def from_file(cls, path: Path) -> Successions:
        if not path.exists():
            return cls()
        rows = []
        with open(path, newline="", encoding="utf-8") as handle:
            for number, row in enumerate(csv.DictReader(line for line in handle if not line.startswith("#")), start=2):
                try:
                    rows.append(Succession(row["predecessor"].strip(), row["successor"].strip(),
                                           date.fromisoformat(row["date"].strip()), (row.get("how") or "").strip()))
                except (KeyError, AttributeError, ValueError) as exc:
                    raise GazetteerError(f"{path}:{number}: a succession needs predecessor, successor "
                                         f"and an ISO date ({exc})") from exc
        return cls(rows)

    def name_on(self, name: str, published) -> str:
        """The name ``name``'s company had on ``published`` (a date or datetime; None: ``name``)."""
        day = _as_date(published)
        if day is None:
            return name
        seen = {name}
        while True:
            later = [s for s in self.forward.get(name, ()) if s.since <= day]
            if later:
                name = later[-1].successor
            else:
                renames = [s for s in self.backward.get(name, ()) if s.since > day]
                earliest = renames[0] if renames else None
                if earliest is None or len([s for s in self.backward[name] if s.since == earliest.since]) != 1:
                    return name
                name = earliest.predecessor
            if name in seen:
                return name
            seen.add(name)

    def predecessors(self, name: str) -> list[Succession]:
        """The companies that became ``name`` (not ``name`` itself: "kept its name" rows are markers)."""
        return [s for s in self.backward.get(name, ()) if s.predecessor != name]

    def successors(self, name: str) -> list[Succession]:
        return [s for s in self.forward.get(name, ()) if s.successor != name]


def bundled_successions(folder: Path = BUNDLED_LISTS) -> Successions:
    return Successions.from_file(folder / SUCCESSIONS_FILE)
