"""Reading a corpus in worker processes: ``CorpusReader`` with ``procs`` > 1 (``ARCHIVE_INDEX_PROCS``).

What costs a build its time is not the JSON but what is made of each record: the organisations named with
evidence, the company extraction of ``build_article`` and, before the first article, the counting pass over
the whole corpus. Both passes are cut into **tasks** that ``procs`` forked worker processes run, while this
process hands them out and takes their results back **in the corpus's order**:

* a JSON Lines file is decompressed and decoded here once and cut into parts of ``LINES_PER_TASK`` lines,
  each parsed by a worker as the whole file would be (``CorpusReader.line_drafts``: the same line numbers,
  the same problems); a file of any other format (HTML, a web archive, a JSON document, page text) is one task;
  drafts the parse cache holds are handed out ``LINES_PER_TASK`` at a time with their cached evidence;
* the counting pass's task counts its drafts' organisations (``CandidateCounter``): the counts of a file
  are the sum of its parts' (``CandidateCounter.merge``, as if fed in order), kept by the cache per file;
* the build's task makes its drafts Articles (``build_article``, with the organisations the count promoted);
  ids, duplicates within a file and problems are then settled here in order, as ``CorpusReader._articles``.

The parse cache stays one entry per file, assembled here from its parts once the file's last task is back,
the same entries a reader without workers writes. Workers are forked (they inherit the reader: its
gazetteer, settings and, for the build, the promoted organisations); at most ``AHEAD`` tasks per worker
wait, so a large corpus is never held whole.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from search.article import ArticleDraft
from search.companies.candidates import CandidateCounter
from search.companies.organisations import names_with_evidence
from search.ingest.dates import DateError
from search.ingest.formats.jsonlines import FieldTally, RecordError

if TYPE_CHECKING:
    from search.ingest.corpus import CorpusReader, FileResult

LINES_PER_TASK = 200  # records (or cached drafts) per task: a task builds ~0.5 s of articles
AHEAD = 3  # tasks waiting per worker process
COUNT, BUILD = "count", "build"

_reader: CorpusReader | None = None  # the reader the workers were forked from
_examples = 3  # example sentences the counting pass keeps per organisation


def _start_worker() -> None:
    from search.index.build import _die_with_parent

    _die_with_parent()


def _texts_of(drafts: list) -> list[tuple[str, ...]]:
    from search.ingest.corpus import _texts

    return [_texts(draft) if isinstance(draft, ArticleDraft) and draft.title else () for draft in drafts]


def _work(mode: str, relative: str, source: tuple, found: list | None, want_found: bool) -> tuple:
    """One task, in a worker: (the drafts it parsed or None, their field counts, the evidence it found or
    None, what the pass makes of the drafts: organisation counts, or per draft an Article / error / None)."""
    reader = _reader
    tally_numbers = None
    if source[0] == "drafts":
        drafts = source[1]
    else:
        tally = FieldTally()
        if source[0] == "lines":
            drafts = list(reader.line_drafts(source[1], relative, source[2], tally))
        else:
            drafts = list(reader._file_drafts(Path(source[1]), relative, tally))
        tally_numbers = [count.numbers_held() for count in tally.field_counts(*reader.mapping_of(relative))]
    texts = _texts_of(drafts)
    computed = None
    if found is None and want_found:
        found = computed = [[names_with_evidence(text) for text in article] for article in texts]
    if found is not None:
        reader.extractor.evidence = {text: names for article, named in zip(texts, found, strict=True)
                                     for text, names in zip(article, named, strict=True)}
    try:
        if mode == COUNT:
            part = CandidateCounter(reader.extractor, _examples)
            for draft in drafts:
                if isinstance(draft, ArticleDraft) and draft.title:
                    part.add(*_texts_of([draft])[0])
            product = part.state()
        else:
            product = []
            for draft in drafts:
                if not isinstance(draft, ArticleDraft):
                    product.append(None)
                    continue
                try:
                    product.append(reader.build_article(draft, relative))
                except (RecordError, DateError, ValueError) as exc:
                    product.append(str(exc))
    finally:
        reader.extractor.evidence = None
    return (drafts if source[0] != "drafts" else None), tally_numbers, computed, product


@dataclass
class FilePlan:
    """One file of a pass: its tasks, and what to keep in the parse cache once they are all back."""

    path: Path
    relative: str
    checksum: str = ""
    error: str = ""  # the file could not be read: its Problem's reason, no tasks
    lead: list = field(default_factory=list)  # problems found here, before the parsed drafts (a decode warning)
    tasks: Iterator[tuple] = iter(())  # (source, found, want_found)
    drafts_key: str | None = None  # parsed here: keep the drafts under this key
    evidence_key: str | None = None  # evidence found by the workers: keep it under this key
    counts_key: str | None = None  # the counting pass: keep the file's organisation counts under this key
    counted: tuple | None = None  # the counting pass: the file's counts, from the cache
    field_numbers: list | None = None  # the file's field counts, from the cache
    exhausted: bool = False  # every task handed out


class Pipeline:
    """``procs`` worker processes running one pass's tasks over ``files``, handed out ahead of the caller."""

    def __init__(self, reader: CorpusReader, mode: str, files: list[tuple[Path, str]], examples: int = 3):
        global _reader, _examples
        _reader, _examples = reader, examples  # inherited by the forked workers
        self.reader = reader
        self.mode = mode
        from search.index.build import _STOP_SIGNALS

        # Forked with Ctrl-C and SIGTERM held back (as the Whoosh writers are): a signal reaching a worker before
        # ``_start_worker`` set its handlers ran the command's own handler there, and the interrupted build hung.
        # The pool's threads, made here, keep the mask, so a worker it replaces later is forked the same way.
        # A process pool of concurrent.futures, not multiprocessing.Pool: a worker killed while it waited for a task
        # (SIGTERM to the build's process group) held the task queue's lock, and Pool.terminate waited for it
        # for ever; this one is marked broken instead. With the fork method it forks every worker at the first
        # task, which is handed out here, signals held back.
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
        try:
            self.pool = ProcessPoolExecutor(reader.procs, mp_context=multiprocessing.get_context("fork"),
                                            initializer=_start_worker)
            self.pool.submit(int).result()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        self.limit = AHEAD * reader.procs
        self.plans = (reader.plan(mode, path, relative, examples) for path, relative in files)
        self.started: deque[FilePlan] = deque()  # planned, not yet taken by the caller
        self.current: FilePlan | None = None  # the file the caller reads
        self.pending: deque = deque()  # (plan, source, found, async result), in order

    def _fill(self) -> None:
        """Hand out tasks, in the files' order, until ``limit`` wait; plan the next files as needed."""
        while len(self.pending) < self.limit:
            plan = self.current if self.current is not None and not self.current.exhausted else None
            if plan is None:
                plan = next((p for p in self.started if not p.exhausted), None)
            if plan is None:
                plan = next(self.plans, None)
                if plan is None:
                    return
                self.started.append(plan)
            task = next(plan.tasks, None)
            if task is None:
                plan.exhausted = True
                continue
            source, found, want_found = task
            result = self.pool.submit(_work, self.mode, plan.relative, source, found, want_found)
            self.pending.append((plan, source, found, result))

    def next_file(self, relative: str | None = None) -> FilePlan | None:
        """The next file's plan (None at the end); ``relative``: the file the caller reads, which must be it."""
        self._fill()
        if not self.started:
            return None
        if relative is not None and self.started[0].relative != relative:
            raise RuntimeError(f"files read out of order: {relative}, not {self.started[0].relative}")
        self.current = self.started.popleft()
        return self.current

    def results(self, plan: FilePlan) -> Iterator[tuple]:
        """The results of ``plan``'s tasks in order: (drafts, field numbers, found, product) each."""
        from search.index.build import check_stop

        while True:
            self._fill()
            if not self.pending or self.pending[0][0] is not plan:
                return  # its tasks are handed out first: none waiting means none left
            _plan, source, found, result = self.pending.popleft()
            while not result.done():
                wait([result], timeout=0.2)
                check_stop()
            drafts, numbers, computed, product = result.result()
            yield (source[1] if drafts is None else drafts), numbers, (found if computed is None else computed), product

    def close(self) -> None:
        global _reader
        self.pool.shutdown(wait=True)
        _reader = None

    def terminate(self) -> None:
        global _reader
        for worker in list(self.pool._processes.values()):  # the executor has no terminate: its workers are killed
            worker.kill()
        self.pool.shutdown(wait=True, cancel_futures=True)
        _reader = None


def count_pass(reader: CorpusReader, counter: CandidateCounter, files: list[tuple[Path, str]]) -> None:
    """The counting pass over ``files`` in worker processes: ``counter`` fed as ``count_candidates`` feeds it."""
    pipeline = Pipeline(reader, COUNT, files, counter.max_examples)
    try:
        while (plan := pipeline.next_file()) is not None:
            if plan.counted is not None:
                counter.merge(plan.counted)
                continue
            part = CandidateCounter(reader.extractor, counter.max_examples)
            collected = _Collected(plan)
            for drafts, numbers, found, product in pipeline.results(plan):
                collected.add(drafts, numbers, found)
                part.merge(product)
            collected.keep(reader)
            if plan.counts_key is not None:
                reader.cache.store(plan.counts_key, [part.state()])
            counter.merge(part.state())
    except BaseException:
        pipeline.terminate()
        raise
    pipeline.close()


def build_file(reader: CorpusReader, pipeline: Pipeline, plan: FilePlan, result: FileResult, articles):
    """Yield the Articles of ``plan``'s file from the workers' results, as ``CorpusReader.iter_file`` does."""
    from search.ingest.corpus import Problem

    result.checksum = plan.checksum
    if plan.error:
        result.problems.append(Problem(plan.relative, 0, plan.error))
        return
    collected = _Collected(plan)
    outcomes: list = []
    if plan.lead:
        outcomes.append((plan.lead, [None] * len(plan.lead)))
    for drafts, numbers, found, product in pipeline.results(plan):
        collected.add(drafts, numbers, found)
        outcomes.append((drafts, product))
        yield from articles(outcomes)
        outcomes = []
    yield from articles(outcomes)
    collected.keep(reader, count_fields=True)


class _Collected:
    """A file's drafts, field counts and evidence gathered from its tasks, kept in the parse cache at the end."""

    def __init__(self, plan: FilePlan):
        self.plan = plan
        self.drafts: list = list(plan.lead)
        self.found: list = [[] for _ in plan.lead]
        self.tally = FieldTally()
        self.numbers: list = []

    def add(self, drafts: list, numbers: list | None, found: list | None) -> None:
        if self.plan.drafts_key is not None:
            self.drafts.extend(drafts)
        if self.plan.evidence_key is not None:
            self.found.extend(found)
        if numbers is not None:
            self.numbers.append(numbers)

    def keep(self, reader: CorpusReader, count_fields: bool = False) -> None:
        from search.ingest.parse_cache import FRAME_DRAFTS

        plan = self.plan
        mapping, origins = reader.mapping_of(plan.relative)
        if plan.field_numbers is not None:
            file_numbers = plan.field_numbers
        else:
            counts = self.tally.field_counts(mapping, origins)
            for numbers in self.numbers:
                for count, held in zip(counts, numbers, strict=True):
                    count.merge(held)
            file_numbers = [count.numbers_held() for count in counts]
        if count_fields:
            for count, held in zip(reader.fields.field_counts(mapping, origins), file_numbers, strict=True):
                count.merge(held)
        if plan.drafts_key is not None:
            frames = [file_numbers] + [self.drafts[i:i + FRAME_DRAFTS]
                                       for i in range(0, len(self.drafts), FRAME_DRAFTS)]
            reader.cache.store(plan.drafts_key, frames)
        if plan.evidence_key is not None:
            reader.cache.store(plan.evidence_key, [self.found])
