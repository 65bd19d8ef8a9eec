"""The product, run on a test collection through its own pipeline: corpus files, parser, indexer,
searcher. Nothing here scores or tokenises: the collection becomes a corpus folder of JSON Lines
(the format a newsroom export is imported in), ``build_index`` indexes it as ``make index`` does,
and ``WhooshArchive.rank`` ranks with the search page's parser and scorer in its "any of the words" mode
(``--backend manticore``: the build is loaded into a local searchd cluster, which ranks; ``--backend solr``:
the Solr loader loads the corpus into a local SolrCloud, and ``SolrArchive.rank`` ranks).
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

from search.engines.manticore.archive import ManticoreArchive
from search.engines.manticore.loader import publish_step
from search.engines.manticore.sphinxql import Settings
from search.engines.whoosh.archive import WhooshArchive
from search.index.build import build_index
from search.ingest.corpus import CorpusReader

from .testsets import TestCollection

DEPTH = 1000  # documents ranked per query, as trec_eval's default


@dataclass
class ProductRun:
    run: dict[str, dict[str, float]]  # qid -> {docid: score}
    documents: int  # indexed
    skipped: int  # refused by the corpus parser (a record without title and text)
    build_seconds: float
    query_ms: float  # mean per query


def typed_query(text: str) -> str:
    """The collection's query as a person would type it: lower case (TIME and NPL are in capitals,
    which would read AND/OR/NOT as operators) and without the characters of the query syntax."""
    return re.sub(r"[^\w\s.]|(?<!\w)\.|\.(?!\w)", " ", text.lower())


def write_corpus(collection: TestCollection, corpus_dir: Path) -> None:
    """Write the collection as one JSON Lines file in a corpus folder, an article per document."""
    folder = corpus_dir / collection.name
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "documents.jsonl").open("w", encoding="utf-8") as out:
        for document in collection.documents:
            # The product needs a headline; collections without titles get a neutral one.
            title = document.title.strip() or f"No. {document.id}"
            record = {"id": f"{collection.name}-{document.id}", "title": title, "body": document.text,
                      "source": collection.label}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def run_product(collection: TestCollection, workdir: Path, cluster=None) -> ProductRun:
    """Index and rank ``collection`` with the Whoosh engine, or with the Manticore/Sphinx engine on
    ``cluster`` (a started ``LocalCluster``: the build is loaded into it, and it ranks)."""
    corpus_dir, index_root = workdir / "corpus", workdir / "index"
    write_corpus(collection, corpus_dir)
    started = time.perf_counter()
    settings = None
    if cluster is not None and hasattr(cluster, "upload_configset"):  # a LocalSolrCluster
        from search.engines.solr.archive import SolrArchive
        from search.engines.solr.loader import load_corpus
        from search.engines.solr.settings import Settings as SolrSettings

        alias = "eval_" + re.sub(r"\W", "_", collection.name)
        report = load_corpus(corpus_dir, index_root, SolrSettings(urls=tuple(cluster.urls), alias=alias),
                             progress=False)
        build_seconds = time.perf_counter() - started
        return _ranked(collection, corpus_dir, SolrArchive(index_root), report, build_seconds)
    if cluster is not None:
        settings = Settings(head=cluster.head.sql, data_nodes=tuple(cluster.data_addresses), timeout=60)
        report = build_index(corpus_dir, index_root, progress=False, before_publish=publish_step(settings, {}))
    else:
        report = build_index(corpus_dir, index_root, progress=False)
    build_seconds = time.perf_counter() - started
    archive = ManticoreArchive(index_root, settings) if settings else WhooshArchive(index_root)
    return _ranked(collection, corpus_dir, archive, report, build_seconds)


def _ranked(collection: TestCollection, corpus_dir: Path, archive, report, build_seconds: float) -> ProductRun:
    """Rank every query of ``collection`` with ``archive`` (then closed), as ``make eval`` measures it."""
    # Article ids are the product's (a slug and a hash); the corpus reader gives each one's line.
    docids = {}
    for result in CorpusReader(corpus_dir).read_all():
        for article in result.articles:
            docids[article.id] = collection.documents[article.line - 1].id
    run: dict[str, dict[str, float]] = {}
    started = time.perf_counter()
    with archive:
        for qid, text in collection.queries.items():
            ranked = archive.rank(typed_query(text), limit=DEPTH, any_words=True)
            run[qid] = {docids[article_id]: float(DEPTH - position) for position, article_id in enumerate(ranked)}
    query_ms = (time.perf_counter() - started) * 1000 / max(1, len(collection.queries))
    return ProductRun(run, report.documents, report.summary.skipped_count, build_seconds, query_ms)
