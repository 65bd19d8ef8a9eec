"""Until the Solr loader (branch i19-ingest) is merged: a Whoosh build's articles sent to Solr as
``search/engines/solr/fields.py`` describes them, so that the engine's tests run on the very build the
Whoosh engine serves (same document numbers, vocabulary, near-duplicate groups).

``whoosh_to_solr_step(cluster, name)`` is a ``before_publish`` step of ``build_index``: it creates the
collection ``name`` (2 shards x 2 replicas), loads the build's documents, points alias ``name``-alias at it
and records the manifest's ``solr`` entry.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from search.engines.solr import fields as F
from search.engines.solr.nodes import api
from search.index.schema import document_to_article
from search.text.matched import field_terms


def documents_of(build_dir: Path) -> tuple[list[dict], dict]:
    """The Solr documents of a Whoosh build, and its statistics (doc_count_all, avg_length)."""
    from whoosh import index as whoosh_index

    from search.index.build import INDEX_NAME

    index = whoosh_index.open_dir(str(build_dir), indexname=INDEX_NAME)
    documents = []
    with index.searcher() as searcher:
        reader = searcher.reader()
        stats = {"doc_count_all": reader.doc_count_all(),
                 "avg_length": {name: searcher.avg_field_length(name) or 1.0 for name in F.SCORED_FIELDS}}
        for docnum, stored in reader.iter_docs():
            article = document_to_article(stored)
            published = article.published
            document = {F.ID: article.id, F.DOCNUM: docnum, F.STORED: json.dumps(stored),
                        F.FACET_FIELDS["company"]: article.companies, F.FACET_FIELDS["source"]: article.source,
                        F.FACET_FIELDS["section"]: article.sections, F.CHECKSUM: "x",
                        F.YEAR: published.year if published else 0,
                        F.MONTH: published.year * 100 + published.month if published else 0,
                        F.DAY: published.year * 10000 + published.month * 100 + published.day if published else 0,
                        F.PUBLISHED: int(published.astimezone(UTC).timestamp() * 1_000_000) if published else 0,
                        F.UNDATED: published is None}
            for name in F.TEXT_FIELDS:
                document[F.text_field(name)] = " ".join(field_terms(article, name))
            for name in F.SCORED_FIELDS:
                document[F.length_field(name)] = F.quantised_length(len(field_terms(article, name)))
            if not article.source:
                del document[F.FACET_FIELDS["source"]]
            documents.append(document)
    index.close()
    return documents, stats


def load(cluster, build_dir: Path, collection: str) -> dict:
    """Create ``collection``, load the build into it, alias it; return the manifest's ``solr`` entry."""
    documents, stats = documents_of(build_dir)
    cluster.create_collection(collection, "news", shards=2, replicas=2)
    url = cluster.live_url()
    for start in range(0, len(documents), 500):
        api(url, f"{collection}/update", {}, data=json.dumps(documents[start:start + 500]).encode())
    api(url, f"{collection}/update", {"commit": "true"}, data=b"[]")
    alias = f"{collection}-alias"
    cluster.create_alias(alias, collection)
    return {"collection": collection, "alias": alias, "urls": list(cluster.urls), "documents": len(documents),
            "loaded_at": datetime.now(UTC).isoformat(), **stats}


def whoosh_to_solr_step(cluster, collection: str, then=None):
    """A ``before_publish`` step loading the build into Solr (after ``then``, another step, if given)."""
    def step(build_dir: Path, manifest: dict, served: dict) -> None:
        if then is not None:
            then(build_dir, manifest, served)
        manifest["solr"] = load(cluster, build_dir, collection)
    return step
