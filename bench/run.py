"""``python -m bench``: build every engine's index over the same articles, time the fixed query set
in each mode, print the tables, and end with one JSON line of the headline figures."""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import corpus as bench_corpus
from .backends import compare_backends, environment, stopped_on_signals
from .engines import (
    DatasetteEngine,
    Engine,
    Fts5Engine,
    ProductHTTP,
    ProductInProcess,
    TantivyEngine,
)
from .queries import QUERIES, BenchQuery
from .solr import SolrBench

ROOT = Path(__file__).resolve().parent.parent
ENGINES = ("product", "fts5", "tantivy", "datasette")
BACKENDS = ("whoosh", "solr")  # search.engines.backend.BACKENDS
BUILDS = ("product", "fts5", "tantivy", "solr")  # what builds.json may hold: the indexes built here
PEER_PACKAGES = {"tantivy": "tantivy", "datasette": "datasette"}
DEFAULT_REPS = 3


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Index the same articles with the product, SQLite FTS5, tantivy and Datasette, "
                    "then time a fixed query set in each mode.")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "bench",
                        help="work folder for corpora, indexes and logs (default build/bench)")
    parser.add_argument("--shared", type=Path, default=None,
                        help="shared data folder holding corpora/ (default $ARCHIVE_SHARED_DIR or ../shared)")
    parser.add_argument("--corpus", type=Path, default=None,
                        help="index this corpus folder instead of importing Reuters, BBC News and Wikinews")
    parser.add_argument("--scale", type=int, default=1, metavar="N",
                        help="synthetic scale-up: N copies of the corpus, ids renewed, dates moved by whole years")
    parser.add_argument("--engines", default=",".join(ENGINES),
                        help=f"comma-separated subset of {','.join(ENGINES)} (the product is always run)")
    parser.add_argument("--reps", type=int, default=None, help=f"timed repetitions per query (default {DEFAULT_REPS})")
    parser.add_argument("--quick", action="store_true", help="one repetition: for tests and a first look")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse the corpus and indexes of the previous run in --work "
                             "(build figures are that run's)")
    parser.add_argument("--profile", action="store_true",
                        help="also profile one pass of Archive.search and of the HTML fragment "
                             "(cProfile, top functions)")
    parser.add_argument("--backend", choices=BACKENDS, default="whoosh",
                        help="the product's engine: whoosh (default); solr: a local "
                             "SolrCloud (3 nodes + ZooKeeper, 2 shards x 2 replicas) loaded straight from the "
                             "corpus by python -m search index --backend solr (the Whoosh build is kept, to compare)")
    args = parser.parse_args(argv)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = [e for e in engines if e not in ENGINES]
    if unknown:
        parser.error(f"unknown engine(s) {', '.join(unknown)}; choose from {', '.join(ENGINES)}")
    args.engines = ["product", *[e for e in ENGINES[1:] if e in engines]]
    if args.scale < 1:
        parser.error("--scale must be at least 1")
    if args.reps is None:
        args.reps = 1 if args.quick else DEFAULT_REPS
    if args.reps < 1:
        parser.error("--reps must be at least 1")
    args.work = args.work.resolve()
    return args


# --- building -----------------------------------------------------------------------------------

@dataclass
class Build:
    engine: str
    docs: int
    seconds: float  # as the builder reports it (the product: its "Indexed ... in X s" line)
    wall_seconds: float  # the child process, start to exit
    cpu_seconds: float
    peak_rss_mb: float  # the largest single process
    peak_tree_mb: float  # all its processes at once (sampled)
    size_mb: float
    note: str = ""

    @property
    def docs_per_s(self) -> float:
        return self.docs / self.seconds if self.seconds else 0.0


def tree_pids(pid: int) -> list[int]:
    """``pid`` and all its descendants (from /proc/<pid>/task/*/children)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                todo += [int(p) for p in (task / "children").read_text().split()]
            except (OSError, ValueError):
                pass
    return found


def tree_memory_mb(pid: int) -> float:
    """Memory of a process tree now: the sum of each process's PSS (shared pages split between the
    processes that share them, so forked workers are not counted twice); VmRSS where PSS is unreadable."""
    total_kb = 0
    for each in tree_pids(pid):
        try:
            text = Path(f"/proc/{each}/smaps_rollup").read_text()
            total_kb += next(int(line.split()[1]) for line in text.splitlines() if line.startswith("Pss:"))
        except (OSError, StopIteration, ValueError):
            try:
                text = Path(f"/proc/{each}/status").read_text()
                total_kb += next((int(line.split()[1]) for line in text.splitlines() if line.startswith("VmRSS:")), 0)
            except OSError:
                pass
    return total_kb / 1024


@dataclass
class ChildRun:
    output: str
    wall_seconds: float
    cpu_seconds: float  # the child and the processes it waited for
    peak_rss_mb: float  # the largest single process of the tree (wait4's ru_maxrss)
    peak_tree_mb: float  # the whole tree at once, sampled every 0.1 s (sum of PSS)


def run_child(command: list[str], log_path: Path, env: dict | None = None) -> ChildRun:
    """Run a child process; return its output, times and peak memory (wait4 rusage, plus a sampler).
    ``env``: settings added to its environment."""
    peak_tree = [0.0]
    with open(log_path, "wb") as log_file:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, stdout=log_file, stderr=subprocess.STDOUT,
                                   env={**os.environ, **env} if env else None)
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.1):
                peak_tree[0] = max(peak_tree[0], tree_memory_mb(process.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        except BaseException:
            process.kill()
            process.wait()
            raise
        finally:
            done.set()
            sampler.join()
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
    output = log_path.read_text(encoding="utf-8", errors="replace")
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}):\n{output[-3000:]}")
    return ChildRun(output, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,  # kB on Linux
                    max(peak_tree[0], usage.ru_maxrss / 1024))


def folder_mb(path: Path) -> float:
    path = path.resolve()
    if path.is_file():
        return path.stat().st_size / 1e6
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


INDEXED_LINE = re.compile(r"Indexed (\d+) articles from (\d+) files in ([\d.]+) s .*the index holds (\d+) articles")


def build_product(corpus: Path, index_root: Path, logs: Path) -> Build:
    """The product's build, as ``make index`` runs it."""
    if index_root.exists():
        shutil.rmtree(index_root)
    command = [sys.executable, "-m", "search", "index", "--corpus", str(corpus), "--index", str(index_root),
               "--no-progress", "--backend", "whoosh"]
    log(f"product: {' '.join(command[1:])}")
    child = run_child(command, logs / "product-index.log")
    output = child.output
    match = INDEXED_LINE.search(output)
    if not match:
        raise RuntimeError(f"unexpected output of python -m search index:\n{output[-2000:]}")
    for line in output.splitlines()[:5]:
        log(f"  {line}")
    docs, seconds = int(match.group(4)), float(match.group(3))
    current = index_root / "current"
    return Build("product", docs, seconds, child.wall_seconds, child.cpu_seconds, child.peak_rss_mb,
                 child.peak_tree_mb, folder_mb(current), note="includes parsing and company extraction (CorpusReader)")


def build_peer(engine: str, articles: Path, out: Path, logs: Path) -> Build:
    command = [sys.executable, "-m", "bench.build", engine, str(articles), str(out)]
    log(f"{engine}: python -m bench.build {engine} ...")
    child = run_child(command, logs / f"{engine}-build.log")
    reported = json.loads(child.output.strip().splitlines()[-1])
    note = {"fts5": "from parsed articles; also the database Datasette serves",
            "tantivy": "from parsed articles; writer threads: tantivy's default"}[engine]
    return Build(engine, reported["docs"], reported["seconds"], child.wall_seconds, child.cpu_seconds,
                 child.peak_rss_mb, child.peak_tree_mb, folder_mb(out), note=note)


# --- timing -------------------------------------------------------------------------------------

@dataclass
class Timing:
    engine: str
    mode: str
    samples: list[float] = field(default_factory=list)  # ms, every query x repetition
    per_query: dict[str, list[float]] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def p50(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        return percentile(self.samples, 95)

    @property
    def mean(self) -> float:
        return statistics.fmean(self.samples)


def percentile(samples: list[float], pct: int) -> float:
    if len(samples) == 1:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[pct - 1]


def time_engine(engine: Engine, queries: tuple[BenchQuery, ...], reps: int) -> list[Timing]:
    """Per mode: a warm-up pass over every query, then ``reps`` timed passes."""
    timings = []
    for mode in engine.modes:
        timing = Timing(engine.name, mode)
        for query in queries:  # warm-up: caches, lazily built structures, keep-alive connection
            timing.totals[query.label] = engine.answer(query, mode)
        for _ in range(reps):
            for query in queries:
                started = time.perf_counter()
                engine.answer(query, mode)
                elapsed = (time.perf_counter() - started) * 1000
                timing.samples.append(elapsed)
                timing.per_query.setdefault(query.label, []).append(elapsed)
        log(f"  {engine.label:<13} {mode:<9} p50 {timing.p50:8.2f} ms  p95 {timing.p95:8.2f} ms")
        timings.append(timing)
    return timings


def _profiled(run, top: int) -> str:
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    run()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def profile_product(engine: ProductInProcess, queries, top: int = 30) -> str:
    """cProfile of one pass of the queries through the engine's ``search`` as the web app calls it."""
    return _profiled(lambda: [engine.answer(query, "full") for query in queries], top)


def profile_fragment(index_root: Path, queries, top: int = 30) -> str:
    """cProfile of one pass of the queries through the Flask app's results fragment (test client, no server)."""
    from urllib.parse import urlencode

    from web import create_app

    app = create_app({"INDEX_DIR": str(index_root)})
    client = app.test_client()
    try:
        def fetch_all() -> None:
            for query in queries:
                response = client.get("/?" + urlencode(query.product_params(), doseq=True),
                                      headers={"HX-Request": "true"})
                response.close()

        fetch_all()  # warm-up: opens the index
        return _profiled(fetch_all, top)
    finally:
        app.extensions["archive"].close()


# --- the run ------------------------------------------------------------------------------------

def prepare_corpus(args, logs: Path) -> tuple[Path, list[int] | None]:
    """Return the corpus folder to index and, for a synthetic scale-up, each copy's shift in years."""
    if args.corpus is not None:
        source = args.corpus.resolve()
        if not source.is_dir():
            raise SystemExit(f"--corpus {source} is not a folder")
    else:
        source = args.work / "corpus"
        if not (args.reuse and source.exists()):
            bench_corpus.import_real_corpus(bench_corpus.shared_dir(args.shared), source, log)
    if args.scale == 1:
        return source, None
    target = args.work / f"x{args.scale}" / "corpus"
    recorded = target.parent / "synthetic.json"
    if args.reuse and target.exists() and recorded.exists():
        return target, json.loads(recorded.read_text())["year_offsets"]
    log(f"synthetic scale-up: {args.scale} copies of {source}")
    real = bench_corpus.read_articles(source)
    offsets = bench_corpus.build_synthetic_corpus(real.articles, source, target, args.scale, log)
    log(f"  copies dated {', '.join(f'{o:+d}' for o in offsets)} years from the real articles")
    return target, offsets


def _remove_solr_run(run_dir: Path) -> None:
    """A previous --backend solr run's cluster files and build folder: not this build's."""
    from search.engines.solr.nodes import kill_leftovers

    if (run_dir / "solr").exists():
        kill_leftovers(run_dir / "solr")
    shutil.rmtree(run_dir / "solr", ignore_errors=True)
    shutil.rmtree(run_dir / "solr-index", ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.backend == "solr":
        from .solr import require_java

        require_java()
    work = args.work
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    run_dir = work if args.scale == 1 else work / f"x{args.scale}"  # a scale-up keeps its own indexes
    solr = SolrBench(run_dir / "solr") if args.backend == "solr" else None
    with stopped_on_signals():
        try:
            return _run(args, logs, run_dir, solr)
        finally:
            if solr is not None and solr.cluster is not None:
                log("stopping the Solr cluster")
                solr.stop()


def _run(args, logs: Path, run_dir: Path, solr: SolrBench | None = None) -> int:
    from .report import _code_version

    code_at_start = _code_version()
    work = args.work
    missing = {e: p for e, p in PEER_PACKAGES.items() if e in args.engines and importlib.util.find_spec(p) is None}
    for engine, package in missing.items():
        log(f"SKIPPED {engine}: the {package!r} package is not installed (make bench installs requirements-bench.txt)")
    engines = [e for e in args.engines if e not in missing]
    skipped = {e: "not installed" for e in missing}
    skipped.update({e: "not asked for (--engines)" for e in ENGINES if e not in args.engines})

    corpus, year_offsets = prepare_corpus(args, logs)
    synthetic = year_offsets is not None
    index_root = run_dir / "index"
    peers_dir = run_dir / "peers"
    articles_path = peers_dir / "articles.jsonl"
    db_path = peers_dir / "bench.db"
    tantivy_dir = peers_dir / "tantivy"
    builds_file = run_dir / "builds.json"

    builds: dict[str, Build] = {}
    parse_seconds = None
    reused = False
    solr_figures: dict = {}
    solr_index = run_dir / "solr-index"  # the Solr build's folder (manifest, vocabulary...), beside the collection
    if args.reuse and builds_file.exists():
        saved = json.loads(builds_file.read_text())
        needed = {"fts5" if e == "datasette" else e for e in engines}
        if solr is not None:
            needed.add("solr")
        if saved.get("corpus") == str(corpus) and needed <= saved["builds"].keys():
            # Only the builds this harness makes (a builds.json of a retired backend may hold others).
            builds = {name: Build(**b) for name, b in saved["builds"].items() if name in BUILDS}
            parse_seconds = saved.get("parse_seconds")
            solr_figures = saved.get("solr") or {}
            reused = True
            log(f"reusing the indexes built by the previous run in {work}")
    if solr is None:  # indexes reused from a solr run: only the Whoosh figures apply
        builds.pop("solr", None)
        solr_figures = {}
    elif reused:
        solr.start(fresh=False)  # the same ports (cluster.json), so that the cores and the cluster state match
        log(f"Solr cluster: {solr.describe()}")
        found = solr.count(solr_figures["collection"])
        if found != builds["product"].docs:
            raise SystemExit(f"the reused Solr collection {solr_figures['collection']} holds {found} articles, the "
                             f"Whoosh build {builds['product'].docs}: run without --reuse")
        # Memory now is that of nodes just restarted, not just loaded: said as such in the report.
        solr_figures.update(after_load=[vars(m) for m in solr.memory()], data_mb=solr.data_mb(), restarted=True)
    if not reused:
        builds["product"] = build_product(corpus, index_root, logs)
        if solr is None:
            _remove_solr_run(run_dir)
        else:
            solr.start(fresh=True)
            log(f"Solr cluster: {solr.describe()}")
            from .solr import build_solr, compare_figures

            builds["solr"], solr_figures = build_solr(corpus, solr_index, logs, solr)
            solr_figures.update(compare_figures(solr_figures, builds["product"]))
            figures = solr_figures
            log(f"  Solr load: {figures['documents']:,} articles in {figures['wall_seconds']:.1f} s end to end "
                f"({figures['docs_per_s']:.0f} articles/s; Whoosh {figures['whoosh_docs_per_s']:.0f}/s: "
                f"{figures['speedup']}x), {sum(figures['data_mb'].values()):.1f} MB on disk")
        peers = [e for e in engines if e != "product"]
        if peers:
            log("reading the corpus with the product's CorpusReader for the peers")
            read = bench_corpus.export_articles(corpus, articles_path)
            parse_seconds = read.seconds
            log(f"  {read.docs} articles from {read.files} files in {read.seconds:.1f} s")
            if read.docs != builds["product"].docs:
                raise SystemExit(f"the product indexed {builds['product'].docs} articles but its reader gives "
                                 f"{read.docs}: the peers would not index the same articles")
            if "fts5" in peers or "datasette" in peers:
                builds["fts5"] = build_peer("fts5", articles_path, db_path, logs)
            if "tantivy" in peers:
                builds["tantivy"] = build_peer("tantivy", articles_path, tantivy_dir, logs)
        builds_file.write_text(json.dumps({"corpus": str(corpus), "parse_seconds": parse_seconds,
                                           "builds": {k: vars(v) for k, v in builds.items()},
                                           "solr": solr_figures or None},
                                          indent=1))
    for name, build in builds.items():
        if build.docs != builds["product"].docs:
            raise SystemExit(f"{name} indexed {build.docs} articles, the product {builds['product'].docs}")

    # --- queries ---
    queries = QUERIES
    timings: list[Timing] = []
    memory: dict[str, dict] = {}
    profile_text = ""
    compared = None
    # What the product's engines are told (search/config.py), in process and in the server's environment.
    backend_env = solr.env() if solr is not None else {"ARCHIVE_SEARCH_BACKEND": "whoosh"}
    # The folder the product's engine serves: the Solr build's own (its manifest names the collection).
    served_root = solr_index if solr is not None else index_root
    log(f"timing {len(queries)} queries x {args.reps} repetition(s) after a warm-up pass; "
        f"the product's backend: {args.backend}")
    load_before = os.getloadavg()[0]
    product = ProductInProcess(served_root, args.backend, backend_env)
    try:
        docs = product.documents()
        timings += time_engine(product, queries, args.reps)
        if solr is not None:
            log("comparing the Solr engine's answers with the Whoosh engine's over the same corpus (untimed)")
            compared = compare_backends(index_root, product.archive, queries, "solr")
        if args.profile:
            profile_text = (f"Profile of one pass of the {args.backend} engine's search as the web app calls it "
                            "(mode full):\n" + profile_product(product, queries))
    finally:
        product.close()
    if args.profile:
        with environment(backend_env):
            profile_text += ("\nProfile of one pass of the results fragment (GET /?q= with HX-Request: true) "
                             "through Flask's test client:\n" + profile_fragment(served_root, queries))
    server = ProductHTTP(served_root, logs / "gunicorn.log", backend_env)
    try:
        timings += time_engine(server, queries, args.reps)
        memory["product-http"] = server.worker_memory()
        memory["product-http"]["reconnects"] = server.client.reconnects
        memory["product-http"]["first_requests"] = server.first
    finally:
        server.close()
    if solr is not None:
        solr.check_running()
        memory["solr"] = {"heap_mb": solr.heap_mb, "after_load": solr_figures.get("after_load", []),
                          "after_queries": [vars(m) for m in solr.memory()], "data_mb": solr.data_mb()}
    peers = {
        "fts5": lambda: Fts5Engine(db_path),
        "tantivy": lambda: TantivyEngine(tantivy_dir),
        "datasette": lambda: DatasetteEngine(db_path, logs / "datasette.log"),
    }
    for name, open_engine in peers.items():
        if name not in engines:
            continue
        engine = open_engine()
        try:
            timings += time_engine(engine, queries, args.reps)
            if name == "datasette":
                memory["datasette"] = engine.memory()
                memory["datasette"]["reconnects"] = engine.client.reconnects
        finally:
            engine.close()

    load_after = os.getloadavg()[0]
    from .report import render

    text, summary, details = render(
        args=args, docs=docs, synthetic=synthetic, corpus=corpus, builds=builds, parse_seconds=parse_seconds,
        timings=timings, memory=memory, engines=engines, skipped=skipped, reused=reused, queries=queries,
        load=(load_before, load_after), year_offsets=year_offsets, backend=args.backend,
        compared=compared, solr=solr_figures or None, cluster=solr.describe() if solr is not None else "",
        code_at_start=code_at_start,
    )
    details_path = run_dir / "results.json"
    details_path.write_text(json.dumps(details, indent=1, ensure_ascii=False))
    # A copy per backend, so that a run of the other backend in the same folder does not replace it.
    shutil.copyfile(details_path, run_dir / f"results-{args.backend}.json")
    summary["details"] = str(details_path)
    print(text)
    if profile_text:
        print("\n" + profile_text)
    print(json.dumps(summary))
    return 0
