"""``--backend manticore``: a real local cluster (2 data nodes and a head node, ``searchd`` on loopback
ports) for the product's Manticore/Sphinx engine, and the checks that it answers as Whoosh does.

The cluster is ``search.engines.manticore.nodes.LocalCluster``, with its data under the bench's work folder.
The product's index is built as an operator builds it (``python -m search index --backend manticore``
with the ARCHIVE_MANTICORE_* settings), so the indexer's ``before_publish`` step
(``search.engines.manticore.loader.publish_step``) loads the build into the data nodes; the Whoosh build and
the load are timed apart (the manifest records the load). The searchd processes are not children of
the bench, so their memory and CPU time are read from /proc here.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .backends import NodeMemory, _status_kb, compare_backends, environment, process_cpu_seconds, stopped_on_signals

DATA_NODES = 2
# What a node's folder holds besides its data: configuration and logs (the query log grows with every query).
NOT_DATA = {"sphinx.conf", "searchd.log", "query.log", "stdout.log", "searchd.pid"}


def require_searchd() -> str:
    """The searchd binary, or a clear error: the Manticore backend cannot be measured without it."""
    from search.engines.manticore.nodes import searchd_path

    binary = searchd_path()
    if binary is None:
        raise SystemExit("--backend manticore needs searchd (Debian package sphinxsearch: "
                         "apt-get install sphinxsearch); it was not found on PATH, in /usr/bin or in /usr/sbin")
    return binary


@dataclass
class BenchCluster:
    """A ``LocalCluster`` of ``data_nodes`` data nodes and a head node, with its data in ``root``."""

    root: Path
    data_nodes: int = DATA_NODES
    cluster: object = None
    nodes: list = field(default_factory=list)  # (name, LocalNode): head first

    def start(self, fresh: bool) -> BenchCluster:
        from search.engines.manticore.nodes import LocalCluster

        require_searchd()
        if fresh and self.root.exists():
            shutil.rmtree(self.root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.cluster = LocalCluster(self.root, data_nodes=self.data_nodes).start()
        self.nodes = [("head", self.cluster.head), *((f"node{i + 1}", n) for i, n in enumerate(self.cluster.nodes))]
        return self

    def stop(self) -> None:
        if self.cluster is not None:
            self.cluster.stop()
            self.cluster = None

    def env(self) -> dict[str, str]:
        """The settings the web app and the indexer read (search/config.py), pointing at this cluster."""
        head = self.cluster.head.sql
        return {
            "ARCHIVE_SEARCH_BACKEND": "manticore",
            "ARCHIVE_MANTICORE_HOST": head.host,
            "ARCHIVE_MANTICORE_PORT": str(head.port),
            "ARCHIVE_MANTICORE_NODES": " ".join(str(a) for a in self.cluster.data_addresses),
        }

    def describe(self) -> str:
        head = self.cluster.head
        data = ", ".join(f"{n.sql} (api {n.api_port})" for n in self.cluster.nodes)
        return f"head {head.sql}, data nodes {data}; data in {self.root}"

    def pids(self) -> dict[str, int]:
        return {name: node.process.pid for name, node in self.nodes}

    def check_running(self) -> None:
        gone = [name for name, node in self.nodes if node.process is None or node.process.poll() is not None]
        if gone:
            raise RuntimeError(f"searchd exited on {', '.join(gone)} "
                               f"(see {self.root}/<node>/stdout.log and searchd.log)")

    def cpu_seconds(self) -> float:
        """CPU time of all the searchd processes so far."""
        from .run import tree_pids

        return sum(process_cpu_seconds(p) for pid in self.pids().values() for p in tree_pids(pid))

    def memory(self) -> list[NodeMemory]:
        from .run import tree_memory_mb, tree_pids

        found = []
        for name, pid in self.pids().items():
            rss_kb = sum(_status_kb(p, "VmRSS") for p in tree_pids(pid))
            found.append(NodeMemory(name, pid, round(rss_kb / 1024, 1), round(tree_memory_mb(pid), 1),
                                    round(_status_kb(pid, "VmHWM") / 1024, 1)))
        return found

    def flush(self, index: str) -> None:
        """``FLUSH RTINDEX`` on every data node: the RAM chunk is written to disk and the binlog
        emptied, so that the size on disk is the index's (searchd would do the same at shutdown)."""
        import pymysql

        for node in self.cluster.nodes:
            connection = pymysql.connect(host=node.sql.host, port=node.sql.port, connect_timeout=10, read_timeout=600)
            try:
                with connection.cursor() as cursor:
                    cursor.execute(f"FLUSH RTINDEX {index}")
            finally:
                connection.close()

    def data_mb(self) -> dict[str, float]:
        """Bytes on disk per data node (MB): index files and binlog, not configuration or logs."""
        sizes = {}
        for name, node in self.nodes:
            if name == "head":
                continue
            sizes[name] = round(sum(p.stat().st_size for p in Path(node.data_dir).iterdir()
                                    if p.is_file() and p.name not in NOT_DATA) / 1e6, 1)
        return sizes

    def count(self, index: str) -> int:
        """Articles the head node finds in ``index`` (all data nodes)."""
        import pymysql

        head = self.cluster.head.sql
        connection = pymysql.connect(host=head.host, port=head.port, connect_timeout=10)
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT id FROM {index} LIMIT 1")
                cursor.fetchall()
                cursor.execute("SHOW META")
                return int(dict(cursor.fetchall()).get("total_found", 0))
        finally:
            connection.close()

__all__ = ["BenchCluster", "NodeMemory", "compare_backends", "environment", "process_cpu_seconds",
           "stopped_on_signals", "_status_kb"]
