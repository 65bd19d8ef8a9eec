"""A real Manticore/Sphinx cluster for the backend tests (tests/system): start it, say where it is, load a build."""

from __future__ import annotations

from pathlib import Path

import pytest


def start_cluster(root: Path):
    """A real Manticore/Sphinx cluster for the backend tests: 2 searchd data nodes and a head."""
    from search.engines.manticore.nodes import LocalCluster, searchd_path

    if searchd_path() is None:
        pytest.fail("searchd is not installed: `apt-get install sphinxsearch` (.ci/run does)")
    return LocalCluster(root, data_nodes=2).start()


def cluster_settings(cluster, timeout: int = 10):
    """Where the product finds ``cluster`` (what ARCHIVE_MANTICORE_* would say)."""
    from search.engines.manticore.sphinxql import Settings

    return Settings(head=cluster.head.sql, data_nodes=tuple(cluster.data_addresses), timeout=timeout)


def load_into_cluster(corpus: Path, root: Path, settings, incremental: bool = False) -> dict:
    """Build ``corpus`` into ``root`` and load it into the cluster before publishing; return the load's report."""
    from search.engines.manticore.loader import publish_step
    from search.index.build import build_index, update_index

    report: dict = {}
    build = update_index if incremental else build_index
    build(corpus, root, progress=False, before_publish=publish_step(settings, report))
    return report
