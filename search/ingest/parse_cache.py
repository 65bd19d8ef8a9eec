"""The parse cache: what parsing a corpus file gave, kept beside the index and keyed by the file's checksum.

A rebuild after a gazetteer, ``corpus.toml`` or schema change reads unchanged files from here instead of
parsing them again (HTML pages and crawls parse slowly). An entry holds a file's drafts and problems as the
format parsers made them (before sources, dates and companies are resolved, which those changes affect) and
what its mapped fields held (``FieldCount`` numbers). A second kind of entry holds the file's counts of
unknown organisations (``CandidateCounter``), keyed also by the gazetteer and the companies code.

A key is a digest of everything that shapes an entry: the file's checksum and path, the field mapping, the
article size limit, ``PARSER_VERSION`` and the source of the parsing (or counting) code. Entries are written
atomically (a temporary file renamed) with a digest of their bytes; an entry that is unreadable, damaged or of
another format is a miss, deleted and written again: a cache never fails a build. ``prune`` keeps only the
entries the last build used, so the cache holds the corpus's files, not their history.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from search import config

# Raise when a format parser changes what it makes of a file (its drafts or problems): every entry is read again.
PARSER_VERSION = 1
_MAGIC = b"archive-parse-cache 1\n"
_DIGEST_BYTES = 16
FRAME_DRAFTS = 512  # drafts pickled together: one pickle per article costs more than the parse of a short one

_PACKAGE = Path(__file__).resolve().parent.parent  # search/


def _source_digest(*folders: str) -> str:
    """A digest of the Python source the entries depend on: an edited parser never serves stale drafts,
    even when ``PARSER_VERSION`` was not raised."""
    digest = hashlib.sha256()
    for folder in folders:
        base = _PACKAGE / folder
        paths = sorted(base.glob("*.py")) if base.is_dir() else [base]
        for path in paths:
            try:
                digest.update(path.name.encode())
                digest.update(path.read_bytes())
            except OSError:
                digest.update(b"-")
    return digest.hexdigest()


PARSER_SOURCE = _source_digest("ingest/formats", "ingest/corpus.py", "article.py", "text/repair.py")
COMPANIES_SOURCE = _source_digest("companies")


@dataclass
class CacheStats:
    """What the cache did in one build (the build's report)."""

    hits: int = 0  # lookups of a file's drafts answered by the cache
    misses: int = 0  # files parsed (and then written to the cache)
    parsed: set = field(default_factory=set)  # the files parsed by this build (their relative paths)
    cached: set = field(default_factory=set)  # the files whose drafts were read from the cache
    damaged: int = 0  # entries that could not be read: deleted, the file parsed again
    count_hits: int = 0  # files whose organisation counts came from the cache
    pruned: int = 0  # entries of files no longer in the corpus, deleted

    def line(self) -> str:
        damaged = f", {self.damaged} damaged entr{'y' if self.damaged == 1 else 'ies'} replaced" if self.damaged else ""
        cached = len(self.cached - self.parsed)  # not those this build parsed, cached, and read again
        return (f"Parse cache: {cached} file{'' if cached == 1 else 's'} read from the cache, "
                f"{len(self.parsed)} parsed{damaged}.")


def cache_setting(index_root: Path) -> Path | None:
    """``ARCHIVE_PARSE_CACHE``: the cache's folder; empty: ``.parse-cache`` in the index folder; ``off``: none."""
    value = config.get("PARSE_CACHE").strip()
    if value.lower() == "off":
        return None
    return config.get_path("PARSE_CACHE") if value else Path(index_root) / ".parse-cache"


class ParseCache:
    """A folder of entries, each one file's parse (or organisation counts), by key."""

    def __init__(self, folder: Path | None):
        self.folder = Path(folder) if folder is not None else None
        self.stats = CacheStats()
        self.used: set[str] = set()

    @property
    def enabled(self) -> bool:
        return self.folder is not None

    @staticmethod
    def key(*parts: object) -> str:
        """The digest of what an entry depends on (texts, numbers, a mapping as sorted JSON)."""
        return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode("utf-8")).hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / key

    def load(self, key: str) -> list | None:
        """The entry's frames (each a list of objects), or None when there is none or it is damaged."""
        if self.folder is None:
            return None
        self.used.add(key)
        path = self._path(key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        try:
            if not data.startswith(_MAGIC):
                raise ValueError("not an entry of this format")
            start = len(_MAGIC) + _DIGEST_BYTES
            if hashlib.blake2b(data[start:], digest_size=_DIGEST_BYTES).digest() != data[len(_MAGIC):start]:
                raise ValueError("digest differs")
            frames = []
            view = memoryview(data)
            position = start
            while position < len(data):
                size = int.from_bytes(view[position:position + 8], "little")
                position += 8
                frames.append(pickle.loads(view[position:position + size]))
                position += size
            return frames
        except Exception:  # a damaged entry is a miss, never a failed build
            self.stats.damaged += 1
            try:
                path.unlink()
            except OSError:
                pass
            return None

    def store(self, key: str, frames: list) -> None:
        """Write an entry atomically; a full disk or an unwritable folder only leaves it out."""
        if self.folder is None:
            return
        self.used.add(key)
        path = self._path(key)
        try:
            chunks = []
            for frame in frames:
                payload = pickle.dumps(frame, protocol=pickle.HIGHEST_PROTOCOL)
                chunks.append(len(payload).to_bytes(8, "little"))
                chunks.append(payload)
            body = b"".join(chunks)
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(_MAGIC)
                    out.write(hashlib.blake2b(body, digest_size=_DIGEST_BYTES).digest())
                    out.write(body)
                os.replace(temporary, path)
            except BaseException:
                try:
                    os.unlink(temporary)
                except OSError:
                    pass
                raise
        except (OSError, pickle.PicklingError):
            pass

    def prune(self) -> None:
        """Delete every entry (and any temporary file) this cache did not use since it was opened."""
        if self.folder is None or not self.folder.is_dir():
            return
        for sub in self.folder.iterdir():
            if not sub.is_dir():
                continue
            for path in sub.iterdir():
                if path.name not in self.used:
                    try:
                        path.unlink()
                        self.stats.pruned += not path.name.startswith(".tmp-")
                    except OSError:
                        pass
