"""Local SolrCloud nodes (search/engines/solr/nodes.py): real ZooKeeper and Solr 9.10.1 JVMs on loopback ports.

The session's cluster (tests/support/solr.py: ZooKeeper + 3 nodes) gets a collection of 2 shards x 2
replicas; documents indexed through one node are found completely through every node, and still when
one node is killed with SIGKILL (it is started again before the test ends). A cluster of its own checks
that ZooKeeper can die alone and that stopping leaves no process and no port behind.
"""

from __future__ import annotations

import os
import socket
from collections import Counter
from pathlib import Path

import pytest

from search.engines.solr.nodes import HOST, MAIN_CLASSES, SolrApiError, api, check_placement
from tests.support.solr import index_documents, restart, select, start_solr_cluster

COLLECTION = "nodes_test_1"
ALIAS = "nodes_test"
WORDS = ("alpha", "bravo", "charlie", "delta", "echo")
DOCUMENTS = [{"id": f"doc{i:02d}", "body_t": f"{WORDS[i % 5]} {WORDS[(i * 3) % 5]} archive", "source_s": f"s{i % 3}",
              "year_i": 2000 + i % 4} for i in range(40)]


@pytest.fixture(scope="module")
def collection(solr_cluster):
    placement = solr_cluster.create_collection(COLLECTION, "news", shards=2, replicas=2)
    solr_cluster.create_alias(ALIAS, COLLECTION)
    index_documents(solr_cluster.urls[1], ALIAS, DOCUMENTS)
    yield placement
    solr_cluster.delete_alias(ALIAS)
    solr_cluster.delete_collection(COLLECTION)


def complete(answer: dict, expected: int) -> bool:
    header = answer["responseHeader"]
    return answer["response"]["numFound"] == expected and not header.get("partialResults", False)


def launcher_pids(workdir: Path) -> list[int]:
    """Pids of launcher JVMs whose command line names ``workdir``."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if any(main in cmdline for main in MAIN_CLASSES) and str(workdir) in cmdline:
            pids.append(int(entry.name))
    return pids


def port_free(port: int) -> bool:
    """Nothing listens on ``port`` and it can be bound again (as Jetty and ZooKeeper bind: SO_REUSEADDR, so
    that connections in TIME_WAIT do not count)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
            sock.listen()
            return True
        except OSError:
            return False


def test_zookeeper_and_each_node_are_their_own_processes_and_all_nodes_are_live(solr_cluster):
    zookeeper = solr_cluster.zookeeper
    assert zookeeper.ruok()
    pids = {zookeeper.pid, *(node.pid for node in solr_cluster.nodes)}
    assert len(pids) == 4 and os.getpid() not in pids
    assert zookeeper.address == solr_cluster.zk_host
    for node in solr_cluster.nodes:
        assert node.is_alive()
        assert node.url == f"http://127.0.0.1:{node.port}/solr"
        live = api(node.url, "admin/collections", {"action": "CLUSTERSTATUS"})["cluster"]["live_nodes"]
        assert sorted(live) == sorted(n.node_name for n in solr_cluster.nodes)


def test_no_node_holds_both_replicas_of_a_shard(solr_cluster, collection):
    assert sorted(collection) == ["shard1", "shard2"]
    check_placement(collection, replicas=2)  # two replicas per shard, on two different nodes
    assert collection == solr_cluster.placement(COLLECTION)
    nodes = {node.node_name for node in solr_cluster.nodes}
    assert all(set(replicas) <= nodes for replicas in collection.values())
    with pytest.raises(ValueError):
        solr_cluster.create_collection("too_many_replicas", "news", shards=1, replicas=4)


def test_every_node_answers_completely_with_bm25_and_facets(solr_cluster, collection):
    ids = {doc["id"] for doc in DOCUMENTS}
    alphas = sum("alpha" in doc["body_t"].split() for doc in DOCUMENTS)
    for url in solr_cluster.urls:
        for name in (ALIAS, COLLECTION):
            everything = select(url, name, q="*:*", rows=100, fl="id")
            assert complete(everything, len(DOCUMENTS)), (url, everything["responseHeader"])
            assert {doc["id"] for doc in everything["response"]["docs"]} == ids
        found = select(url, ALIAS, q="body_t:alpha", rows=100, fl="id,score", facet="true",
                       **{"facet.field": "source_s"})
        assert complete(found, alphas)
        assert all(doc["score"] > 0 for doc in found["response"]["docs"])
        sources = found["facet_counts"]["facet_fields"]["source_s"]
        assert sum(sources[1::2]) == alphas
    # The text type splits on whitespace only: no lowercasing, no stemming.
    assert select(solr_cluster.urls[0], ALIAS, q="body_t:Alpha")["response"]["numFound"] == 0
    assert select(solr_cluster.urls[0], ALIAS, q="body_t:alphas")["response"]["numFound"] == 0


def test_a_killed_node_leaves_complete_results_on_the_others(solr_cluster, collection):
    # The node holding the most replicas (one of each shard with 3 nodes and round-robin placement).
    counts = Counter(name for replicas in collection.values() for name in replicas)
    victim = next(node for node in solr_cluster.nodes if node.node_name == counts.most_common(1)[0][0])
    before = {url: select(url, ALIAS, q="body_t:bravo", rows=100, fl="id") for url in solr_cluster.urls}
    victim.kill()
    try:
        assert not victim.is_alive()
        for node in solr_cluster.nodes:
            if node is victim:
                continue
            # Right after the kill (the node is still in /live_nodes until its ZooKeeper session expires) ...
            for query in ("*:*", "body_t:bravo"):
                answer = select(node.url, ALIAS, q=query, rows=100, fl="id")
                expected = len(DOCUMENTS) if query == "*:*" else before[node.url]["response"]["numFound"]
                assert complete(answer, expected), (node.url, query, answer["responseHeader"])
            assert ({d["id"] for d in select(node.url, ALIAS, q="body_t:bravo", rows=100, fl="id")["response"]["docs"]}
                    == {d["id"] for d in before[node.url]["response"]["docs"]})
        # ... and once ZooKeeper has dropped it.
        survivors = [node for node in solr_cluster.nodes if node is not victim]
        solr_cluster.wait_live_nodes(survivors, timeout=90)
        for node in survivors:
            assert complete(select(node.url, ALIAS, q="*:*", rows=0), len(DOCUMENTS))
        # An update still reaches every shard (one live replica each).
        index_documents(survivors[0].url, ALIAS, [{"id": "late", "body_t": "zulu"}])
        assert complete(select(survivors[1].url, ALIAS, q="body_t:zulu"), 1)
    finally:
        restart(solr_cluster, victim)
    # Back: the restarted node recovered its replicas, with the update made while it was down.
    assert complete(select(victim.url, ALIAS, q="*:*", rows=0), len(DOCUMENTS) + 1)
    api(victim.url, f"{ALIAS}/update", {"commit": "true"}, data=b'{"delete": {"id": "late"}}')
    assert complete(select(solr_cluster.urls[0], ALIAS, q="*:*", rows=0), len(DOCUMENTS))


def test_a_missing_configset_is_a_clear_error(solr_cluster):
    with pytest.raises(SolrApiError) as raised:
        solr_cluster.create_collection("no_such_configset", "no-such-configset", shards=1, replicas=1)
    assert "no-such-configset" in str(raised.value)


def test_zookeeper_dies_alone_and_stop_leaves_no_process_and_no_port(tmp_path):
    workdir = tmp_path / "own"
    cluster = start_solr_cluster(workdir, nodes=2, heap_mb=384)
    try:
        ports = [cluster.zookeeper.port, *(node.port for node in cluster.nodes)]
        pids = launcher_pids(workdir.resolve())
        assert sorted(pids) == sorted([cluster.zookeeper.pid, *(node.pid for node in cluster.nodes)])
        # ZooKeeper is killed on its own: the Solr nodes live on, and rejoin when it is back on the same port.
        cluster.zookeeper.kill()
        assert all(node.is_alive() for node in cluster.nodes)
        assert not cluster.zookeeper.ruok()
        cluster.zookeeper.start()
        cluster.wait_live_nodes(cluster.nodes, timeout=90)
        assert (workdir / "logs" / "zookeeper.log").stat().st_size > 0
        assert all((workdir / "logs" / f"node{i}.log").stat().st_size > 0 for i in (1, 2))
    finally:
        cluster.stop()
    assert launcher_pids(workdir.resolve()) == []
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    assert all(port_free(port) for port in ports)
    assert not list((workdir / "pids").glob("*.pid"))
