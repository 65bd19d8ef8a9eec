"""The benchmark harness (`make bench`, python -m bench) runs end to end on a tiny corpus.

This checks only that it works: the figures that matter come from `make bench` on the 24k-article
corpus. The harness runs once (a child process, like `make bench`); each peer's checks are skipped,
with the reason, only when its package is not installed. With ``--backend solr`` it runs once more
against a local SolrCloud (3 nodes and ZooKeeper, the corpus loaded straight into it): those tests fail,
never skip, without Java and the launcher.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from search.ingest.corpus import CorpusReader
from tests.support.paths import CORPUS, ROOT, copy_small_corpus

REQUIRED_KEYS = {
    "docs", "index_docs_per_s", "http_p50_ms", "http_p95_ms", "datasette_p50_ms", "datasette_p95_ms",
    "fts5_p50_ms", "tantivy_p50_ms", "rss_mb", "synthetic", "scale", "inproc_p50_ms", "index_mb", "worker_rss_mb",
}
# One-word (and one filtered) queries of the fixed set whose totals every engine must agree on here.
EASY_QUERIES = ("government", "coronavirus", "police [source=Wikinews] [year=2019]")
PEER_PACKAGES = {"fts5": "sqlite3", "tantivy": "tantivy", "datasette": "datasette"}


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory):
    """Run the harness on the bundled corpus (294 articles) with one repetition per query."""
    tmp = tmp_path_factory.mktemp("bench")
    corpus = tmp / "corpus"
    shutil.copytree(CORPUS, corpus)
    work = tmp / "work"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--corpus", str(corpus), "--work", str(work), "--quick"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, f"python -m bench failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    lines = done.stdout.strip().splitlines()
    summary = json.loads(lines[-1])
    details = json.loads((work / "results.json").read_text(encoding="utf-8"))
    expected_docs = sum(len(result.articles) for result in CorpusReader(corpus).read_all())
    return {"stdout": done.stdout, "stderr": done.stderr, "summary": summary, "details": details,
            "expected_docs": expected_docs, "work": work}


def _totals(details: dict, engine: str) -> dict[str, int]:
    return next(t["totals"] for t in details["timings"] if t["engine"] == engine and t["mode"] == "top10")


def test_last_line_is_the_summary_json(bench_run):
    summary = bench_run["summary"]
    assert REQUIRED_KEYS <= summary.keys()
    assert summary["docs"] == bench_run["expected_docs"] > 0
    assert summary["synthetic"] is False and summary["scale"] == 1
    assert summary["index_docs_per_s"] > 0 and summary["index_mb"] > 0 and summary["rss_mb"] > 0
    assert summary["http_p50_ms"] > 0 and summary["http_p95_ms"] >= summary["http_p50_ms"]
    assert 0 < summary["http_hit_p50_ms"] and summary["first_request_ms"]  # the response cache; each worker's first
    assert set(summary["inproc_p50_ms"]) == {"top10", "facets", "snippets", "full"}
    assert all(value > 0 for value in summary["inproc_p50_ms"].values())
    assert summary["worker_rss_mb"] > 0


def test_the_tables_are_printed(bench_run):
    out = bench_run["stdout"]
    for heading in ("Index build", "Search latency per query (ms)", "Memory", "product-http[whoosh]", "code: "):
        assert heading in out
    assert "Traceback" not in bench_run["stderr"]
    assert "ResourceWarning" not in bench_run["stderr"] + out


def test_product_over_http_agrees_with_product_in_process(bench_run):
    details = bench_run["details"]
    assert _totals(details, "product")["government"] > 0
    api = next(t["totals"] for t in details["timings"] if t["engine"] == "product-http" and t["mode"] == "json")
    assert api == _totals(details, "product")


@pytest.mark.parametrize("peer", ["fts5", "tantivy", "datasette"])
def test_peer_indexes_the_same_articles_and_finds_the_same_totals(bench_run, peer):
    if importlib.util.find_spec(PEER_PACKAGES[peer]) is None:
        assert f"SKIPPED {peer}" in bench_run["stderr"]
        pytest.skip(f"{PEER_PACKAGES[peer]} is not installed (make bench-install installs requirements-bench.txt)")
    summary, details = bench_run["summary"], bench_run["details"]
    assert summary[f"{peer}_p50_ms"] > 0
    if peer != "datasette":  # Datasette serves the fts5 database
        assert details["builds"][peer]["docs"] == summary["docs"]
    product, theirs = _totals(details, "product"), _totals(details, peer)
    for label in EASY_QUERIES:
        assert theirs[label] == product[label] > 0, label
    assert summary["agreement"][peer] >= 0.9


def test_synthetic_scale_up_is_said_and_counted(tmp_path):
    """--scale 2 on 41 articles: twice the articles, new ids, and the output says it is synthetic."""
    corpus = copy_small_corpus(tmp_path / "corpus")
    real = sum(len(result.articles) for result in CorpusReader(corpus).read_all())
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--corpus", str(corpus), "--work", str(tmp_path / "work"), "--quick",
         "--scale", "2", "--engines", "product"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, f"python -m bench --scale 2 failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["synthetic"] is True and summary["scale"] == 2
    assert summary["docs"] == 2 * real
    assert summary["engines"] == ["product"] and summary["fts5_p50_ms"] is None
    assert "SYNTHETIC" in done.stdout
    copies = sorted((tmp_path / "work" / "x2" / "corpus-files").glob("copy-*.jsonl"))
    assert len(copies) == 2
    first, second = (json.loads(path.read_text(encoding="utf-8").splitlines()[-1]) for path in copies)
    assert first["title"] == second["title"] and first["id"] != second["id"]
    assert int(first["published"][:4]) - int(second["published"][:4]) == 20
    assert summary["year_offsets"] == [0, -20]


@pytest.fixture(scope="module")
def solr_run(tmp_path_factory):
    """The harness with --backend solr on the bundled corpus, the product and FTS5 only: a local SolrCloud
    (3 nodes + ZooKeeper) in the work folder, the corpus loaded straight into it."""
    from search.engines.solr import nodes

    if nodes.java_path() is None:
        pytest.fail("java is not installed: the Solr backend's benchmark needs it "
                    "(apt-get install default-jdk-headless)")
    if not nodes.launcher_ready() and shutil.which("mvn") is None:
        pytest.fail("the Solr launcher is not built and Maven is missing: `apt-get install maven` (.ci/run does)")
    tmp = tmp_path_factory.mktemp("bench-solr")
    corpus = tmp / "corpus"
    shutil.copytree(CORPUS, corpus)
    work = tmp / "work"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--corpus", str(corpus), "--work", str(work), "--quick",
         "--backend", "solr", "--engines", "product,fts5"],
        cwd=ROOT, capture_output=True, text=True, timeout=900, check=False,
    )
    assert done.returncode == 0, f"python -m bench --backend solr failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    details = json.loads((work / "results.json").read_text(encoding="utf-8"))
    expected_docs = sum(len(result.articles) for result in CorpusReader(corpus).read_all())
    return {"stdout": done.stdout, "stderr": done.stderr, "summary": summary, "details": details,
            "expected_docs": expected_docs, "work": work}


def _solr_running_in(folder) -> list[int]:
    """Launcher JVMs (Solr nodes, ZooKeeper) whose files are under ``folder``."""
    from search.engines.solr.nodes import MAIN_CLASSES

    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if any(main in command for main in MAIN_CLASSES) and str(folder) in command:
                found.append(int(proc.name))
    return found


def test_solr_backend_prints_the_product_rows_labelled_solr(solr_run):
    out, summary = solr_run["stdout"], solr_run["summary"]
    for heading in ("Index build", "Search latency per query (ms)", "Memory", "Ratios of medians"):
        assert heading in out
    assert "Traceback" not in solr_run["stderr"]
    assert "ResourceWarning" not in solr_run["stderr"] + out
    assert summary["backend"] == "solr" and "product backend: solr" in out
    assert summary["docs"] == solr_run["expected_docs"] > 0
    rows = {(m.group(1), m.group(2)): float(m.group(3)) for m in re.finditer(
        r"^(product(?:-http)?\[solr\]|fts5)\s+([\w-]+)\s+([\d.]+)\s+[\d.]+\s+[\d.]+", out, re.MULTILINE)}
    for mode in ("top10", "facets", "snippets", "full"):
        assert rows[("product[solr]", mode)] > 0, mode
    for mode in ("html", "html-hit", "json"):
        assert rows[("product-http[solr]", mode)] > 0, mode
    assert set(summary["inproc_p50_ms"]) == {"top10", "facets", "snippets", "full"}
    assert summary["http_p50_ms"] > 0 and summary["worker_rss_mb"] > 0
    assert re.search(r"product\[solr\]/fts5 snippets\s+[\d.]+x", out)


def test_solr_load_memory_and_data_are_reported(solr_run):
    summary, details = solr_run["summary"], solr_run["details"]
    figures = summary["solr"]
    # Loaded straight from the corpus, timed end to end, beside the harness's Whoosh build of the same corpus.
    assert figures["load_seconds"] > 0 and figures["load_docs_per_s"] > 0
    assert figures["whoosh_wall_seconds"] > 0 and figures["whoosh_docs_per_s"] > 0 and figures["speedup"] > 0
    assert figures["parse_seconds"] is not None and figures["commit_seconds"] is not None
    assert figures["indexer_cpu_seconds"] > 0 and figures["jvm_cpu_seconds_during_load"] > 0
    assert details["builds"]["solr"]["docs"] == details["builds"]["product"]["docs"] == summary["docs"]
    assert details["solr"]["index_root"] != str(solr_run["work"] / "index")  # not the Whoosh build's folder
    placement = details["solr"]["placement"]
    assert len(placement) == 2 and all(len(set(nodes)) == 2 for nodes in placement.values())
    assert set(figures["data_mb"]) == set(figures["rss_mb_after_queries"]) == {"node1", "node2", "node3"}
    assert sum(figures["data_mb"].values()) > 0 and all(mb > 0 for mb in figures["rss_mb_after_queries"].values())
    assert figures["heap_mb"] > 0
    out = solr_run["stdout"]
    assert re.search(r"^solr\s+[\d,]+\s+[\d.]+\s+\d+", out, re.MULTILINE)
    assert re.search(r"Solr JVM x3 \(-Xmx\d+m each\) after the queries: VmRSS \d+ MB", out)
    assert "Solr data on disk:" in out and "solr/whoosh" in out


def test_solr_and_whoosh_backends_find_the_same_totals(solr_run):
    summary, details = solr_run["summary"], solr_run["details"]
    agreement = summary["backend_agreement"]
    assert agreement["queries"] == summary["queries"] == 56
    assert agreement["totals"] >= 0.95 * agreement["queries"], details["backend_comparison"]
    assert agreement["api_totals"] >= 0.95 * agreement["queries"]
    whoosh = details["backend_comparison"]["whoosh_totals"]
    assert details["backend_comparison"]["solr_totals"] == _totals(details, "product")
    assert whoosh["government"] > 0
    # Facets and first pages: reported (the engine is meant to give the same, the contract tests require it).
    assert 0 <= agreement["facets"] <= agreement["queries"] and 0 <= agreement["top10_order"] <= agreement["queries"]
    assert "Whoosh and Solr backends over the same corpus" in solr_run["stdout"]
    assert "identical first pages" in solr_run["stdout"]


def test_solr_cluster_is_stopped_at_the_end(solr_run):
    assert "stopping the Solr cluster" in solr_run["stderr"]
    assert _solr_running_in(solr_run["work"]) == []
