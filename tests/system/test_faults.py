"""Faults (issue 5): index builds killed at any point, a full disk, Ctrl-C and SIGTERM.

Every build here runs the command line's ``main`` (``python -m search index``) in a process group of
its own (``start_new_session``), as a terminal or a service manager starts it, so that a signal to the
group reaches Whoosh's writer processes too: a full build forks one writer per batch of documents, up
to ``ARCHIVE_INDEX_PROCS`` = 2. The batches are of 100 documents here instead of 500 (``BOOT`` sets
``indexer.BATCH_SIZE``), so that the bundled corpus of 294 articles, quick to index, runs both writers.

After each fault: ``current`` names a complete build (with its manifest), a ``WhooshArchive`` answers as
before, no process of the build is left, the build lock is free, and the next build succeeds and
removes what the dead one left behind.

Output of the builds goes to files, never pipes: a writer process that outlived its parent would hold
a pipe open and hang the test. Every process group started here is killed in teardown.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from search.engines.whoosh.archive import WhooshArchive
from search.index.build import build_index
from search.index.store import (
    BUILD_PREFIX,
    CURRENT,
    KEEP_BUILDS,
    MANIFEST_NAME,
    TMP_PREFIX,
    BuildBusy,
    IndexStore,
    _stamp,
)
from search.request import SearchRequest
from tests.support.paths import CORPUS, ROOT, copy_small_corpus

SEED = 5  # the kill points' delays are drawn from random.Random(SEED): the same on every run
QUERY = "bytedance"  # in the Global Times seed article and in Wikinews articles
ARTICLES = 294  # in the bundled corpus
BATCH_SIZE = 100
# The command line's main with smaller batches and, when FAULTS_FSIZE_LIMIT is set, RLIMIT_FSIZE: a write
# past the limit fails with EFBIG (SIGXFSZ, which would kill the process instead, is ignored).
BOOT = """
import os, resource, signal, sys
if os.environ.get("FAULTS_FSIZE_LIMIT"):
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    limit = int(os.environ["FAULTS_FSIZE_LIMIT"])
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
import search.index.build
search.index.build.BATCH_SIZE = int(os.environ["FAULTS_BATCH_SIZE"])
from search.cli import main
sys.exit(main())
"""
BUILD_TIMEOUT = 60  # seconds; a build that takes longer hangs
GONE_TIMEOUT = 5  # seconds for the processes of a signalled build to be gone

# A bug these tests found, outside this file, not fixed yet: its test is a non-strict xfail.
KNOWN_BUGS = {
    "partial": "search/indexer.py: a writer process killed while it waits for a batch can hang the build "
               "(a writer killed while working is caught: the build refuses to publish a partial index)",
}


# --- builds as processes -------------------------------------------------------------------------


@dataclass
class Build:
    """One ``python -m search index`` process group."""

    proc: subprocess.Popen
    out: Path
    err: Path
    started: float
    seconds: float = 0.0

    @property
    def pgid(self) -> int:
        return self.proc.pid  # start_new_session: the leader's pid is the group's id

    @property
    def returncode(self) -> int | None:
        return self.proc.returncode

    @property
    def stdout(self) -> str:
        return self.out.read_text(encoding="utf-8", errors="replace")

    @property
    def stderr(self) -> str:
        return self.err.read_text(encoding="utf-8", errors="replace")

    def wait(self, timeout: float = BUILD_TIMEOUT) -> Build:
        """Wait for the leader to exit; on a timeout kill the group and fail (the build hung)."""
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            signal_group(self, signal.SIGKILL)
            self.proc.wait()
            pytest.fail(f"the build hung (killed after {timeout} s); stderr:\n{self.stderr[-3000:]}")
        self.seconds = time.perf_counter() - self.started
        return self


@dataclass
class Launcher:
    """Starts builds in their own process groups; kills every group it started in teardown."""

    folder: Path
    builds: list[Build] = field(default_factory=list)

    def start(self, corpus: Path, root: Path, file_size_limit: int = 0) -> Build:
        number = len(self.builds)
        out, err = self.folder / f"build-{number}.out", self.folder / f"build-{number}.err"
        env = {**os.environ, "ARCHIVE_INDEX_PROCS": "2", "FAULTS_BATCH_SIZE": str(BATCH_SIZE),
               "FAULTS_FSIZE_LIMIT": str(file_size_limit or ""), "PYTHONUNBUFFERED": "1"}
        with open(out, "wb") as stdout, open(err, "wb") as stderr:
            proc = subprocess.Popen(
                [sys.executable, "-c", BOOT, "index", "--corpus", str(corpus), "--index", str(root), "--no-progress"],
                cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr,
                start_new_session=True,
            )
        build = Build(proc, out, err, time.perf_counter())
        self.builds.append(build)
        return build

    def run(self, corpus: Path, root: Path, file_size_limit: int = 0, timeout: float = BUILD_TIMEOUT) -> Build:
        return self.start(corpus, root, file_size_limit).wait(timeout)

    def close(self) -> None:
        for build in self.builds:
            signal_group(build, signal.SIGKILL)
            if build.proc.returncode is None:
                build.proc.wait()
        for build in self.builds:
            wait_group_gone(build.pgid)


@pytest.fixture()
def launcher(tmp_path):
    folder = tmp_path / "logs"
    folder.mkdir()
    started = Launcher(folder)
    yield started
    started.close()


def signal_group(build: Build, sig: int) -> None:
    try:
        os.killpg(build.pgid, sig)
    except ProcessLookupError:
        pass


def group_members(pgid: int) -> list[int]:
    """Return the live (not zombie) processes of process group ``pgid``, from /proc."""
    alive = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(os.path.join(entry.path, "stat"), encoding="utf-8", errors="replace") as handle:
                stat = handle.read()
        except OSError:
            continue  # exited meanwhile
        fields = stat[stat.rindex(")") + 2 :].split()  # state, ppid, pgrp, ...
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            alive.append(int(entry.name))
    return alive


def _state(pid: int) -> str:
    """The state letter of a process (R running, S sleeping, Z zombie...), "" if it is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as handle:
            stat = handle.read()
    except OSError:
        return ""
    return stat[stat.rindex(")") + 2 :].split()[0]


def wait_group_gone(pgid: int, timeout: float = GONE_TIMEOUT) -> list[int]:
    """Wait until no process of the group is alive; return those still alive after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        alive = group_members(pgid)
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.02)


def wait_for_writers(build: Build, writers: int, timeout: float = BUILD_TIMEOUT) -> None:
    """Wait until the build has forked ``writers`` writer processes (it is indexing)."""
    deadline = time.monotonic() + timeout
    while len(group_members(build.pgid)) < 1 + writers:
        assert build.proc.poll() is None, f"the build ended before it forked its writers:\n{build.stderr}"
        assert time.monotonic() < deadline, "the build never forked its writer processes"
        time.sleep(0.01)


# --- the state of an index folder ----------------------------------------------------------------


def totals(root: Path, archive: WhooshArchive | None = None) -> tuple[int, int]:
    """(all articles, articles matching QUERY), from ``archive`` or a fresh WhooshArchive on ``root``."""
    if archive is None:
        with WhooshArchive(root) as fresh:
            return totals(root, fresh)
    return archive.search(SearchRequest()).total, archive.search(SearchRequest(q=QUERY)).total


def assert_current_is_complete(root: Path, documents: int) -> str:
    """``current`` links to a finished build with a manifest of ``documents`` articles; return the link."""
    link = root / CURRENT
    assert link.is_symlink(), f"{link} is not a symlink"
    target = os.readlink(link)
    build = root / target
    assert target.startswith(BUILD_PREFIX) and build.is_dir(), f"current -> {target}"
    manifest = json.loads((build / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert manifest["documents"] == documents, f"current -> {target} holds {manifest['documents']} articles"
    return target


def assert_lock_is_free(root: Path) -> None:
    with IndexStore(root).lock():  # raises BuildBusy if anything still holds the build lock
        pass


def assert_no_leftovers(root: Path) -> None:
    """No temporary folder or link is left, and at most KEEP_BUILDS builds are kept."""
    names = sorted(p.name for p in root.iterdir())
    assert not [n for n in names if n.startswith(TMP_PREFIX)], f"leftovers in {root}: {names}"
    assert len([n for n in names if n.startswith(BUILD_PREFIX)]) <= KEEP_BUILDS, names


def phase_of_kill(root: Path, before: str, processes: int) -> str:
    """Tell from the index folder (frozen: every process of the build is dead) where a build died."""
    if os.readlink(root / CURRENT) != before:
        return "after publish"
    names = [p.name for p in root.iterdir()]
    if any(n.startswith(TMP_PREFIX + "link-") for n in names):
        return "publishing (link made)"
    if [n for n in names if n.startswith(BUILD_PREFIX) and n > before]:  # names start with the time
        return "publishing (renamed)"
    temporary = [root / n for n in names if n.startswith(TMP_PREFIX) and (root / n).is_dir()]
    if not temporary:
        return "starting"
    inside = [p.name for p in temporary[0].iterdir()]
    if MANIFEST_NAME in inside:
        return "publishing (manifest written)"
    if any(re.fullmatch(r"_MAIN_[1-9]\d*\.toc", n) for n in inside):
        return "committed"
    return f"indexing ({max(0, processes - 1)} writers)"


# --- 1. SIGKILL at any point ---------------------------------------------------------------------


def _temporary(root: Path) -> list[Path]:
    return [p for p in root.glob(TMP_PREFIX + "*") if p.is_dir() and not p.is_symlink()]


def _has_file(root: Path, pattern: str) -> bool:
    for folder in _temporary(root):
        try:
            if any(re.fullmatch(pattern, name) for name in os.listdir(folder)):
                return True
        except FileNotFoundError:
            pass
    return False


@dataclass
class KillPoint:
    """Kill when ``event`` has happened (None: at the start), ``delay`` seconds after it."""

    name: str
    delay: float
    event: Callable[[Path, str, Build], bool] | None = None

    def wait(self, root: Path, before: str, build: Build) -> None:
        while self.event is not None and not self.event(root, before, build) and build.proc.poll() is None:
            time.sleep(0.002)  # polls often enough for each event, without taking a core from the build
        time.sleep(max(0.0, self.delay - (time.perf_counter() - build.started if self.event is None else 0)))


def kill_points(seconds: float, rng: random.Random) -> list[KillPoint]:
    """Kill points spread over a build of ``seconds``: at once, in start-up, seeded random times, and
    at each event of a build (plus a seeded delay of a few milliseconds), up to its publication."""
    return [
        KillPoint("at once", 0.0),
        KillPoint("in start-up", rng.uniform(0.05, 0.4)),
        KillPoint("build folder made", rng.uniform(0, 0.02), lambda root, before, build: bool(_temporary(root))),
        KillPoint("first writer forked", rng.uniform(0, 0.05),
                  lambda root, before, build: len(group_members(build.pgid)) >= 2),
        KillPoint("second writer forked", rng.uniform(0, 0.05),
                  lambda root, before, build: len(group_members(build.pgid)) >= 3),
        KillPoint("random", rng.uniform(0.3, 0.6) * seconds),
        KillPoint("random", rng.uniform(0.6, 0.95) * seconds),
        KillPoint("committed", rng.uniform(0, 0.002),
                  lambda root, before, build: _has_file(root, r"_MAIN_[1-9]\d*\.toc")),
        KillPoint("manifest written", 0.0, lambda root, before, build: _has_file(root, re.escape(MANIFEST_NAME))),
        KillPoint("published", 0.0, lambda root, before, build: os.readlink(root / CURRENT) != before),
    ]


def test_builds_killed_at_any_point_leave_the_old_index_serving(tmp_path, launcher, request):
    """SIGKILL to the group of a build of the bundled corpus at seeded points; after each, a build of
    the small corpus (quick, in this process) must succeed. Before a kill the small build serves (the
    full one at first); a kill after the publication leaves the full build serving, complete."""
    small_corpus = copy_small_corpus(tmp_path / "small")
    root = tmp_path / "index"
    first = launcher.run(CORPUS, root)  # its duration spreads the timed kills
    assert first.returncode == 0, first.stderr
    assert_current_is_complete(root, ARTICLES)
    archive = WhooshArchive(root)  # one WhooshArchive open across all the kills, as the web app holds one
    request.addfinalizer(archive.close)
    expected = {ARTICLES: totals(root, archive)}
    assert expected[ARTICLES][1] > 0

    points = kill_points(first.seconds, random.Random(SEED))
    phases: Counter[str] = Counter()
    survived = rebuilt = 0
    for number, point in enumerate(points, 1):
        before = os.readlink(root / CURRENT)
        served = IndexStore(root).manifest()["documents"]
        build = launcher.start(CORPUS, root)
        point.wait(root, before, build)
        processes = len(group_members(build.pgid))
        at = time.perf_counter() - build.started
        signal_group(build, signal.SIGKILL)
        build.proc.wait(timeout=10)
        where = f"kill {number} ({point.name}) at {at:.3f} s of a {first.seconds:.2f} s build"
        assert not wait_group_gone(build.pgid), f"{where}: processes of the killed build are still alive"
        phase = "after exit" if build.returncode == 0 else phase_of_kill(root, before, processes)
        phases[phase] += 1

        # The build that was served still serves, complete; or the new one, complete, if the kill came
        # after its publication.
        now_served = ARTICLES if os.readlink(root / CURRENT) != before else served
        assert_current_is_complete(root, now_served)
        assert totals(root, archive) == expected[now_served], f"{where} ({phase}): the open WhooshArchive differs"
        assert totals(root) == expected[now_served], f"{where} ({phase}): a new WhooshArchive differs"
        assert_lock_is_free(root)
        survived += 1

        build_index(small_corpus, root, progress=False)  # raises BuildBusy if a lock were left
        assert os.readlink(root / CURRENT) not in (before, "")
        assert_no_leftovers(root)
        small = IndexStore(root).manifest()["documents"]
        expected.setdefault(small, totals(root))
        assert totals(root, archive) == expected[small]
        rebuilt += 1
        print(f"{where}, {processes} processes: {phase}")

    before_publish = sum(n for p, n in phases.items() if p not in ("after publish", "after exit"))
    print(f"kills: {len(points)}, survived: {survived}, builds after kill: {rebuilt} ok; "
          f"before publish: {before_publish}, after publish: {len(points) - before_publish}; "
          f"phases: {dict(phases)}")
    assert survived == rebuilt == len(points)
    assert before_publish >= len(points) // 2 and len(phases) >= 3, "the kills did not spread over the build"


def test_a_build_killed_while_publishing_leaves_nothing_behind(corpus_copy, tmp_path):
    """What a kill inside ``IndexStore.publish`` leaves (a renamed build that never became current and
    the temporary link), made by hand: the window is too narrow for a timed kill to hit reliably."""
    root = tmp_path / "index"
    build_index(corpus_copy, root, progress=False)
    served = os.readlink(root / CURRENT)
    documents = IndexStore(root).manifest()["documents"]
    time.sleep(0.01)
    orphan = root / f"{BUILD_PREFIX}{_stamp()}-999"  # renamed, never linked: newer than `served`
    shutil.copytree(root / served, orphan)
    os.symlink(orphan.name, root / f"{TMP_PREFIX}link-999")  # the link that was to replace `current`
    half = root / f"{TMP_PREFIX}{_stamp()}-998"  # a build that died writing its manifest
    half.mkdir()
    (half / MANIFEST_NAME).write_text("{", encoding="utf-8")

    assert_current_is_complete(root, documents)
    assert totals(root)[0] == documents
    build_index(corpus_copy, root, progress=False)
    assert_no_leftovers(root)
    assert_current_is_complete(root, documents)
    # The build served until now is the one kept for readers still holding it, not the orphan.
    assert (root / served).is_dir() and not orphan.exists(), sorted(p.name for p in root.iterdir())


def test_the_previous_build_is_kept_with_a_relative_index_path(corpus_copy, tmp_path, monkeypatch):
    """`python -m search index --index idx`: KEEP_BUILDS builds are kept whatever the path's form
    (pruning compared the resolved current build with unresolved paths and removed the previous one)."""
    monkeypatch.chdir(tmp_path)
    root = Path("index")
    served = []
    for _ in range(3):
        build_index(corpus_copy, root, progress=False)
        served.append(os.readlink(root / CURRENT))
    assert sorted(p.name for p in root.glob(BUILD_PREFIX + "*")) == served[1:]


# --- 2. disk full ---------------------------------------------------------------------------------

TMPFS_SIZE = "3m"
FSIZE_LIMIT = 256 * 1024  # bytes per file under RLIMIT_FSIZE: less than a batch file of 100 articles


@dataclass
class DiskFull:
    """What a build that ran out of space did, and what was checked around it."""

    method: str
    small: int  # articles of the index that fits
    build: Build
    served_before: tuple[int, int]
    served_after: tuple[int, int]
    current_before: str
    current_after: str
    leftovers: list[str]
    next_build: Build


def _mount_tmpfs(folder: Path) -> str | None:
    """Mount a TMPFS_SIZE tmpfs on ``folder``; return why it could not be, or None."""
    if not shutil.which("mount"):
        return "no mount command"
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={TMPFS_SIZE}", "tmpfs", str(folder)],
                          capture_output=True, text=True, check=False)
    return None if done.returncode == 0 else (done.stderr.strip() or f"mount exited {done.returncode}")


def _unmount(folder: Path) -> None:
    if subprocess.run(["umount", str(folder)], capture_output=True, check=False).returncode != 0:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


@pytest.fixture(scope="module", params=["tmpfs", "file-size-limit"])
def disk_full(request, tmp_path_factory) -> DiskFull:
    """Build the small corpus, then the bundled one on a disk too small for it (a TMPFS_SIZE tmpfs),
    or under RLIMIT_FSIZE (EFBIG, as a process gets past its file size limit), then the small again."""
    method = request.param
    base = tmp_path_factory.mktemp(f"disk-{method}")
    disk = base / "disk"
    disk.mkdir()
    small_corpus = copy_small_corpus(base / "small")
    launcher = Launcher(base)
    mounted = False
    try:
        limit = 0
        if method == "tmpfs":
            why = _mount_tmpfs(disk)
            if why:
                pytest.skip(f"cannot mount a tmpfs ({why}); the file-size-limit case fills the disk instead")
            mounted = True
        else:
            limit = FSIZE_LIMIT
        root = disk / "index"
        build_index(small_corpus, root, progress=False)
        small = IndexStore(root).manifest()["documents"]
        current_before, served_before = os.readlink(root / CURRENT), totals(root)

        failed = launcher.run(CORPUS, root, file_size_limit=limit)
        assert not wait_group_gone(failed.pgid), "processes of the failed build are still alive"
        leftovers = sorted(p.name for p in root.iterdir() if p.name.startswith(TMP_PREFIX))
        current_after, served_after = os.readlink(root / CURRENT), totals(root)
        # Space is free again: the failed build's folder is gone (it removed it, or the next build does).
        next_build = launcher.run(small_corpus, root)
        yield DiskFull(method, small, failed, served_before, served_after, current_before, current_after,
                       leftovers, next_build)
    finally:
        launcher.close()
        if mounted:
            _unmount(disk)


def test_disk_full_leaves_the_old_index_serving(disk_full):
    d = disk_full
    assert d.build.returncode not in (0, None), f"the build did not fail:\n{d.build.stdout}"
    assert d.current_after == d.current_before, "a partial build became current"
    assert d.served_after == d.served_before and d.served_before[0] == d.small
    assert d.next_build.returncode == 0, f"the build after the disk-full one failed:\n{d.next_build.stderr}"


def test_disk_full_removes_its_partial_build(disk_full):
    assert disk_full.leftovers == [], "the failed build left its temporary folder, taking the space"


def test_disk_full_error_is_one_clear_line(disk_full):
    err = disk_full.build.stderr.strip()
    print(f"[{disk_full.method}] exit {disk_full.build.returncode}, stderr:\n{err}")
    assert "Traceback" not in err, "a traceback instead of a message"
    last = err.splitlines()[-1] if err else ""
    assert re.match(r"error: .*(No space left on device|File too large)", last), last


# --- 3. a writer process dies --------------------------------------------------------------------


def test_a_build_whose_writer_process_dies_fails(tmp_path, launcher, request):
    """The OOM killer (or a crash, or a file too large) ends one writer process of a build: the build
    must fail and leave the old index serving, not publish the documents of the other writer."""
    small_corpus = copy_small_corpus(tmp_path / "small")
    root = tmp_path / "index"
    build_index(small_corpus, root, progress=False)
    current_before, served_before = os.readlink(root / CURRENT), totals(root)
    build = launcher.start(CORPUS, root)
    wait_for_writers(build, 2)
    # A writer at work (state R): one killed while it waits for a batch (state S) hangs the build
    # instead, the command and the other writer (seen 3 times in 3; the dead one holds the job queue's
    # read lock, it seems): another face of the same bug, too slow to test here.
    deadline = time.monotonic() + BUILD_TIMEOUT
    while not (working := [p for p in group_members(build.pgid) if p != build.pgid and _state(p) == "R"]):
        assert build.proc.poll() is None and time.monotonic() < deadline, "no writer was seen at work"
        time.sleep(0.001)
    os.kill(working[0], signal.SIGKILL)
    # Fixed when the writer dies while working (the build now checks the document count and refuses to
    # publish); a writer killed while waiting for work can still hang the build, so not strict.
    request.applymarker(pytest.mark.xfail(strict=False, reason=KNOWN_BUGS["partial"]))
    build.wait(timeout=30)
    documents = IndexStore(root).manifest()["documents"]
    assert build.returncode != 0, (f"exit 0: published {documents} of {ARTICLES} articles as the index:\n"
                                   f"{build.stdout}")
    assert (os.readlink(root / CURRENT), totals(root)) == (current_before, served_before)


# --- 4. Ctrl-C, SIGTERM, and the command killed alone ----------------------------------------------


@dataclass
class Interrupted:
    case: str
    build: Build
    exit_code: int | None  # None: still running GONE_TIMEOUT s after the signal
    alive_after: list[int]
    served_before: tuple[int, int]
    served_after: tuple[int, int]
    current_before: str
    current_after: str
    lock_free: bool
    next_build_error: str  # "" if the next build (in this process) succeeded
    names_after_next: list[str]  # the index folder after the next build

    def state(self) -> str:
        return (f"exit {self.exit_code}, alive after the signal: {self.alive_after}, lock free: {self.lock_free}; "
                f"stderr:\n{self.build.stderr[-2000:]}")


SIGNAL_CASES = {
    # name: (signal, to the whole group?)
    "ctrl-c": (signal.SIGINT, True),  # a terminal sends SIGINT to the foreground process group
    "sigterm-group": (signal.SIGTERM, True),  # systemctl stop (the unit's cgroup), kill -TERM -PGID
    "sigterm-command": (signal.SIGTERM, False),  # kill PID: the command only, not its writers
    "sigkill-command": (signal.SIGKILL, False),  # the OOM killer, kill -9 PID: the command only
}


@contextmanager
def interrupt(case: str, base: Path) -> Iterator[Interrupted]:
    """Build a small index, start a build of the bundled corpus, signal it while both writers run,
    look, kill what is left, build the small corpus again (in this process)."""
    sig, to_group = SIGNAL_CASES[case]
    small_corpus = copy_small_corpus(base / "small")
    root = base / "index"
    build_index(small_corpus, root, progress=False)
    launcher = Launcher(base)
    try:
        current_before, served_before = os.readlink(root / CURRENT), totals(root)
        build = launcher.start(CORPUS, root)
        wait_for_writers(build, 2)  # in the middle of indexing, both writer processes running
        if to_group:
            signal_group(build, sig)
        else:
            os.kill(build.pgid, sig)
        try:
            exit_code = build.proc.wait(timeout=GONE_TIMEOUT)
        except subprocess.TimeoutExpired:
            exit_code = None
        alive = wait_group_gone(build.pgid, timeout=1)
        current_after, served_after = os.readlink(root / CURRENT), totals(root)
        try:
            assert_lock_is_free(root)
            lock_free = True
        except BuildBusy:
            lock_free = False
        signal_group(build, signal.SIGKILL)  # whatever is left, so that the next build can run
        build.proc.wait()
        assert not wait_group_gone(build.pgid)
        try:
            build_index(small_corpus, root, progress=False)
            next_build_error = ""
        except Exception as exc:  # noqa: BLE001 - reported by check_old_index_serves
            next_build_error = repr(exc)
        yield Interrupted(case, build, exit_code, alive, served_before, served_after, current_before, current_after,
                          lock_free, next_build_error, sorted(p.name for p in root.iterdir()))
    finally:
        launcher.close()


@pytest.fixture(scope="module", params=["ctrl-c", "sigterm-group", "sigterm-command"])
def interrupted(request, tmp_path_factory) -> Iterator[Interrupted]:
    with interrupt(request.param, tmp_path_factory.mktemp(f"signal-{request.param}")) as done:
        yield done


def check_old_index_serves(i: Interrupted) -> None:
    assert i.current_after == i.current_before, i.state()
    assert i.served_after == i.served_before, i.state()
    assert i.next_build_error == "", f"the next build failed: {i.next_build_error}"
    assert not [n for n in i.names_after_next if n.startswith(TMP_PREFIX)], i.names_after_next


def check_stops_with_its_writers(i: Interrupted) -> None:
    assert i.exit_code is not None, f"the command did not exit within {GONE_TIMEOUT} s: {i.state()}"
    assert i.alive_after == [], f"processes of the build outlived it: {i.state()}"
    assert i.lock_free, f"the build lock is still held after the build was stopped: {i.state()}"


def test_interrupted_build_leaves_the_old_index_serving(interrupted):
    check_old_index_serves(interrupted)


def test_interrupted_build_stops_with_its_writers(interrupted):
    check_stops_with_its_writers(interrupted)


def test_interrupted_build_says_so(interrupted):
    i = interrupted
    err = i.build.stderr.strip()
    assert i.exit_code not in (0, None), i.state()
    assert "Traceback" not in err, f"a traceback instead of a message: {i.state()}"
    last = err.splitlines()[-1] if err else ""
    assert re.match(r"error: .*(interrupt|stopped|terminated|signal)", last, re.IGNORECASE), \
        f"last line {last!r}: {i.state()}"


def test_a_build_whose_command_alone_is_killed_releases_the_lock(tmp_path):
    """SIGKILL to the command only, as the OOM killer sends it: no message is possible, but its writer
    processes must go with it and the next build must not find the lock held."""
    with interrupt("sigkill-command", tmp_path) as i:
        check_old_index_serves(i)
        check_stops_with_its_writers(i)
