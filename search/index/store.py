"""Where built indexes live, and how a new one replaces the old one atomically.

    index/
      current -> build-20261128T140501-8f3a      symlink: the index being served
      build-20261128T140501-8f3a/                a finished build: Whoosh files + manifest.json
      .tmp-20261128T141010-4242/                 a build in progress (removed if it fails)
      .build.lock                                held (flock) while a build runs

A build is checked before it is published (``publish``'s ``check``: opened as a server opens it, its
article count against the manifest's), and the SHA-256 of each of its files is recorded in its manifest
(``checksums``); a server checks them again when it opens the build (``verify``) and refuses a build
whose files were changed, truncated or removed since, keeping the one it serves (``engines/flow.py``).

A build is written into a temporary folder and published by renaming it and then replacing the
``current`` symlink with ``rename(2)``, which is atomic: a reader sees the old index or the new
one, never half of one. A build that fails or is killed leaves ``current`` untouched. The lock is
an ``flock``, which the kernel releases when the process dies, so a killed build leaves no stale lock.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from search.errors import BuildError, IndexDamaged
from search.results import Credit

CURRENT = "current"
BUILD_PREFIX = "build-"
TMP_PREFIX = ".tmp-"
LOCK_NAME = ".build.lock"
MANIFEST_NAME = "manifest.json"
KEEP_BUILDS = 2  # the current build and the one before, for readers still holding it open
CHECKSUMS = "checksums"  # the manifest's entry: file name -> SHA-256 of its bytes
# A check run on a finished build before it is published (build folder, its manifest); it raises if the
# build cannot be served.
PublishCheck = Callable[[Path, dict], None]


class FileCredits:
    """The sources and licences of one corpus file's articles, counted while it is indexed (its manifest entry)."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, str], int] = {}
        self.sites: dict[tuple[str, str], str] = {}

    def add(self, article) -> None:
        key = (article.source, article.license)
        self.counts[key] = self.counts.get(key, 0) + 1
        if not self.sites.get(key) and article.url:
            parts = urlsplit(article.url)
            self.sites[key] = f"{parts.scheme}://{parts.netloc}/"

    def entries(self) -> list[list]:
        return [[source, license, count, self.sites.get((source, license), "")]
                for (source, license), count in self.counts.items()]


def merge_credits(file_entries) -> list[dict]:
    """The build's credits from its files' entries: one per source and licence, most articles first."""
    counts: dict[tuple[str, str], int] = {}
    sites: dict[tuple[str, str], str] = {}
    for entry in file_entries:
        for source, license, count, site in entry.get("credits", []):
            counts[source, license] = counts.get((source, license), 0) + count
            if site and not sites.get((source, license)):
                sites[source, license] = site
    ordered = sorted(counts, key=lambda key: (-counts[key], key))
    return [{"source": source, "license": license, "articles": counts[source, license],
             "site": sites.get((source, license), "")} for source, license in ordered]


def credits_of(manifest: dict) -> list[Credit]:
    """The credits a build's manifest records ([] for a build made before they were recorded)."""
    return [Credit(str(c["source"]), str(c.get("license", "")), int(c.get("articles", 0)), str(c.get("site", "")))
            for c in manifest.get("credits", [])]


class BuildBusy(BuildError):
    """Another index build holds the lock."""


class IndexStore:
    """The folder of index builds (``ARCHIVE_INDEX_DIR``)."""

    def __init__(self, root: Path):
        self.root = Path(root)

    @property
    def current_link(self) -> Path:
        return self.root / CURRENT

    def current(self) -> Path | None:
        """Return the folder of the index being served, or None if none was built yet."""
        link = self.current_link
        if not link.is_symlink() and not link.is_dir():
            return None
        target = link.resolve()
        return target if target.is_dir() else None

    def generation(self) -> str:
        """Return a name that changes whenever a new build is published ("" if none)."""
        try:
            return os.readlink(self.current_link)
        except OSError:
            return ""

    def manifest(self, build: Path | None = None) -> dict:
        """Return the manifest of a build (default: the current one), or {} if it has none."""
        build = build or self.current()
        if build is None:
            return {}
        try:
            return json.loads((build / MANIFEST_NAME).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    @contextmanager
    def lock(self):
        """Hold the build lock; raise BuildBusy at once if another build holds it."""
        self.root.mkdir(parents=True, exist_ok=True)
        handle = open(self.root / LOCK_NAME, "a+")
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno in (errno.EAGAIN, errno.EACCES):
                    raise BuildBusy(f"another index build is running in {self.root}") from exc
                raise
            handle.seek(0)
            handle.truncate()
            handle.write(str(os.getpid()))
            handle.flush()
            yield
        finally:
            handle.close()  # closing releases the flock

    def remove_stale_builds(self) -> list[Path]:
        """Delete temporary folders left by builds that died (call with the lock held)."""
        removed = []
        for path in self.root.glob(TMP_PREFIX + "*"):
            if path.is_symlink():  # the new `current` link of a build killed while publishing
                path.unlink(missing_ok=True)  # (rmtree refuses symlinks, silently with ignore_errors)
            else:
                shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
        return removed

    def new_build_dir(self) -> Path:
        """Create and return an empty temporary folder for a build."""
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / f"{TMP_PREFIX}{_stamp()}-{os.getpid()}"
        path.mkdir()
        return path

    def copy_current(self) -> Path:
        """Return a temporary copy of the current build to update (hard links where possible).

        Whoosh never rewrites a file it has written (new segments and tables of contents get new
        names), so linking instead of copying is safe and costs no disk.
        """
        current = self.current()
        if current is None:
            raise FileNotFoundError("no index to update")
        target = self.new_build_dir()
        for item in current.iterdir():
            if item.name.endswith("_WRITELOCK") or item.name == MANIFEST_NAME:
                continue
            try:
                os.link(item, target / item.name)
            except OSError:
                shutil.copy2(item, target / item.name)
        return target

    def verify(self, build: Path, names: tuple[str, ...] | None = None) -> dict:
        """Check a published build before it is served and return its manifest: the manifest readable,
        and each file it has a checksum for (or only those of ``names``) present with the same bytes.
        A build published before checksums were recorded is only checked for its manifest.
        Raise IndexDamaged with the reason."""
        try:
            manifest = json.loads((build / MANIFEST_NAME).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise IndexDamaged(f"build {build.name} has no {MANIFEST_NAME}") from None
        except (OSError, ValueError) as exc:
            raise IndexDamaged(f"build {build.name}: {MANIFEST_NAME} is not readable ({exc})") from None
        if not isinstance(manifest, dict):
            raise IndexDamaged(f"build {build.name}: {MANIFEST_NAME} is not a JSON object")
        recorded = manifest.get(CHECKSUMS, {})
        for name in sorted(recorded) if names is None else [n for n in names if n in recorded]:
            try:
                found = file_sha256(build / name)
            except FileNotFoundError:
                raise IndexDamaged(f"build {build.name}: file {name} is missing") from None
            except OSError as exc:
                raise IndexDamaged(f"build {build.name}: file {name} is not readable ({exc.strerror or exc})") from None
            if found != recorded[name]:
                raise IndexDamaged(f"build {build.name}: file {name} has changed since the build was published "
                                   "(its checksum differs)")
        return manifest

    def publish(self, build_dir: Path, manifest: dict, check: PublishCheck | None = None) -> Path:
        """Make ``build_dir`` the current index and return its final path.

        ``check(build_dir, manifest)`` runs first (it raises if the build cannot be served: nothing is
        published); then the checksum of each of its files is recorded in the manifest."""
        if check is not None:
            check(build_dir, manifest)
        manifest[CHECKSUMS] = {item.name: file_sha256(item) for item in sorted(build_dir.iterdir())
                               if item.is_file() and item.name != MANIFEST_NAME
                               and not item.name.endswith("_WRITELOCK")}
        (build_dir / MANIFEST_NAME).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        _fsync_dir(build_dir)
        previous = Path(self.generation()).name
        final = self.root / f"{BUILD_PREFIX}{_stamp()}-{os.getpid()}"
        os.rename(build_dir, final)
        temporary_link = self.root / f"{TMP_PREFIX}link-{os.getpid()}"
        if temporary_link.is_symlink():
            temporary_link.unlink()
        os.symlink(final.name, temporary_link)
        os.rename(temporary_link, self.current_link)  # atomic replacement of the symlink
        _fsync_dir(self.root)
        self._prune(previous)
        return final

    def record_files(self, build: Path, names: list[str], entries: dict | None = None) -> None:
        """Record the checksums of files added to a published build (and ``entries`` in its manifest), the
        manifest replaced atomically; call with the lock held."""
        manifest = self.manifest(build)
        manifest.setdefault(CHECKSUMS, {}).update({name: file_sha256(build / name) for name in sorted(names)})
        manifest.update(entries or {})
        temporary = build / (MANIFEST_NAME + ".tmp")
        temporary.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        os.replace(temporary, build / MANIFEST_NAME)

    def discard(self, build_dir: Path) -> None:
        """Remove an unfinished build."""
        shutil.rmtree(build_dir, ignore_errors=True)

    def _prune(self, previous: str = "") -> None:
        # Compared by name: current() is resolved, the glob is not (a relative or symlinked root).
        current = Path(self.generation()).name
        older = [b for b in self.root.glob(BUILD_PREFIX + "*") if b.name != current]
        # Keep the build served until now (readers may hold it), then the newest (names start with the
        # build time); not a build renamed but never linked by a build killed while publishing.
        older.sort(key=lambda p: (p.name == previous, p.name), reverse=True)
        for build in older[KEEP_BUILDS - 1 :]:
            shutil.rmtree(build, ignore_errors=True)


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes (1.7 GB/s on one core of the development machine)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _stamp() -> str:
    now = time.time()
    return time.strftime("%Y%m%dT%H%M%S", time.gmtime(now)) + f"{int(now * 1000) % 1000:03d}"


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
