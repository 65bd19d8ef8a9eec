"""``--backend solr``: a real local SolrCloud (ZooKeeper and 3 Solr nodes, each its own JVM, on loopback
ports) for the product's Solr engine, the build loaded straight into it, and the checks that it answers
as the Whoosh engine does over the same corpus.

The cluster is ``search.engines.solr.nodes.LocalSolrCluster``, with its data under the bench's run folder
(``solr/``). The product's Solr build is made as an operator makes it: ``python -m search index --backend
solr`` with the ARCHIVE_SOLR_* settings, from the corpus, with no Whoosh build (the loader parses, encodes
and sends; ``search/engines/solr/loader.py``), into its own index folder (``solr-index/``: the manifest,
vocabulary, near-duplicate groups... that the engine reads beside the collection). The harness's Whoosh
build of the same corpus (``index/``) stays, for the comparison of ingest rates and of answers.

The JVMs are not children of the bench: their memory and CPU time are read from /proc here.
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .backends import NodeMemory, _status_kb, process_cpu_seconds

NODES = 3
SHARDS = 2
REPLICAS = 2
HEAP_MB = 512  # per Solr node (-Xmx), as `make solr` and the tests run them
ALIAS = "news"
CONFIGSET = "news"


def require_java() -> None:
    """Java and the launcher (or Maven to build it), or a clear error before anything long."""
    from search.engines.solr import nodes

    if nodes.java_path() is None:
        raise SystemExit("--backend solr needs Java 17 or later (apt-get install default-jdk-headless)")
    if not nodes.launcher_ready() and shutil.which("mvn") is None:
        raise SystemExit("--backend solr needs the Solr launcher (deploy/solr, `make solr-build`) or Maven to build it")


@dataclass
class SolrBench:
    """A ``LocalSolrCluster`` of ``nodes`` Solr nodes and ZooKeeper, with its files in ``root``."""

    root: Path
    nodes: int = NODES
    heap_mb: int = HEAP_MB
    cluster: object = None
    named: list = field(default_factory=list)  # (name, LocalSolrNode)

    def start(self, fresh: bool) -> SolrBench:
        from search.engines.solr.nodes import CONFIGSET_DIR, LocalSolrCluster, kill_leftovers

        require_java()
        if fresh and self.root.exists():
            kill_leftovers(self.root)
            shutil.rmtree(self.root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.cluster = LocalSolrCluster(self.root, nodes=self.nodes, heap_mb=self.heap_mb).start()
        self.named = [(f"node{i}", node) for i, node in enumerate(self.cluster.nodes, 1)]
        self.cluster.upload_configset(CONFIGSET, CONFIGSET_DIR)
        if not fresh:  # restarted on a previous run's cores: wait until their replicas have recovered
            for name in sorted(self.cluster.cluster_status()["collections"]):
                self.cluster.wait_active(name)
        return self

    def stop(self) -> None:
        if self.cluster is not None:
            self.cluster.stop()
            self.cluster = None

    def env(self) -> dict[str, str]:
        """The settings the web app, the engine and the loader read (search/config.py), pointing at this cluster."""
        return {
            "ARCHIVE_SEARCH_BACKEND": "solr",
            "ARCHIVE_SOLR_URLS": ",".join(self.cluster.urls),
            "ARCHIVE_SOLR_ALIAS": ALIAS,
            "ARCHIVE_SOLR_CONFIGSET": CONFIGSET,
        }

    def describe(self) -> str:
        from search.engines.solr.nodes import SOLR_VERSION

        nodes = ", ".join(f"{name} {node.url} (pid {node.pid})" for name, node in self.named)
        return (f"Solr {SOLR_VERSION}, {len(self.named)} nodes of {self.heap_mb} MB heap each ({nodes}), ZooKeeper "
                f"{self.cluster.zk_host}; collections of {SHARDS} shards x {REPLICAS} replicas; files in {self.root}")

    def pids(self) -> dict[str, int]:
        found = {name: node.pid for name, node in self.named}
        if self.cluster.zookeeper is not None and self.cluster.zookeeper.pid:
            found["zookeeper"] = self.cluster.zookeeper.pid
        return found

    def check_running(self) -> None:
        gone = [name for name, node in self.named if not node.is_alive()]
        if gone:
            raise RuntimeError(f"Solr exited on {', '.join(gone)} (see {self.root}/logs)")

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time of each JVM so far (the Solr nodes and ZooKeeper)."""
        return {name: process_cpu_seconds(pid) for name, pid in self.pids().items()}

    def memory(self) -> list[NodeMemory]:
        """Each Solr node's JVM now: VmRSS, PSS, and its peak VmHWM (the heap is at most ``heap_mb`` of it)."""
        from .run import tree_memory_mb

        found = []
        for name, node in self.named:
            pid = node.pid
            found.append(NodeMemory(name, pid, round(_status_kb(pid, "VmRSS") / 1024, 1),
                                    round(tree_memory_mb(pid), 1), round(_status_kb(pid, "VmHWM") / 1024, 1)))
        return found

    def data_mb(self) -> dict[str, float]:
        """Bytes on disk per node (MB): its cores (index files, transaction logs), not the logs."""
        return {name: round(sum(p.stat().st_size for p in Path(node.workdir).rglob("*") if p.is_file()) / 1e6, 1)
                for name, node in self.named}

    def placement(self, collection: str) -> dict[str, list[str]]:
        """{shard: [node1, ...]}: where each replica is, by the bench's node names."""
        by_address = {node.node_name: name for name, node in self.named}
        return {shard: [by_address.get(n, n) for n in nodes]
                for shard, nodes in self.cluster.placement(collection).items()}

    def count(self, collection: str) -> int:
        from search.engines.solr.nodes import api

        answer = api(self.cluster.live_url(), f"{collection}/select", {"q": "*:*", "rows": "0"})
        return int(answer["response"]["numFound"])


def build_solr(corpus: Path, index_root: Path, logs: Path, solr: SolrBench):
    """``python -m search index --backend solr`` of ``corpus`` into ``index_root`` on the bench's cluster, timed
    end to end (the child process, start to exit: parsing, encoding, sending, commit, build files, publishing),
    with the CPU of the indexer's processes and of the JVMs meanwhile. Returns (Build, figures)."""
    from search.index.store import IndexStore

    from .run import INDEXED_LINE, Build, log, run_child

    if index_root.exists():  # its parse cache too: the Solr build reads the corpus cold, as the Whoosh build does
        shutil.rmtree(index_root)
    env = solr.env()
    command = [sys.executable, "-m", "search", "index", "--backend", "solr", "--corpus", str(corpus),
               "--index", str(index_root), "--no-progress"]
    log(f"solr: {' '.join(f'{k}={v!r}' for k, v in env.items() if k != 'ARCHIVE_SEARCH_BACKEND')}")
    log(f"solr: {' '.join(command[1:])}")
    cpu_before = solr.cpu_seconds()
    child = run_child(command, logs / "solr-index.log", env=env)
    cpu_after = solr.cpu_seconds()
    solr.check_running()
    match = INDEXED_LINE.search(child.output)
    if not match:
        raise RuntimeError(f"unexpected output of python -m search index --backend solr:\n{child.output[-2000:]}")
    for line in child.output.splitlines()[:6]:
        log(f"  {line}")
    entry = IndexStore(index_root).manifest().get("solr")
    if not entry:
        raise RuntimeError(f"the Solr build in {index_root} has no 'solr' entry in its manifest")
    docs = int(entry["documents"])
    jvm_cpu = {name: round(cpu_after[name] - cpu_before.get(name, 0.0), 2) for name in cpu_after}
    memory = solr.memory()
    data = solr.data_mb()
    placement = solr.placement(entry["collection"])
    build = Build("solr", docs, child.wall_seconds, child.wall_seconds, child.cpu_seconds + sum(jvm_cpu.values()),
                  child.peak_rss_mb, child.peak_tree_mb, sum(data.values()),
                  note=f"python -m search index --backend solr, end to end (wall s, parsing included); CPU s: the "
                       f"indexer's processes {child.cpu_seconds:.1f} + the JVMs {sum(jvm_cpu.values()):.1f}; "
                       f"size MB: the {len(data)} nodes' cores ({REPLICAS} replicas of each shard)")
    figures = {
        "collection": entry["collection"],
        "alias": entry["alias"],
        "index_root": str(index_root),
        "documents": docs,
        "shards": entry.get("shards"),
        "replicas": entry.get("replicas"),
        "placement": placement,
        "wall_seconds": round(child.wall_seconds, 2),
        "reported_seconds": float(match.group(3)),  # the loader's "Indexed ... in X s" (to the build files written)
        "docs_per_s": round(docs / child.wall_seconds, 1) if child.wall_seconds else 0.0,
        "parse_seconds": entry.get("parse_seconds"),  # parse + encode + send, overlapped
        "send_wait_seconds": entry.get("send_wait_seconds"),  # of which the parser waited for Solr
        "commit_seconds": entry.get("commit_seconds"),
        "indexer_cpu_seconds": round(child.cpu_seconds, 2),
        "indexer_peak_rss_mb": round(child.peak_rss_mb, 1),
        "indexer_peak_tree_mb": round(child.peak_tree_mb, 1),
        "jvm_cpu_seconds_during_load": jvm_cpu,
        "heap_mb": solr.heap_mb,
        "data_mb": data,
        "after_load": [vars(m) for m in memory],
    }
    return build, figures


def compare_figures(solr: dict, whoosh_build) -> dict:
    """Ingest, Solr vs Whoosh, end to end (each child process from start to exit, parsing included)."""
    whoosh_rate = whoosh_build.docs / whoosh_build.wall_seconds if whoosh_build.wall_seconds else 0.0
    return {
        "whoosh_wall_seconds": round(whoosh_build.wall_seconds, 2),
        "whoosh_reported_seconds": round(whoosh_build.seconds, 2),
        "whoosh_docs_per_s": round(whoosh_rate, 1),
        "whoosh_cpu_seconds": round(whoosh_build.cpu_seconds, 2),
        "speedup": round(solr["docs_per_s"] / whoosh_rate, 2) if whoosh_rate else None,
    }
