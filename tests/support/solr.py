"""A real local SolrCloud for the tests (tests/system): ZooKeeper and 3 Solr 9.10.1 nodes, each its own JVM
(search/engines/solr/nodes.py), started once per session with the configset deploy/solr/configset uploaded
as ``news``. tests/system/conftest.py names the fixture (``solr_cluster = solr.solr_cluster``).

A test that kills or stops a node of the shared cluster starts it again before it ends (``restart``), so
that the next test finds every node live. The launcher is built here when it is not (Maven, seconds from
a warm ~/.m2); .ci/run builds it before the tests with `make solr-build`.
"""

from __future__ import annotations

import json
import os
import shutil

import pytest

CONFIGSET = "news"
NODES = 3
HEAP_MB = int(os.environ.get("ARCHIVE_SOLR_HEAP_MB", "512"))


def start_solr_cluster(root, nodes: int = NODES, heap_mb: int = HEAP_MB):
    """Build the launcher if needed, start ZooKeeper and ``nodes`` Solr nodes under ``root``, upload the configset."""
    from search.engines.solr import nodes as solr_nodes

    if solr_nodes.java_path() is None:
        pytest.fail("java is not installed: `apt-get install default-jdk-headless` (.ci/run does)")
    if not solr_nodes.launcher_ready():
        if shutil.which("mvn") is None:
            pytest.fail("the Solr launcher is not built and Maven is missing: `apt-get install maven` (.ci/run does)")
        solr_nodes.build_launcher()
    cluster = solr_nodes.LocalSolrCluster(root, nodes=nodes, heap_mb=heap_mb).start()
    try:
        cluster.upload_configset(CONFIGSET, solr_nodes.CONFIGSET_DIR)
    except BaseException:
        cluster.stop()
        raise
    return cluster


@pytest.fixture(scope="session")
def solr_cluster(tmp_path_factory):
    """ZooKeeper + 3 Solr nodes with the ``news`` configset, once per session; stopped at its end."""
    cluster = start_solr_cluster(tmp_path_factory.mktemp("solr"))
    yield cluster
    cluster.stop()


def restart(cluster, node, timeout: float = 120.0) -> None:
    """Start a killed or stopped node again (same port and solr home) and wait until it is live in every
    node's view and every replica of every collection is active again."""
    node.start(timeout)
    cluster.wait_live_nodes(cluster.nodes, timeout)
    for collection in cluster.cluster_status()["collections"]:
        cluster.wait_active(collection, timeout)


def index_documents(url: str, collection: str, documents: list[dict]) -> dict:
    """Send ``documents`` as JSON to ``url/collection/update`` and commit."""
    from search.engines.solr.nodes import api

    return api(url, f"{collection}/update", {"commit": "true"}, data=json.dumps(documents).encode())


def select(url: str, collection: str, **params) -> dict:
    from search.engines.solr.nodes import api

    return api(url, f"{collection}/select", params)


def solr_settings(cluster, alias: str = "news"):
    """The loader's and the engine's Settings for the session cluster (every node's URL)."""
    from search.engines.solr.settings import Settings

    return Settings(urls=tuple(cluster.urls), alias=alias, configset=CONFIGSET)


def load_into(cluster, corpus, index_root, alias: str = "news", **options):
    """``python -m search index --backend solr`` of ``corpus`` into ``index_root`` on ``cluster``; the report."""
    from search.engines.solr.loader import load_corpus

    return load_corpus(corpus, index_root, solr_settings(cluster, alias), progress=False, **options)


@pytest.fixture(scope="session")
def solr_build(solr_cluster, tmp_path_factory):
    """The bundled corpus loaded into the session cluster (alias ``news``), once per session: (index_root, alias).

    Its build folder (manifest with the ``solr`` entry, vocabulary, near-duplicate groups, facet counts,
    completions) is in index_root; the alias points at the loaded collection."""
    from tests.support.paths import CORPUS

    root = tmp_path_factory.mktemp("solr-index")
    load_into(solr_cluster, CORPUS, root, alias="news")
    return root, "news"
