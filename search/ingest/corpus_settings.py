"""The corpus folder's own settings (``corpus.toml``): which publication a file comes from,
in which time zone it dates its articles, and how to read exports with other field names.
"""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from search.errors import InvalidInput
from search.ingest.dates import DateError, get_zone

CONFIG_NAME = "corpus.toml"


class CorpusConfigError(InvalidInput):
    """corpus.toml cannot be used as it is."""


@dataclass
class SourceRule:
    """How to recognise one publication when a record does not name it."""

    name: str
    domains: list[str] = field(default_factory=list)
    folders: list[str] = field(default_factory=list)
    zone_name: str = "UTC"
    zone: tzinfo = UTC

    def matches_url(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        return any(host == d or host.endswith("." + d) for d in self.domains)

    def matches_path(self, relative_path: str) -> bool:
        parts = PurePosixPath(relative_path).parts[:-1]
        return any(folder in parts for folder in self.folders)


@dataclass
class FieldMapping:
    """Field names of an export (``text`` -> ``body``) for the files that match ``files``."""

    files: str
    fields: dict[str, str]


@dataclass
class CorpusConfig:
    sources: list[SourceRule] = field(default_factory=list)
    mappings: list[FieldMapping] = field(default_factory=list)
    default_source: str = "Unknown"

    @classmethod
    def load(cls, corpus_dir: Path) -> CorpusConfig:
        """Read ``corpus.toml`` from ``corpus_dir``; a corpus without one gets the defaults."""
        path = Path(corpus_dir) / CONFIG_NAME
        if not path.exists():
            return cls()
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise CorpusConfigError(f"{path}: {exc}") from exc
        return cls.from_dict(data, str(path))

    @classmethod
    def from_dict(cls, data: dict, origin: str = CONFIG_NAME) -> CorpusConfig:
        sources = []
        for entry in data.get("source", []):
            if "name" not in entry:
                raise CorpusConfigError(f"{origin}: every [[source]] needs a name")
            try:
                zone = get_zone(entry.get("timezone", "UTC"))
            except DateError as exc:
                raise CorpusConfigError(f"{origin}: source {entry['name']!r}: {exc}") from exc
            sources.append(
                SourceRule(
                    name=entry["name"],
                    domains=[d.lower() for d in entry.get("domains", [])],
                    folders=list(entry.get("folders", [])),
                    zone_name=entry.get("timezone", "UTC"),
                    zone=zone,
                )
            )
        mappings = []
        for entry in data.get("mapping", []):
            if "files" not in entry or not isinstance(entry.get("fields"), dict):
                raise CorpusConfigError(f"{origin}: every [[mapping]] needs files and a fields table")
            mappings.append(FieldMapping(files=entry["files"], fields=dict(entry["fields"])))
        return cls(sources=sources, mappings=mappings, default_source=data.get("default_source", "Unknown"))

    def resolve_source(self, named: str | None, url: str, relative_path: str) -> SourceRule:
        """Return the publication: as the record names it, else by URL domain, else by folder."""
        if named:
            for rule in self.sources:
                if rule.name.casefold() == named.strip().casefold():
                    return rule
            return SourceRule(name=named.strip())
        for rule in self.sources:
            if url and rule.matches_url(url):
                return rule
        for rule in self.sources:
            if rule.matches_path(relative_path):
                return rule
        return SourceRule(name=self.default_source)

    def mapping_for(self, relative_path: str) -> dict[str, str]:
        """Return the field mapping that applies to a file (later entries win)."""
        fields: dict[str, str] = {}
        for mapping in self.mappings:
            if fnmatch.fnmatch(relative_path, mapping.files):
                fields.update(mapping.fields)
        return fields

    def mapping_origins(self, relative_path: str) -> dict[str, str]:
        """Return, per field name mapped for a file, the ``files`` pattern of the mapping that maps it."""
        origins: dict[str, str] = {}
        for mapping in self.mappings:
            if fnmatch.fnmatch(relative_path, mapping.files):
                origins.update(dict.fromkeys(mapping.fields, mapping.files))
        return origins
