"""Load a build into the Manticore/Sphinx nodes: ``python -m search index --backend manticore``.

The indexer reads and parses the corpus as always and writes its build (``indexer.py``); before
that build is published, ``load_build`` copies its articles into the nodes:

* each article goes to one data node (its document id modulo the number of nodes), as one row:
  the analysed terms of every field (``tokens.py``), the filter and sort attributes, the facet
  value numbers, and the stored article as JSON for hits, snippets and the article page;
* rows go into the index set (``_a`` or ``_b``) that the build being served does not use. That
  set holds an older build: rows whose content is unchanged are kept, changed and new ones are
  written (REPLACE), and the rest are deleted, so a rebuild sends only what changed;
* the build's manifest then names the set, and publishing the build switches the web workers to
  it at once. A load that fails or is interrupted leaves the served set untouched, and the build
  is not published.

The small per-build files that the web workers also need (the vocabulary for fuzzy words and
"did you mean", near-duplicate groups, and ``manticore.json``: facet names and counts) stay in
the build folder, which every web host reads (README "Scaling out").
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index

from search.article import Article
from search.engines.manticore.nodes import ATTRIBUTES, INDEX_SETS, RT_FIELDS, index_name
from search.engines.manticore.sphinxql import Node, Settings, in_list
from search.engines.manticore.tokens import document_id, field_texts, published_us, value_id
from search.errors import ArchiveError
from search.index.schema import document_to_article
from search.request import VALUE_FACETS

BATCH = 200  # rows per REPLACE statement
NAMES_FILE = "manticore.json"
COLUMNS = ("id", *RT_FIELDS, *(name for _kind, name in ATTRIBUTES))  # a row, in the order REPLACE sends it
MULTI_VALUED = {name for kind, name in ATTRIBUTES if kind.startswith("rt_attr_multi")}  # company_ids, section_ids


@dataclass
class Row:
    id: int
    values: tuple  # in COLUMNS order, company_ids and section_ids as tuples of ints
    checksum: str  # of everything but the document number, which a rebuild may change alone
    docnum: int


def article_row(article: Article, docnum: int, stored: dict) -> Row:
    """The row of one article (``stored``: its stored fields, kept whole for the pages)."""
    published = article.published
    cells = {
        "id": document_id(article.id),
        **field_texts(article),
        "year": published.year if published else 0,
        "month": published.year * 100 + published.month if published else 0,
        "day": published.year * 10000 + published.month * 100 + published.day if published else 0,
        "published_us": published_us(article),
        "undated": int(published is None),
        "company_ids": tuple(sorted({value_id(name) for name in article.companies})),
        "source_id": value_id(article.source) if article.source else 0,
        "section_ids": tuple(sorted({value_id(name) for name in article.sections})),
        "article_id": article.id,
        "stored": json.dumps(stored, ensure_ascii=False, sort_keys=True, default=str),
        "headline": article.title,
    }
    # The checksum leaves out the document number, which a rebuild may change alone (``renumber``).
    cells["checksum"] = hashlib.blake2b(repr(sorted(cells.items())).encode("utf-8"), digest_size=12).hexdigest()
    cells["docnum"] = docnum
    return Row(cells["id"], tuple(cells[column] for column in COLUMNS), cells["checksum"], docnum)


def build_rows(build_dir: Path, index_name_: str) -> Iterator[tuple[Row, Article]]:
    """Every live article of a Whoosh build, as rows."""
    ix = whoosh_index.open_dir(str(build_dir), indexname=index_name_)
    try:
        with ix.searcher() as searcher:
            for docnum, stored in searcher.reader().iter_docs():
                article = document_to_article(stored)
                yield article_row(article, docnum, stored), article
    finally:
        ix.close()


class Loader:
    """Writes rows into one index set of the data nodes."""

    def __init__(self, settings: Settings):
        self.nodes = [Node(address, timeout=max(settings.timeout, 60.0)) for address in settings.data_nodes]

    def node_of(self, doc_id: int) -> int:
        return doc_id % len(self.nodes)

    def check_columns(self, node: Node, index: str) -> None:
        """Refuse to load into an index made with other columns: searchd keeps the columns an RT index
        was created with, whatever its config says now (``section_id`` before sections were lists)."""
        held = {str(row[0]) for row in node.rows(f"DESCRIBE {index}")}
        missing = [column for column in COLUMNS if column not in held]
        if missing:
            raise ArchiveError(
                f"the index {index} on {node.address} was made by another version (it has no {', '.join(missing)}): "
                f"stop that searchd, delete the files of its indexes ({index}.*, and the other set's), "
                "start it with the config `python -m search manticore-config` prints now, and load again")

    def existing(self, node: Node, index: str) -> dict[int, tuple[str, int]]:
        """id -> (checksum, docnum) of every row the node holds in ``index`` (read in pages of 10,000 by id)."""
        found: dict[int, tuple[str, int]] = {}
        last = 0
        while True:
            rows = node.rows(f"SELECT id, checksum, docnum FROM {index} WHERE id > %s ORDER BY id ASC LIMIT 10000 "
                             "OPTION max_matches=10000", (last,))
            found.update((int(i), (c, int(d))) for i, c, d in rows)
            if len(rows) < 10000:
                return found
            last = int(rows[-1][0])

    def renumber(self, node: Node, index: str, moves: list[tuple[int, int]]) -> None:
        """Set the document number of rows whose content did not change (an attribute update, in place)."""
        for start in range(0, len(moves), 500):
            node.results([(f"UPDATE {index} SET docnum = {int(docnum)} WHERE id = {int(doc_id)}", ())
                          for doc_id, docnum in moves[start:start + 500]])

    def write(self, node: Node, index: str, rows: list[Row]) -> None:
        """REPLACE ``rows`` into ``index`` of ``node``, in batches."""
        columns = ", ".join(COLUMNS)
        for start in range(0, len(rows), BATCH):
            batch = rows[start:start + BATCH]
            placeholders, params = [], []
            for row in batch:
                cells = []
                for column, value in zip(COLUMNS, row.values):
                    if column in MULTI_VALUED:
                        cells.append(in_list(value))  # an MVA is written as (1,2,3)
                    else:
                        cells.append("%s")
                        params.append(value)
                placeholders.append("(" + ", ".join(cells) + ")")
            node.rows(f"REPLACE INTO {index} ({columns}) VALUES " + ", ".join(placeholders), tuple(params))

    def delete(self, node: Node, index: str, ids: Iterable[int]) -> None:
        ids = list(ids)
        for start in range(0, len(ids), 1000):
            node.rows(f"DELETE FROM {index} WHERE id IN {in_list(ids[start:start + 1000])}")

    def count(self, node: Node, index: str) -> int:
        return int(node.rows(f"SELECT COUNT(*) FROM {index}")[0][0])

    def close(self) -> None:
        for node in self.nodes:
            node.close()


def standby_set(serving: dict | None) -> str:
    """The index set a new build is loaded into: the one the served build does not use."""
    current = (serving or {}).get("set")
    return INDEX_SETS[1] if current == INDEX_SETS[0] else INDEX_SETS[0]


def load_build(build_dir: Path, index_name_: str, settings: Settings, serving: dict | None,
               check_stop=lambda: None) -> dict:
    """Load the build in ``build_dir`` into the set not in use; return what its manifest records.

    ``serving``: the ``manticore`` entry of the manifest of the build being served (or None)."""
    started = time.perf_counter()
    index_set = standby_set(serving)
    index = index_name(settings.prefix, index_set)
    loader = Loader(settings)
    try:
        for node in loader.nodes:
            loader.check_columns(node, index)
        existing = [loader.existing(node, index) for node in loader.nodes]
        pending: list[list[Row]] = [[] for _ in loader.nodes]
        moves: list[list[tuple[int, int]]] = [[] for _ in loader.nodes]
        wanted: list[set[int]] = [set() for _ in loader.nodes]
        names = {**{facet: {} for facet in VALUE_FACETS}, "years": {}, "months": {}}
        written = kept = renumbered = 0
        doc_count_all = 0  # the build's document numbers run below this (near-duplicate groups use them)
        for row, article in build_rows(build_dir, index_name_):
            doc_count_all = max(doc_count_all, row.docnum + 1)
            number = loader.node_of(row.id)
            wanted[number].add(row.id)
            for facet, values in (("company", article.companies), ("section", article.sections)):
                for name in set(values):
                    names[facet][name] = names[facet].get(name, 0) + 1
            dated = article.published
            for facet, value in (("source", article.source), ("years", dated and str(dated.year)),
                                 ("months", dated and str(dated.year * 100 + dated.month))):
                if value:
                    names[facet][value] = names[facet].get(value, 0) + 1
            held = existing[number].get(row.id)
            if held is not None and held[0] == row.checksum:
                kept += 1
                if held[1] != row.docnum:
                    moves[number].append((row.id, row.docnum))
                continue
            pending[number].append(row)
            if len(pending[number]) >= BATCH * 5:
                check_stop()
                loader.write(loader.nodes[number], index, pending[number])
                written += len(pending[number])
                pending[number] = []
        deleted = 0
        for number, node in enumerate(loader.nodes):
            check_stop()
            loader.write(node, index, pending[number])
            written += len(pending[number])
            loader.renumber(node, index, moves[number])
            renumbered += len(moves[number])
            gone = set(existing[number]) - wanted[number]
            loader.delete(node, index, gone)
            deleted += len(gone)
        counts = [loader.count(node, index) for node in loader.nodes]
        if counts != [len(ids) for ids in wanted]:
            raise RuntimeError(f"the nodes hold {counts} articles in {index}, not {[len(ids) for ids in wanted]}")
        (build_dir / NAMES_FILE).write_text(json.dumps(
            {"doc_count_all": doc_count_all, "per_node": counts,
             "facets": {facet: sorted(values.items()) for facet, values in names.items()}}, ensure_ascii=False))
        return {
            "set": index_set,
            "index": index,
            "head": str(settings.head),
            "data_nodes": [str(a) for a in settings.data_nodes],
            "per_node": counts,
            "documents": sum(counts),
            "written": written,
            "kept": kept,
            "renumbered": renumbered,
            "deleted": deleted,
            "seconds": round(time.perf_counter() - started, 2),
        }
    finally:
        loader.close()


def publish_step(settings: Settings, loaded: dict):
    """The indexer's ``before_publish`` step that loads each new build into the nodes; what was
    loaded is recorded in the build's manifest (``manticore``) and copied into ``loaded``."""
    from search.index.build import INDEX_NAME, check_stop  # the indexer calls this module, not the other way round

    def step(build_dir: Path, manifest: dict, served: dict) -> None:
        entry = load_build(build_dir, INDEX_NAME, settings, (served or {}).get("manticore"), check_stop=check_stop)
        manifest["manticore"] = entry
        loaded.update(entry)

    return step
