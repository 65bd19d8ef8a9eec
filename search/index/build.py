"""Build the Whoosh index from a corpus folder: in full, or incrementally by file checksum.

Both ways write into a temporary folder and publish it atomically (see ``search/index/store.py``),
so a failed, interrupted or disk-full build leaves the previous index serving.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from tqdm import tqdm
from whoosh import index as whoosh_index
from whoosh import multiproc
from whoosh.writing import SegmentWriter

from search import config
from search.companies.gazetteer import BUNDLED_LISTS
from search.engines.backend import write_derived_arrays
from search.errors import BuildError
from search.index import nearduplicates
from search.index.schema import SCHEMA_VERSION, article_to_document, build_schema
from search.index.store import FileCredits, IndexStore, merge_credits
from search.index.vocabulary import Vocabulary, words_of
from search.index.writers import FastSegmentWriter
from search.ingest.corpus import (
    GAZETTEER_NAME,
    CorpusReader,
    FileResult,
    Problem,
    ReadSummary,
    file_checksum,
    list_corpus_files,
    max_article_setting,
)
from search.ingest.corpus_settings import CONFIG_NAME
from search.ingest.formats.jsonlines import FieldTally
from search.ingest.parse_cache import CacheStats, ParseCache, cache_setting

INDEX_NAME = "MAIN"
# A step run on a finished build before it is published: (build folder, its manifest, the served build's manifest).
BeforePublish = Callable[[Path, dict, dict], None]


class BuildFailed(BuildError):
    """A build that did not produce the whole index; nothing was published."""


_stop_requested = threading.Event()


def request_stop() -> None:
    """Ask the running build not to publish. Called by the CLI's signal handler, which also raises
    KeyboardInterrupt; but Python swallows an exception raised where it cannot propagate (a finaliser,
    logging's fork handlers: "Exception ignored in ..."), so the build checks this flag before publishing."""
    _stop_requested.set()


def _check_stop() -> None:
    if _stop_requested.is_set():
        raise KeyboardInterrupt


check_stop = _check_stop  # for steps run inside a build (manticore/loader.py)


def _die_with_parent() -> None:
    """Make this (writer) process die when the build command dies, and leave Ctrl-C to the command.

    Without this, writers of a command killed alone (the OOM killer, `kill PID`) wait for work
    forever, holding the build lock they inherited, so every later build is refused as busy.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the command's handler, inherited by fork
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)  # blocked by _writer_task_start
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG (Linux)
    except (AttributeError, OSError):
        pass
    if os.getppid() == 1:  # the parent died before the line above
        os._exit(1)


_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}
class _WriterTask(multiproc.SubWriterTask):
    """One of Whoosh's writer processes, made to behave as a build's part: it dies with the build, starts
    with Ctrl-C and SIGTERM held back, and reports a full disk in one line."""

    def start(self):
        """Fork with Ctrl-C and SIGTERM held back, so that none reaches the new writer before it has
        set its own handlers (it would print the command's KeyboardInterrupt as a traceback)."""
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
        try:
            return super().start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)

    def run(self):
        _die_with_parent()
        try:
            return self._write()
        except OSError as exc:  # a full disk: one line, not a traceback; the command reports the failure
            print(f"{self.name}: {exc.strerror or exc}", file=sys.stderr)
            sys.exit(1)


    def _write(self):
        """Whoosh's SubWriterTask.run (multisegment), writing with a FastSegmentWriter."""
        ix = self.storage.open_index(self.indexname)
        writer = self.writer = FastSegmentWriter(ix, _lk=False, **self.kwargs)
        while self.running:
            jobinfo = self.jobqueue.get()
            if jobinfo is None:
                break
            self._process_file(*jobinfo)
        if not self.running:
            writer.cancel()
            return
        fieldnames = writer.pool.fieldnames
        segment = writer._finalize_segment()
        self.resultqueue.put((None, fieldnames, segment), timeout=5)


class _ProcessWriter(multiproc.MpWriter):
    """Whoosh's multi-process writer with ``_WriterTask`` processes (no patching of Whoosh itself)."""

    def _new_task(self):
        task = _WriterTask(self.storage, self.indexname, self.jobqueue, self.resultqueue, self.subargs,
                           self.multisegment)
        self.tasks.append(task)
        task.start()
        return task


def _abandon(writer) -> None:
    """Cancel a writer; stop its worker processes (Whoosh's MpWriter.cancel leaves them waiting)."""
    for task in getattr(writer, "tasks", []):
        if task.is_alive():
            task.terminate()
        task.join(5)
    queue = getattr(writer, "jobqueue", None)
    if queue is not None:
        queue.cancel_join_thread()  # do not wait at exit to hand batches to processes that are gone
    try:
        writer.cancel()
    except Exception:  # already committed in part: its files go with the discarded build folder
        pass


# ARCHIVE_INDEX_MEMORY_MB, shared by the writer processes: the postings each sorts in memory before it
# spills a sorted run to disk. At 23k articles two writers at 128 MB each spilled and merged runs, which
# cost a quarter of their time; at 256 MB each, none (docs/benchmarks.md#indexing).
# Segments are written as separate files (compound=False): Whoosh reads a compound segment through
# a BytesIO copy of each part, so every searcher (one per thread) held a private copy of the index
# (its size: docs/benchmarks.md); separate files are read from the shared page cache.
# A full build hands batches of documents to this many writer processes, each writing its own
# segment (Whoosh's multisegment MpWriter): parsing in this process overlaps with indexing there.
BATCH_SIZE = 500


@dataclass
class BuildReport:
    """What a build did, for the command line and the manifest."""

    mode: str  # "full" or "incremental"
    summary: ReadSummary
    seconds: float = 0.0
    index_path: Path | None = None
    documents: int = 0
    files_added: int = 0
    files_changed: int = 0
    files_removed: int = 0
    files_unchanged: int = 0
    files_reread: int = 0  # unchanged files read again: an article id they share with another file changed hands
    note: str = ""
    duplicate_groups: int = 0  # groups of near-duplicate articles (nearduplicates.py)
    duplicates: int = 0  # articles in them
    derived: dict = field(default_factory=dict)  # the derived arrays written: {"seconds", "bytes"}
    fields: FieldTally | None = None  # what the mapped fields held in the records read (the reader's tally)
    cache: CacheStats | None = None  # files read from the parse cache, files parsed

    @property
    def articles_per_second(self) -> float:
        return self.summary.articles / self.seconds if self.seconds else 0.0

    def lines(self, max_problems: int = 50) -> list[str]:
        """Return the human summary printed at the end of a build."""
        s = self.summary
        out = []
        if self.note:
            out.append(self.note)
        if self.mode == "incremental":
            reread = (f" ({self.files_reread} of them read again: an article id they share with another file "
                      "changed hands)" if self.files_reread else "")
            out.append(
                f"Files: {self.files_added} added, {self.files_changed} changed, "
                f"{self.files_removed} removed, {self.files_unchanged} unchanged{reread}."
            )
        out.append(
            f"Indexed {s.articles} articles from {s.files} files in {self.seconds:.1f} s "
            f"({self.articles_per_second:.0f} articles/s); the index holds {self.documents} articles."
        )
        if self.cache is not None and (self.cache.hits or self.cache.misses):
            out.append(self.cache.line())
        if s.skipped:
            reasons = ", ".join(f"{kind}: {count}" for kind, count in s.skipped.most_common())
            out.append(f"Skipped {s.skipped_count} ({reasons}).")
        else:
            out.append("Skipped 0.")
        if s.warnings:
            reasons = ", ".join(f"{kind}: {count}" for kind, count in s.warnings.most_common())
            out.append(f"Warnings {sum(s.warnings.values())} ({reasons}).")
        if self.derived:
            written = self.derived
            out.append(f"Derived arrays: {written['bytes'] / 1e6:.1f} MB written in {written['seconds']:.1f} s.")
        if self.duplicate_groups:
            out.append(f"Near-duplicates: {self.duplicates} articles in {self.duplicate_groups} groups.")
        for problem in s.problems[:max_problems]:
            out.append(f"  {problem}")
        if len(s.problems) > max_problems:
            out.append(f"  ... and {len(s.problems) - max_problems} more")
        return out


def settings_checksum(corpus_dir: Path, lists_dir: Path = BUNDLED_LISTS) -> str:
    """Return a checksum of what shapes every article: the gazetteer and the bundled company lists
    beside it, corpus.toml, the schema, the size limit of an article."""
    digest = hashlib.sha256(f"schema {SCHEMA_VERSION} max article bytes {max_article_setting()}".encode())
    for name in (GAZETTEER_NAME, CONFIG_NAME):
        path = Path(corpus_dir) / name
        digest.update(name.encode())
        digest.update(file_checksum(path).encode() if path.exists() else b"-")
    for path in sorted(Path(lists_dir).glob("*")) if Path(lists_dir).is_dir() else ():
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(file_checksum(path).encode())
    return digest.hexdigest()


def build_index(
    corpus_dir: Path,
    index_root: Path,
    mapping: dict[str, str] | None = None,
    progress: bool | None = None,
    procs: int | None = None,
    before_publish: BeforePublish | None = None,
) -> BuildReport:
    """Rebuild the whole index from ``corpus_dir`` and publish it (``procs`` writer processes).

    ``before_publish(build_dir, manifest, served_manifest)`` runs on the finished build just before it
    is published (the Manticore loader); it may add to the manifest, and if it raises, nothing is published."""
    procs = config.get_int("INDEX_PROCS", high=64) if procs is None else procs
    store = IndexStore(index_root)
    started = time.perf_counter()
    with store.lock():
        store.remove_stale_builds()
        reader = CorpusReader(corpus_dir, mapping=mapping, cache=ParseCache(cache_setting(index_root)), procs=procs)
        files = list(list_corpus_files(Path(corpus_dir)))
        report = BuildReport(mode="full", summary=ReadSummary(), fields=reader.fields, cache=reader.cache.stats)
        build_dir = store.new_build_dir()
        try:
            ix = whoosh_index.create_in(str(build_dir), build_schema(), indexname=INDEX_NAME)
            if procs > 1:
                writer = _ProcessWriter(ix, procs=procs, multisegment=True, batchsize=BATCH_SIZE,
                                        limitmb=max(32, _writer_memory() // procs), compound=False)
            else:
                writer = FastSegmentWriter(ix, limitmb=_writer_memory(), compound=False)
            vocabulary = Vocabulary()
            signatures = nearduplicates.Signatures()
            try:
                manifest_files = _index_files(reader, files, writer, report, progress, vocabulary, signatures)
                writer.commit()  # waits for the writer processes: a signal often lands here
            except BaseException:
                _abandon(writer)
                raise
            _check_stop()
            if ix.doc_count() != report.summary.articles:  # a writer process died: do not publish a part
                raise BuildFailed(f"the index holds {ix.doc_count()} of the {report.summary.articles} articles read "
                                  "(a writer process failed)")
            _finish(store, build_dir, ix, report, signatures, vocabulary, started,
                    lambda: _manifest(report, manifest_files, corpus_dir, mapping, reader.promoted_companies()),
                    before_publish, store.manifest())
        except BaseException:
            store.discard(build_dir)
            raise
    return report


def update_index(
    corpus_dir: Path,
    index_root: Path,
    mapping: dict[str, str] | None = None,
    progress: bool | None = None,
    before_publish: BeforePublish | None = None,
) -> BuildReport:
    """Add new and changed files, remove deleted ones, and publish; rebuild if that is needed."""
    store = IndexStore(index_root)
    previous = store.manifest()
    if not previous:
        report = build_index(corpus_dir, index_root, mapping, progress, before_publish=before_publish)
        report.note = "No index yet: built it in full."
        return report
    if previous.get("settings") != settings_checksum(corpus_dir) or previous.get("mapping") != (mapping or {}):
        report = build_index(corpus_dir, index_root, mapping, progress, before_publish=before_publish)
        report.note = ("The gazetteer, corpus.toml, field mapping, article size limit or schema changed: "
                       "rebuilt in full.")
        return report
    # Organisations become companies when 2+ articles of the whole corpus name them: a new or removed
    # file can change that for articles in files that did not change, which only a full build redoes.
    reader = CorpusReader(corpus_dir, mapping=mapping, cache=ParseCache(cache_setting(index_root)))
    if previous.get("companies_promoted") != _digest(reader.promoted_companies()):
        report = build_index(corpus_dir, index_root, mapping, progress, before_publish=before_publish)
        report.note = "The organisations the corpus names as companies changed: rebuilt in full."
        return report
    if any("duplicates" not in entry for entry in previous.get("files", {}).values()):
        report = build_index(corpus_dir, index_root, mapping, progress, before_publish=before_publish)
        report.note = ("The index did not record the article ids its files share (built by an older version): "
                       "rebuilt in full.")
        return report
    if not nearduplicates.Signatures.exists(store.current()):
        report = build_index(corpus_dir, index_root, mapping, progress, before_publish=before_publish)
        report.note = "The index had no near-duplicate signatures (built by an older version): rebuilt in full."
        return report

    started = time.perf_counter()
    with store.lock():
        store.remove_stale_builds()
        old_files: dict[str, dict] = previous.get("files", {})
        files = list(list_corpus_files(Path(corpus_dir)))
        current_paths = {relative for _, relative in files}
        report = BuildReport(mode="incremental", summary=ReadSummary(), fields=reader.fields, cache=reader.cache.stats)
        checksums: dict[str, str] = {}
        for path, relative in files:
            checksums[relative] = checksum = file_checksum(path)
            if relative not in old_files:
                report.files_added += 1
            elif old_files[relative]["checksum"] != checksum:
                report.files_changed += 1
            else:
                report.files_unchanged += 1
        removed = [relative for relative in old_files if relative not in current_paths]
        report.files_removed = len(removed)

        build_dir = store.copy_current()
        try:
            ix = whoosh_index.open_dir(str(build_dir), indexname=INDEX_NAME)
            vocabulary = Vocabulary.load(build_dir)
            signatures = nearduplicates.Signatures.load(build_dir)
            writer = FastSegmentWriter(ix, limitmb=_writer_memory(), compound=False)
            try:
                searcher = writer.searcher()  # the served build's documents, as the writer numbers them

                def forget(ids: list[str]) -> None:
                    """Delete the served build's articles of these ids, their words and signatures."""
                    signatures.remove(ids)
                    for article_id in ids:
                        docnum = searcher.document_number(id=article_id)
                        if docnum is None:
                            continue
                        stored = searcher.stored_fields(docnum)
                        vocabulary.remove(words_of(stored.get("title", ""), stored.get("body", ""),
                                                   stored.get("captions", "")))
                        writer.delete_document(docnum)

                for relative in removed:
                    forget(old_files[relative].get("ids", []))
                new_files = _index_files(reader, files, writer, report, progress, vocabulary, signatures,
                                         Previous(old_files, checksums, forget))
                writer.commit(merge=True)
            except BaseException:
                _abandon(writer)
                raise
            _check_stop()
            _finish(store, build_dir, ix, report, signatures, vocabulary, started,
                    lambda: _manifest(report, new_files, corpus_dir, mapping, reader.promoted_companies()),
                    before_publish, previous)
        except BaseException:
            store.discard(build_dir)
            raise
    return report


@dataclass
class Previous:
    """What an incremental build starts from: the served build's file entries, the checksums of the
    corpus's files now, and how to delete the served build's articles of a file (by their ids)."""

    files: dict[str, dict]
    checksums: dict[str, str]
    forget: Callable[[list[str]], None]

    def kept(self, relative: str, claimed: dict[str, str]) -> dict | None:
        """The served build's entry of an unchanged file if the file keeps exactly the articles it had:
        none of its ids was taken by a file before it, and each id it lost to an earlier file still is.
        None when the file must be read (again)."""
        entry = self.files.get(relative)
        if entry is None or entry["checksum"] != self.checksums.get(relative):
            return None
        if any(i in claimed for i in entry["ids"]) or not all(i in claimed for i in entry["duplicates"]):
            return None
        return entry


def _index_files(
    reader: CorpusReader,
    files: list[tuple[Path, str]],
    writer: SegmentWriter,
    report: BuildReport,
    progress: bool | None,
    vocabulary: Vocabulary,
    signatures: nearduplicates.Signatures,
    previous: Previous | None = None,
) -> dict[str, dict]:
    """Parse ``files`` (every file of the corpus, in its order) and add their articles to ``writer``;
    return their manifest entries.

    An article id belongs to the first file in the corpus's order that has it; the same id in a later
    file is reported as a duplicate and recorded in that file's entry ("duplicates"). An incremental
    build (``previous``) passes the same files in the same order: an unchanged file whose articles stay
    its own is not read, its entry kept; a changed or added file, or an unchanged one whose shared id
    changed hands (the file that had it deleted, changed or renamed, or a file before it taking it), is
    read, its old articles deleted first. Both builds so hold the same articles (tests/system/
    test_incremental_equals_full.py)."""
    entries: dict[str, dict] = {}
    claimed: dict[str, str] = {}  # article id -> the file that has it
    show = sys.stderr.isatty() if progress is None else progress
    bar = tqdm(total=len(files), unit="file", disable=not show, file=sys.stderr, dynamic_ncols=True)
    started = time.perf_counter()
    try:
        with reader.reading(files) if previous is None else contextlib.nullcontext():
            _read_files(reader, files, writer, report, vocabulary, signatures, previous, entries, claimed, bar,
                        show, started)
    finally:
        bar.close()
    return entries


def _read_files(reader, files, writer, report, vocabulary, signatures, previous, entries, claimed, bar, show,
                started) -> None:
    """``_index_files``'s loop over the files (in the reader's worker processes when it has them)."""
    for path, relative in files:
        if previous is not None:
            entry = previous.kept(relative, claimed)
            if entry is not None:
                claimed.update(dict.fromkeys(entry["ids"], relative))
                entries[relative] = entry
                bar.update(1)
                continue
            old = previous.files.get(relative)
            if old is not None:
                if old["checksum"] == previous.checksums.get(relative):
                    report.files_reread += 1
                previous.forget(old.get("ids", []))
        result = FileResult(relative, "")
        ids: list[str] = []
        duplicates: list[str] = []
        credits = FileCredits()
        for article in reader.iter_file(path, relative, result):
            if article.id in claimed:
                result.problems.append(
                    Problem(relative, article.line, f"duplicate id: {article.id} (also in {claimed[article.id]})")
                )
                duplicates.append(article.id)
                continue
            claimed[article.id] = relative
            writer.add_document(**article_to_document(article))
            vocabulary.add(words_of(article.title, article.body, *article.captions))
            signatures.add(article)
            credits.add(article)
            ids.append(article.id)
            if show and len(ids) % 500 == 0:
                _show_rate(bar, report.summary.articles + len(ids), started)
        report.summary.add(result, articles=len(ids))
        entries[relative] = {"checksum": result.checksum, "ids": ids, "duplicates": duplicates,
                             "credits": credits.entries()}
        bar.update(1)
        _show_rate(bar, report.summary.articles, started)


def check_servable(build_dir: Path, manifest: dict) -> None:
    """Open a finished build as a server would (its index, a searcher, its vocabulary and near-duplicate
    groups), read its first and last stored article and the postings of its ids, and compare its article
    count with the manifest's: a build that cannot be served is not published (BuildFailed)."""
    try:
        ix = whoosh_index.open_dir(str(build_dir), indexname=INDEX_NAME)
        try:
            with ix.searcher() as searcher:
                documents = searcher.doc_count()
                reader = searcher.reader()
                total = reader.doc_count_all()
                for docnum in {0, total - 1} if total else ():
                    reader.stored_fields(docnum)
                for _ in reader.postings("id", next(reader.lexicon("id"), b"")).all_ids() if total else ():
                    pass
                Vocabulary.load(build_dir)
                nearduplicates.Groups.load(build_dir, total)
        finally:
            ix.close()
    except Exception as exc:
        raise BuildFailed(f"the new build cannot be opened ({type(exc).__name__}: {exc})") from exc
    if documents != manifest.get("documents"):
        raise BuildFailed(f"the new build holds {documents} articles, its manifest {manifest.get('documents')}")


def _finish(store: IndexStore, build_dir: Path, ix, report: BuildReport, signatures, vocabulary, started: float,
            make_manifest: Callable[[], dict], before_publish: BeforePublish | None, served_manifest: dict) -> None:
    """What a full and an incremental build do once their writer has committed: group near-duplicates,
    save the vocabulary, and publish the build (after ``before_publish``), checked as servable."""
    _group_duplicates(build_dir, signatures, ix, report)
    vocabulary.save(build_dir)
    report.documents = ix.doc_count()
    ix.close()
    _check_stop()
    # The postings, columns and completions every worker memory-maps instead of reading them through
    # Whoosh at its first search; an incremental build rewrites them for the whole index.
    report.derived = write_derived_arrays(build_dir)
    report.seconds = time.perf_counter() - started
    manifest = make_manifest()  # after the counts and the time it records
    manifest["derived"] = report.derived
    if before_publish is not None:
        before_publish(build_dir, manifest, served_manifest)
        _check_stop()
    report.index_path = store.publish(build_dir, manifest, check=check_servable)


def _group_duplicates(build_dir: Path, signatures: nearduplicates.Signatures, ix, report: BuildReport) -> None:
    """Save the build's near-duplicate signatures and groups next to its index (nearduplicates.py)."""
    grouping = nearduplicates.update(build_dir, signatures, ix)
    report.duplicate_groups = len(grouping.groups)
    report.duplicates = sum(len(group) for group in grouping.groups)


def _writer_memory() -> int:
    return config.get_int("INDEX_MEMORY_MB", low=32, high=1_000_000)


def _show_rate(bar: tqdm, articles: int, started: float) -> None:
    elapsed = time.perf_counter() - started
    if elapsed > 0:
        bar.set_postfix(articles=articles, per_s=f"{articles / elapsed:.0f}")


def _digest(names: list[str]) -> str:
    return hashlib.sha256("\n".join(names).encode("utf-8")).hexdigest()


def _manifest(report: BuildReport, files: dict[str, dict], corpus_dir: Path, mapping: dict | None,
              promoted: list[str]) -> dict:
    return {
        "schema_version": SCHEMA_VERSION,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "mode": report.mode,
        "corpus": str(Path(corpus_dir).resolve()),
        "settings": settings_checksum(corpus_dir),
        "mapping": mapping or {},
        "companies_promoted": _digest(promoted),
        "documents": report.documents,
        "seconds": round(report.seconds, 3),
        "skipped": dict(report.summary.skipped),
        "problems": [str(p) for p in report.summary.problems[:1000]],
        "credits": merge_credits(files.values()),
        "files": files,
    }
