"""The Collections and Configsets API calls the loader makes, against any SolrCloud given by node URLs.

``nodes.LocalSolrCluster`` drives the local test cluster, whose processes it owns; this drives a cluster
it only knows by URL (production's, or a local one): each call goes to the first node that answers, so
one dead node among the URLs costs a refused connection, not the build.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from search.engines.solr.nodes import (
    CONFIGSET_DIR,
    SolrApiError,
    SolrNodesError,
    _not_active,
    _shard_order,
    api,
    check_placement,
    zip_directory,
)


class SolrCluster:
    """A SolrCloud cluster known by the base URLs of some of its nodes."""

    def __init__(self, urls: Sequence[str], timeout: float = 60.0):
        if not urls:
            raise ValueError("a Solr cluster needs at least one node URL")
        self.urls = [url.rstrip("/") for url in urls]
        self.timeout = timeout
        self._preferred = 0  # the node that answered last: asked first next time

    def call(self, path: str, params: dict | list | None = None, data: bytes | None = None,
             content_type: str = "application/json", timeout: float | None = None) -> dict:
        """``api`` on the first node that can be reached; an error status is not retried elsewhere."""
        failures = []
        for step in range(len(self.urls)):
            number = (self._preferred + step) % len(self.urls)
            try:
                answer = api(self.urls[number], path, params, data, content_type, timeout or self.timeout)
            except SolrApiError:
                raise
            except SolrNodesError as error:  # not reachable: the next node
                failures.append(str(error))
                continue
            self._preferred = number
            return answer
        raise SolrNodesError("no Solr node answered: " + "; ".join(failures))

    def collections_api(self, params: dict, timeout: float | None = None) -> dict:
        return self.call("admin/collections", params, timeout=timeout or max(self.timeout, 120.0))

    def status(self) -> dict:
        """CLUSTERSTATUS: {"collections": {...}, "aliases": {...}, "live_nodes": [...]}."""
        return self.collections_api({"action": "CLUSTERSTATUS"})["cluster"]

    def collections(self) -> list[str]:
        return sorted(self.collections_api({"action": "LIST"}).get("collections", []))

    def aliases(self) -> dict[str, str]:
        """{alias: the collection(s) it points at, comma-separated}."""
        return dict(self.collections_api({"action": "LISTALIASES"}).get("aliases", {}))

    def has_configset(self, name: str) -> bool:
        return name in self.call("admin/configs", {"action": "LIST"}).get("configSets", [])

    def upload_configset(self, name: str, directory: Path = CONFIGSET_DIR) -> None:
        """Upload ``directory`` as configset ``name`` (replacing one of that name)."""
        self.call("admin/configs", {"action": "UPLOAD", "name": name, "overwrite": "true", "cleanup": "true"},
                  data=zip_directory(Path(directory)), content_type="application/octet-stream")

    def create_collection(self, name: str, configset: str, shards: int = 2, replicas: int = 2) -> dict:
        """Create ``name``: ``shards`` shards of ``replicas`` NRT replicas, no two replicas of a shard on one
        node, spread over the live nodes. Returns {shard: [node names]} once every replica is active.

        One CREATE over the live nodes (``createNodeSet``) lets Solr's placement spread the replicas (about
        2 s); should it put two replicas of a shard on one node, the collection is made again as an empty one
        with one ADDREPLICA per replica (run together), replica r of shard s on live node (s * replicas + r)
        mod n, as ``LocalSolrCluster`` places them."""
        live = sorted(self.status()["live_nodes"])
        if replicas > len(live):
            raise SolrNodesError(f"{replicas} replicas of a shard need {replicas} live Solr nodes; "
                                 f"the cluster has {len(live)} ({', '.join(live)})")
        self.collections_api({"action": "CREATE", "name": name, "collection.configName": configset,
                              "router.name": "compositeId", "numShards": shards, "nrtReplicas": replicas,
                              "createNodeSet": ",".join(live), "waitForFinalState": "true"})
        placement = self.wait_active(name)
        try:
            check_placement(placement, replicas)
            return placement
        except SolrNodesError:
            self.delete_collection(name)
        self.collections_api({"action": "CREATE", "name": name, "collection.configName": configset,
                              "router.name": "compositeId", "numShards": shards, "replicationFactor": 1,
                              "createNodeSet": "EMPTY", "waitForFinalState": "true"})
        shard_names = sorted(self.status_of(name)["shards"], key=_shard_order)
        calls = [{"action": "ADDREPLICA", "collection": name, "shard": shard, "type": "NRT",
                  "node": live[(s * replicas + r) % len(live)], "waitForFinalState": "true"}
                 for s, shard in enumerate(shard_names) for r in range(replicas)]
        with ThreadPoolExecutor(len(calls)) as pool:
            for _ in pool.map(self.collections_api, calls):
                pass
        placement = self.wait_active(name)
        check_placement(placement, replicas)
        return placement

    def status_of(self, collection: str) -> dict:
        cluster = self.collections_api({"action": "CLUSTERSTATUS", "collection": collection})["cluster"]
        return {**cluster["collections"][collection], "live_nodes": cluster["live_nodes"]}

    def wait_active(self, collection: str, timeout: float = 120.0) -> dict[str, list[str]]:
        """Wait until every replica of ``collection`` is active on a live node and every shard has a leader."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                state = self.status_of(collection)
                problem = _not_active(state["shards"], set(state["live_nodes"]))
                if not problem:
                    return {shard: sorted(replica["node_name"] for replica in info["replicas"].values())
                            for shard, info in sorted(state["shards"].items(), key=lambda i: _shard_order(i[0]))}
            except (SolrNodesError, KeyError) as error:
                problem = str(error)
            if time.monotonic() > deadline:
                raise SolrNodesError(f"collection {collection} not active after {timeout:.0f} s: {problem}")
            time.sleep(0.3)

    def point_alias(self, alias: str, collection: str) -> None:
        """Point ``alias`` at ``collection``: CREATEALIAS creates or re-points it atomically."""
        self.collections_api({"action": "CREATEALIAS", "name": alias, "collections": collection})

    def delete_collection(self, name: str) -> None:
        self.collections_api({"action": "DELETE", "name": name})

    def commit(self, collection: str) -> None:
        """A hard commit that opens a new searcher: what was sent becomes visible."""
        self.call(f"{collection}/update", {"commit": "true", "waitSearcher": "true"}, data=b"{}",
                  timeout=max(self.timeout, 300.0))

    def count(self, collection: str) -> int:
        """The number of documents ``collection`` holds (every shard asked; one missing fails)."""
        answer = self.call(f"{collection}/select", {"q": "*:*", "rows": 0, "shards.tolerant": "false"})
        return int(answer["response"]["numFound"])
