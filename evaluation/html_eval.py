"""``make eval-html``: how well the product reads saved news pages, beside plain trafilatura, as one JSON line.

The 120 pages of ``../shared/corpora/html-articles`` (the article-extraction benchmark's pages and body
ground truth), split into ``dev`` (tuned on) and ``test`` (only scored) by ``evaluation/data/html_split.json``,
with the headlines and dates labelled by hand in ``evaluation/data/html_labels.json``
(docs/html-evaluation.md gives the rules). For each set: body F1, precision and recall by the benchmark's
measure; the share of headlines equal to the label; on pages that state a date, the share given one and
the share given the right day; pages per second.

``python -m evaluation.html_eval [--sets dev,test,all] [--errors dev]``; ``--errors`` lists a set's misses
(it refuses ``test``, which is never tuned on).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import time
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from search.ingest.dates import DateError, parse_published
from search.ingest.formats.html import NotArticle, parse_html

from .html_scoring import PageMatch, body_scores, date_matches, headline_matches, match_page

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
PAGES_DIR = Path(os.environ.get("ARCHIVE_SHARED_DIR", ROOT.parent / "shared")) / "corpora" / "html-articles"
SETS = ("dev", "test", "all")


@dataclass
class Page:
    """One benchmark page with its ground truth and labels."""

    sha: str
    url: str
    raw: bytes
    body: str
    headline: str
    states_date: bool
    date: str | None


@dataclass
class Reading:
    """What one extractor made of one page."""

    body: str
    title: str
    published: datetime | None
    skipped: str = ""  # the NotArticle reason, when the extractor refused the page


def load_pages(pages_dir: Path = PAGES_DIR) -> dict[str, Page]:
    """Read the benchmark's pages, ground truth and our labels (the shared folder must be there)."""
    if not (pages_dir / "ground-truth.json").exists():
        raise SystemExit(f"benchmark pages not found at {pages_dir} (the shared corpora folder)")
    truth = json.loads((pages_dir / "ground-truth.json").read_text(encoding="utf-8"))
    labels = json.loads((DATA / "html_labels.json").read_text(encoding="utf-8"))
    pages = {}
    for sha, item in truth.items():
        label = labels[sha]
        raw = gzip.decompress((pages_dir / "html" / f"{sha}.html.gz").read_bytes())
        pages[sha] = Page(sha, item["url"], raw, item["articleBody"], label["headline"], label["states_date"],
                          label["date"])
    return pages


def split_sets(pages: dict[str, Page]) -> dict[str, list[str]]:
    """The committed dev/test split, and all pages."""
    split = json.loads((DATA / "html_split.json").read_text(encoding="utf-8"))
    return {"dev": split["dev"], "test": split["test"], "all": sorted(pages)}


def read_date(value: object) -> datetime | None:
    """A date as the index reads it (``parse_published``; no offset: as written), None if unreadable."""
    with warnings.catch_warnings():  # dateutil warns of zone names it ignores ("EST")
        warnings.simplefilter("ignore")
        try:
            return parse_published(value, UTC)
        except DateError:
            return None


def read_with_product(page: Page) -> Reading:
    """The product's reading: ``parse_html``, its date as the index would get it (offset kept, else as written)."""
    draft = parse_html(page.raw, url=page.url)
    if isinstance(draft, NotArticle):
        return Reading("", "", None, draft.reason)
    published = read_date(draft.published) if draft.published is not None else None
    return Reading("\n\n".join(draft.paragraphs), draft.title, published)


def read_with_trafilatura(page: Page) -> Reading:
    """Plain trafilatura with its default settings: ``extract`` for the body, ``extract_metadata`` for the rest."""
    import trafilatura

    body = trafilatura.extract(page.raw, url=page.url) or ""
    metadata = trafilatura.extract_metadata(page.raw, default_url=page.url)
    published = read_date(metadata.date) if metadata is not None and metadata.date else None
    return Reading(body, (metadata.title or "") if metadata else "", published)


EXTRACTORS = {"product": read_with_product, "trafilatura": read_with_trafilatura}


def run(pages: dict[str, Page], extractor: str) -> tuple[dict[str, Reading], float]:
    """Read every page with one extractor; return the readings and the pages per second."""
    read = EXTRACTORS[extractor]
    started = time.perf_counter()
    readings = {sha: read(page) for sha, page in pages.items()}
    return readings, len(pages) / (time.perf_counter() - started)


def score(pages: dict[str, Page], readings: dict[str, Reading], shas: list[str]) -> dict:
    """Body, headline and date figures of one extractor on one set of pages."""
    matches: list[PageMatch] = [match_page(pages[sha].body, readings[sha].body) for sha in shas]
    dated = [sha for sha in shas if pages[sha].states_date]
    undated = [sha for sha in shas if not pages[sha].states_date]
    result = {"pages": len(shas), "skipped": sum(bool(readings[sha].skipped) for sha in shas),
              **body_scores(matches)}
    result["headline_rate"] = _share(sum(headline_matches(readings[s].title, pages[s].headline) for s in shas),
                                     len(shas))
    result["dated_pages"] = len(dated)
    result["date_found_rate"] = _share(sum(readings[s].published is not None for s in dated), len(dated))
    result["date_correct_rate"] = _share(sum(date_matches(readings[s].published, pages[s].date) for s in dated),
                                         len(dated))
    result["date_correct_any_zone_rate"] = _share(
        sum(date_matches(readings[s].published, pages[s].date, any_zone=True) for s in dated), len(dated))
    result["dates_invented"] = sum(readings[s].published is not None for s in undated)
    return result


def _share(count: int, total: int) -> float:
    return round(count / total, 4) if total else 0.0


def errors(pages: dict[str, Page], readings: dict[str, Reading], shas: list[str]) -> list[dict]:
    """The misses of one set, worst body first: for looking at dev pages while tuning."""
    rows = []
    for sha in shas:
        page, reading = pages[sha], readings[sha]
        scores = body_scores([match_page(page.body, reading.body)])
        row = {"sha": sha[:12], "url": page.url, "f1": scores["f1"], "p": scores["precision"],
               "r": scores["recall"]}
        if reading.skipped:
            row["skipped"] = reading.skipped
        if not headline_matches(reading.title, page.headline):
            row["headline"] = [reading.title, page.headline]
        if page.states_date and not date_matches(reading.published, page.date):
            row["date"] = [reading.published.isoformat() if reading.published else None, page.date]
        rows.append(row)
    return sorted(rows, key=lambda row: row["f1"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--errors", choices=["dev"], help="list the misses of a tuning set, one JSON line each")
    args = parser.parse_args(argv)
    pages = load_pages()
    sets = split_sets(pages)
    if args.errors:
        readings, _ = run(pages, "product")
        for row in errors(pages, readings, sets[args.errors]):
            print(json.dumps(row, ensure_ascii=False))
        return 0
    report: dict = {"benchmark": "scrapinghub/article-extraction-benchmark, 120 of 181 pages",
                    "tuned_on": "dev", "held_out": "test"}
    for extractor in EXTRACTORS:
        readings, speed = run(pages, extractor)
        report[extractor] = {name: score(pages, readings, sets[name]) for name in args.sets.split(",")}
        report[extractor]["pages_per_second"] = round(speed, 1)
    print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
