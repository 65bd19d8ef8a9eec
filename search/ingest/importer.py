"""Add an outside collection (a JSON Lines export, a folder of pages) to a corpus folder.

``python -m search import FILE... --corpus DIR --name reuters --source Reuters --map newid=id``
links (or copies) the files into ``DIR/reuters/`` and records in ``DIR/corpus.toml`` which
publication they come from, its time zone and how the export's field names map to the
project's. The next ``python -m search index --corpus DIR`` reads them with the product's own
parsers, like any other article file. Nothing is converted, so nothing is lost.
"""

from __future__ import annotations

import json
import re
import shutil
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from search.config import PROJECT_ROOT
from search.errors import InvalidInput
from search.ingest.corpus import CONFIG_NAME, GAZETTEER_NAME
from search.ingest.corpus_settings import CorpusConfig
from search.ingest.dates import get_zone

BUNDLED_GAZETTEER = PROJECT_ROOT / "corpus" / GAZETTEER_NAME
NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]*")


class ImportProblem(InvalidInput):
    """An import that cannot be done as asked (bad name, missing file, clash)."""


@dataclass
class ImportReport:
    folder: Path
    files: list[Path] = field(default_factory=list)
    config_added: list[str] = field(default_factory=list)
    gazetteer_copied: bool = False

    def lines(self) -> list[str]:
        how = ", ".join(self.config_added) or "nothing new"
        lines = [f"Added {len(self.files)} file(s) to {self.folder}; {CONFIG_NAME}: {how}."]
        if self.gazetteer_copied:
            lines.append(f"Copied the bundled company list to {self.folder.parent / GAZETTEER_NAME} (edit it there).")
        return lines


def _toml_string(value: str) -> str:
    # A JSON string is a valid TOML basic string for everything json.dumps emits (with ensure_ascii).
    return json.dumps(value, ensure_ascii=True)


def import_files(
    files: list[Path],
    corpus_dir: Path,
    name: str,
    source: str,
    timezone: str = "UTC",
    mapping: dict[str, str] | None = None,
    copy: bool = False,
) -> ImportReport:
    """Link or copy ``files`` into ``corpus_dir/name`` and describe them in ``corpus.toml``."""
    if not NAME_PATTERN.fullmatch(name):
        raise ImportProblem(f"--name must be lower-case letters, digits, '.', '_' or '-', not {name!r}")
    if not source.strip():
        raise ImportProblem("--source must name the publication")
    get_zone(timezone)  # raises on an unknown zone name
    missing = [str(f) for f in files if not f.exists()]
    if missing:
        raise ImportProblem(f"no such file: {', '.join(missing)}")

    corpus_dir.mkdir(parents=True, exist_ok=True)
    folder = corpus_dir / name
    folder.mkdir(exist_ok=True)
    report = ImportReport(folder)
    for file in files:
        target = folder / file.name
        if target.exists() or target.is_symlink():
            if target.resolve() == file.resolve():
                report.files.append(target)
                continue
            raise ImportProblem(f"{target} already exists and is another file")
        if copy:
            (shutil.copytree if file.is_dir() else shutil.copy2)(file, target)
        else:
            target.symlink_to(file.resolve())
        report.files.append(target)

    config_path = corpus_dir / CONFIG_NAME
    text = config_path.read_text(encoding="utf-8") if config_path.exists() else 'default_source = "Unknown"\n'
    current = CorpusConfig.from_dict(tomllib.loads(text), origin=str(config_path))
    additions = []
    if not any(name in rule.folders for rule in current.sources):
        additions.append(
            f"\n[[source]]\nname = {_toml_string(source)}\nfolders = [{_toml_string(name)}]\n"
            f"timezone = {_toml_string(timezone)}\n"
        )
        report.config_added.append(f"source {source!r} for folder {name}/")
    if mapping:
        pattern = f"{name}/*"
        if not any(m.files == pattern for m in current.mappings):
            fields = ", ".join(f"{_toml_string(theirs)} = {_toml_string(ours)}" for theirs, ours in mapping.items())
            additions.append(f"\n[[mapping]]\nfiles = {_toml_string(pattern)}\nfields = {{ {fields} }}\n")
            report.config_added.append(f"field mapping for {pattern}")
    if additions or not config_path.exists():
        new_text = text.rstrip("\n") + "\n" + "".join(additions)
        CorpusConfig.from_dict(tomllib.loads(new_text), origin=str(config_path))  # never write a broken file
        config_path.write_text(new_text, encoding="utf-8")

    gazetteer = corpus_dir / GAZETTEER_NAME
    if not gazetteer.exists() and BUNDLED_GAZETTEER.exists() and gazetteer.resolve() != BUNDLED_GAZETTEER:
        shutil.copy2(BUNDLED_GAZETTEER, gazetteer)
        report.gazetteer_copied = True
    return report
