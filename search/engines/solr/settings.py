"""Where the SolrCloud cluster is, for the loader and the engine: the ARCHIVE_SOLR_* settings (search/config.py).

The product talks to SolrCloud over HTTP only, so a cluster is a list of node URLs, not a ZooKeeper
address: any live node answers the Collections API and routes updates and queries to the right shards.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from search import config

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")  # a collection, alias or configset name Solr takes as it is


@dataclass(frozen=True)
class Settings:
    """The SolrCloud cluster the Solr engine loads and queries (ARCHIVE_SOLR_* settings)."""

    urls: tuple[str, ...]  # base URLs of nodes ("http://127.0.0.1:8983/solr"), tried in order
    alias: str = "news"  # what is served; each build is a collection named ``<alias>_<build time>``
    configset: str = "news"  # the configset new collections are made with
    timeout: float = 60.0  # seconds for one request
    shards: int = 2
    replicas: int = 2  # of each shard, on distinct nodes: any one node may die

    @classmethod
    def from_config(cls, environ: dict | None = None) -> Settings:
        urls = tuple(url.strip().rstrip("/") for url in config.get("SOLR_URLS", environ).split(",") if url.strip())
        if not urls:
            raise ValueError("ARCHIVE_SOLR_URLS must name at least one Solr node (http://host:8983/solr)")
        for url in urls:
            if not url.startswith(("http://", "https://")):
                raise ValueError(f"ARCHIVE_SOLR_URLS: {url!r} is not an http(s) URL (http://host:8983/solr)")
        names = {name: config.get(name, environ) for name in ("SOLR_ALIAS", "SOLR_CONFIGSET")}
        for name, value in names.items():
            if not _NAME.fullmatch(value):
                raise ValueError(f"ARCHIVE_{name} must be a name of letters, digits and _, not {value!r}")
        return cls(urls=urls, alias=names["SOLR_ALIAS"], configset=names["SOLR_CONFIGSET"],
                   timeout=float(config.get_int("SOLR_TIMEOUT", environ, high=3600)))
