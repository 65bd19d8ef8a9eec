"""The benchmark's corpus: real collections brought in with ``python -m search import``, an optional
synthetic scale-up of the same text, and the articles the product indexed, read with its own reader.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (file under <shared>/corpora, --name, --source, extra import arguments)
COLLECTIONS = (
    ("reuters21578/reuters21578.jsonl.gz", "reuters", "Reuters", ["--map", "newid=id,topics=section"]),
    ("bbc-news/bbc-news.jsonl.gz", "bbc", "BBC News", ["--timezone", "Europe/London", "--map", "category=section"]),
    ("wikinews-sample/wikinews-sample.jsonl.gz", "wikinews", "Wikinews", []),
)
# Copies of a synthetic scale-up are dated 0, -20, +20, -40, +40 ... years from the real articles,
# within the years the product accepts: every copy has its own years, and the Reuters (1987) and
# Wikinews (2019-2021) copies never share one. Undated BBC articles stay undated.
YEARS_PER_COPY = 20


def shared_dir(given: Path | None = None) -> Path:
    """The shared data folder: --shared, else $ARCHIVE_SHARED_DIR, else ../shared (as tests/conftest.py)."""
    if given is not None:
        return given
    return Path(os.environ.get("ARCHIVE_SHARED_DIR", ROOT.parent / "shared"))


def run_search_cli(*args: str, log=None) -> str:
    """Run ``python -m search ARGS`` from the project root; return its output, raise on failure."""
    done = subprocess.run(
        [sys.executable, "-m", "search", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"python -m search {' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    if log:
        for line in done.stdout.splitlines():
            log(f"  {line}")
    return done.stdout


def import_real_corpus(shared: Path, corpus: Path, log) -> None:
    """Import Reuters-21578, BBC News and Wikinews into ``corpus`` with the documented import command."""
    corpora = shared / "corpora"
    missing = [str(corpora / rel) for rel, *_ in COLLECTIONS if not (corpora / rel).exists()]
    if missing:
        raise SystemExit(f"shared corpora not found: {', '.join(missing)} (set ARCHIVE_SHARED_DIR or --shared)")
    if corpus.exists():
        shutil.rmtree(corpus)
    for relative, name, source, extra in COLLECTIONS:
        log(f"python -m search import {relative} --name {name} --source {source!r} {' '.join(extra)}")
        run_search_cli("import", str(corpora / relative), "--corpus", str(corpus), "--name", name,
                       "--source", source, *extra, log=log)


@dataclass
class CorpusArticles:
    """The articles of a corpus as the product's indexer sees them, and how long reading took."""

    articles: list
    files: int
    problems: int
    seconds: float


def iter_articles(corpus: Path, counts: dict | None = None):
    """Yield the articles of ``corpus`` exactly as ``search.index.build`` reads them: ``CorpusReader.iter_file``
    over ``list_corpus_files``, leaving out an id already seen in an earlier file (the indexer reports
    those as duplicates). ``counts`` gets "files" and "problems"."""
    from search.ingest.corpus import CorpusReader, FileResult, list_corpus_files

    counts = counts if counts is not None else {}
    counts.update(files=0, problems=0)
    reader = CorpusReader(corpus)
    seen: set[str] = set()
    for path, relative in list_corpus_files(corpus):
        result = FileResult(relative, "")
        counts["files"] += 1
        for article in reader.iter_file(path, relative, result):
            if article.id in seen:
                counts["problems"] += 1
                continue
            seen.add(article.id)
            yield article
        counts["problems"] += sum(1 for p in result.problems if p.skipped)


def read_articles(corpus: Path) -> CorpusArticles:
    """All the articles of ``corpus`` in a list (see ``iter_articles``)."""
    counts: dict = {}
    started = time.perf_counter()
    articles = list(iter_articles(corpus, counts))
    return CorpusArticles(articles, counts["files"], counts["problems"], time.perf_counter() - started)


@dataclass
class Export:
    docs: int
    files: int
    problems: int
    seconds: float  # reading (parsing, enriching) only


def export_articles(corpus: Path, path: Path) -> Export:
    """Write the articles of ``corpus`` to ``path`` (JSON Lines, for the peers' builders) without
    holding them all; ``seconds`` is the reading alone, the writing left out."""
    counts: dict = {}
    path.parent.mkdir(parents=True, exist_ok=True)
    written, writing = 0, 0.0
    started = time.perf_counter()
    with open(path, "w", encoding="utf-8") as out:
        for article in iter_articles(corpus, counts):
            before = time.perf_counter()
            out.write(json.dumps(article_record(article), ensure_ascii=False))
            out.write("\n")
            written += 1
            writing += time.perf_counter() - before
    return Export(written, counts["files"], counts["problems"], time.perf_counter() - started - writing)


def article_record(article) -> dict:
    """One article as the peers index it (articles.jsonl in the work folder)."""
    published = article.published
    return {
        "id": article.id,
        "title": article.title,
        "body": article.body,
        "captions": list(article.captions),
        "source": article.source,
        "sections": list(article.sections),
        "companies": list(article.companies),
        "published": published.isoformat() if published else None,
        "year": published.year if published else None,
        "month": published.month if published else None,
    }


def iter_peer_articles(path: Path):
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


def _shift_years(published: datetime, years: int) -> datetime:
    try:
        return published.replace(year=published.year + years)
    except ValueError:  # 29 February in a year that has none
        return published.replace(year=published.year + years, day=28)


def year_offsets(copies: int, earliest: int, latest: int, step: int = YEARS_PER_COPY) -> list[int]:
    """Whole-year shifts for ``copies`` copies of articles dated ``earliest``..``latest``: 0, -step,
    +step, -2*step ... kept within the years the product accepts; a smaller step if needed."""
    from search.ingest import dates

    low, high = getattr(dates, "EARLIEST_YEAR", 1800), getattr(dates, "LATEST_YEAR", 2200)
    for size in range(step, 0, -1):
        offsets, m = [0], 1
        while len(offsets) < copies and (earliest - m * size >= low or latest + m * size <= high):
            if earliest - m * size >= low:
                offsets.append(-m * size)
            if len(offsets) < copies and latest + m * size <= high:
                offsets.append(m * size)
            m += 1
        if len(offsets) >= copies:
            return offsets[:copies]
    raise SystemExit(f"--scale {copies}: the product only accepts dates from {low} to {high}, "
                     f"too few years for {copies} copies of articles dated {earliest}-{latest}")


def build_synthetic_corpus(real_articles: list, real_corpus: Path, target: Path, copies: int, log) -> list[int]:
    """Write ``copies`` copies of the real articles as JSON Lines in the product's own field names,
    with new ids and dates moved by whole years, import them into ``target``; return the year shifts.

    Copy k keeps every text but gets the id ``<original id>-copy<k>`` and its dates moved by the
    k-th of ``year_offsets``. Records name their source, so Reuters stays Reuters; the company list
    is the real corpus's, so companies are found again by the same gazetteer.
    """
    years = [a.published.year for a in real_articles if a.published]
    offsets = year_offsets(copies, min(years, default=2000), max(years, default=2000))
    staging = target.parent / f"{target.name}-files"  # the JSON Lines files that are imported
    for folder in (staging, target):
        if folder.exists():
            shutil.rmtree(folder)
    staging.mkdir(parents=True)
    for k, offset in enumerate(offsets):
        path = staging / f"copy-{k:02d}.jsonl"
        with open(path, "w", encoding="utf-8") as out:
            for article in real_articles:
                published = _shift_years(article.published, offset) if article.published else None
                record = {
                    "id": f"{article.id}-copy{k}",
                    "title": article.title,
                    "published": published.isoformat() if published else None,
                    "body": article.body,
                    "captions": list(article.captions),
                    "section": list(article.sections),
                    "source": article.source,
                }
                out.write(json.dumps(record, ensure_ascii=False))
                out.write("\n")
    files = sorted(str(p) for p in staging.glob("*.jsonl"))
    log(f"python -m search import <{copies} synthetic files> --name synthetic --source Synthetic")
    run_search_cli("import", *files, "--corpus", str(target), "--name", "synthetic", "--source", "Synthetic", log=log)
    gazetteer = real_corpus / "companies.csv"
    if gazetteer.exists():
        shutil.copy2(gazetteer, target / "companies.csv")
    (target.parent / "synthetic.json").write_text(json.dumps({"copies": copies, "year_offsets": offsets}))
    return offsets
