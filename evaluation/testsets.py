"""The classic IR test collections in ``../shared/corpora/ir-test-collections``, read as they are.

Each folder has ``docs.jsonl.gz`` (``id``, ``text``, sometimes ``title``), ``queries.tsv``
(``qid<TAB>text``) and ``qrels.txt`` (TREC: ``qid 0 docid rel``); Cranfield also has graded
judgments (``qrels-graded.txt``), used for its nDCG@10. Only queries with at least one relevant
document are evaluated, as the references in the collections' SOURCE.md are.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from pathlib import Path

# Tuned on the first three (train); the last four are held out (reported, never tuned on).
TRAIN = ("cran", "cisi", "med")
HELD_OUT = ("time", "cacm", "npl", "adi")
COLLECTIONS = TRAIN + HELD_OUT
NAMES = {"time": "TIME", "cran": "Cranfield", "cisi": "CISI", "med": "MED", "cacm": "CACM", "npl": "NPL", "adi": "ADI"}

# MAP measured here with out-of-the-box Whoosh 2.7 (StemmingAnalyzer, BM25F defaults, OR query):
# the collections' SOURCE.md. NPL also has a published BM25 figure (PyTerrier, Porter + stop words).
WHOOSH_MAP = {"time": 0.5728, "cran": 0.3052, "cisi": 0.1534, "med": 0.5227,
              "cacm": 0.2708, "npl": 0.2749, "adi": 0.3408}
PUBLISHED_MAP = {"npl": 0.2965}


@dataclass
class Document:
    id: str
    title: str
    text: str


@dataclass
class TestCollection:
    name: str
    documents: list[Document]
    queries: dict[str, str]  # only the judged ones
    qrels: dict[str, dict[str, int]]  # binary: MAP, P@10
    graded_qrels: dict[str, dict[str, int]] = field(default_factory=dict)  # nDCG@10 (same as qrels if none)

    @property
    def label(self) -> str:
        return NAMES.get(self.name, self.name)


def default_root() -> Path:
    return Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "ir-test-collections"


def read_collection(folder: Path) -> TestCollection:
    """Read one collection folder."""
    documents = []
    with gzip.open(folder / "docs.jsonl.gz", "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            documents.append(Document(str(record["id"]), record.get("title") or "", record.get("text") or ""))
    qrels = read_qrels(folder / "qrels.txt")
    graded = read_qrels(folder / "qrels-graded.txt") if (folder / "qrels-graded.txt").exists() else qrels
    queries = {}
    for line in (folder / "queries.tsv").read_text(encoding="utf-8").splitlines():
        qid, _, text = line.partition("\t")
        if qid in qrels:
            queries[qid] = text
    return TestCollection(folder.name, documents, queries, qrels, graded)


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 4 and int(parts[3]) > 0:
            qrels.setdefault(parts[0], {})[parts[2]] = int(parts[3])
    return qrels
