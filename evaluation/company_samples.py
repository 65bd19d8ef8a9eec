"""The held-out company sets: articles drawn with a fixed seed from corpora the product never tuned on.

Four strata, read from ``../shared/corpora`` (or ``$ARCHIVE_SHARED_DIR/corpora``), none of which the
older in-sample set (``tests/data/company_sentences.jsonl``, Wikinews and Global Times) comes from:

- ``bbc``: BBC News business and tech articles (headline + paragraphs), 2004–2005;
- ``reuters``: Reuters-21578 wire stories with a body (``NORM``), 1987;
- ``cnpress``: headlines of Global Times, China Daily, CGTN and Xinhuanet, 2022 (headlines only);
- ``html``: the hand-marked bodies of the saved news pages in ``html-articles`` (2019).

One draw of ``2 × size`` items per stratum with ``random.Random(SEED)``; the items at even
positions of the draw form the dev set, the odd ones the test set, so the two never overlap and
adding a stratum never changes the others. The labels (``evaluation/data/companies-*.jsonl``)
hold only ids and names; the texts are read from ``../shared`` when the evaluation runs, since the
corpora may not be redistributed. The labelling rules are in ``docs/company-evaluation.md``.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from bench.corpus import shared_dir

SEED = 20261206
# Items per set (dev and test each) in each stratum.
SIZES = {"bbc": 28, "reuters": 36, "cnpress": 40, "html": 16}
ROOT = Path(__file__).resolve().parent.parent


def shared_corpora() -> Path:
    """Where the shared corpora are: ``$ARCHIVE_SHARED_DIR/corpora`` or ``../shared/corpora`` (the bench's rule)."""
    return shared_dir() / "corpora"


@dataclass(frozen=True)
class SampleItem:
    """One article of a company set, as the extractor sees it."""

    key: str  # "<stratum>:<id in its corpus>"
    title: str
    body: str
    published: date | None

    @property
    def stratum(self) -> str:
        return self.key.partition(":")[0]


def _bbc(corpora: Path) -> Iterator[SampleItem]:
    with gzip.open(corpora / "bbc-news" / "bbc-news.jsonl.gz", "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if record["category"] in ("business", "tech"):
                yield SampleItem(f"bbc:{record['id']}", record["title"], "\n\n".join(record["paragraphs"]), None)


def _reuters(corpora: Path) -> Iterator[SampleItem]:
    with gzip.open(corpora / "reuters21578" / "reuters21578.jsonl.gz", "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if record.get("text_type") == "NORM" and record.get("title") and record.get("body"):
                day = datetime.strptime(record["date"].split()[0], "%d-%b-%Y").date()
                yield SampleItem(f"reuters:{record['newid']}", record["title"], record["body"], day)


def _cnpress(corpora: Path) -> Iterator[SampleItem]:
    raw = gzip.decompress((corpora / "cn-press-headlines" / "headlines-unique.csv.gz").read_bytes()).decode("utf-8")
    for number, row in enumerate(csv.DictReader(io.StringIO(raw)), start=2):
        if row["outlet"] != "BBC":  # the Chinese outlets only; BBC has its own stratum
            crawled = datetime.fromisoformat(row["first_crawled_at"]).date()
            yield SampleItem(f"cnpress:{number}", row["headline"], "", crawled)


def _html(corpora: Path) -> Iterator[SampleItem]:
    truth = json.loads((corpora / "html-articles" / "ground-truth.json").read_text(encoding="utf-8"))
    for digest in sorted(truth):
        yield SampleItem(f"html:{digest}", "", truth[digest]["articleBody"], None)


STRATA = {"bbc": _bbc, "reuters": _reuters, "cnpress": _cnpress, "html": _html}


def draw(corpora: Path | None = None) -> dict[str, list[SampleItem]]:
    """The dev and test sets: ``{"dev": [...], "test": [...]}``, in draw order."""
    corpora = corpora or shared_corpora()
    sets: dict[str, list[SampleItem]] = {"dev": [], "test": []}
    for stratum, reader in STRATA.items():
        items = list(reader(corpora))
        chosen = random.Random(f"{SEED}:{stratum}").sample(items, 2 * SIZES[stratum])
        sets["dev"] += chosen[0::2]
        sets["test"] += chosen[1::2]
    return sets


def draw_second_dev(corpora: Path | None = None) -> list[SampleItem]:
    """A second dev set (``dev2``), drawn after the first two with its own seed and never overlapping them:
    more text to tune on once the first dev set's errors were fixed, without touching the test set."""
    corpora = corpora or shared_corpora()
    taken = {item.key for items in draw(corpora).values() for item in items}
    chosen: list[SampleItem] = []
    for stratum, reader in STRATA.items():
        items = [item for item in reader(corpora) if item.key not in taken]
        chosen += random.Random(f"{SEED}:{stratum}:dev2").sample(items, SIZES[stratum])
    return chosen


if __name__ == "__main__":  # python -m evaluation.company_samples OUT_DIR: the texts, for labelling
    import sys

    out = Path(sys.argv[1])
    sets = {**draw(), "dev2": draw_second_dev()} if len(sys.argv) < 3 else {sys.argv[2]: draw_second_dev()}
    for name, items in sets.items():
        (out / name).mkdir(parents=True, exist_ok=True)
        for item in items:
            (out / name / (item.key.replace(":", "_").replace("/", "-") + ".txt")).write_text(
                f"KEY: {item.key}\nDATE: {item.published or 'unknown'}\nTITLE: {item.title}\n\n{item.body}\n",
                encoding="utf-8")
        print(name, len(items))
