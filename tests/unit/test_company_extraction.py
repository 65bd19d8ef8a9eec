"""How well the product finds companies, measured on hand-labelled sentences.

``tests/data/company_sentences.jsonl``: one sentence a line, copied verbatim from the bundled
corpus (``source``: ``corpus/...``) or from the Global Times samples (``global-times-samples/...``,
under ``../shared/corpora``), with ``article`` (its URL; empty for the bundled Global Times page)
and ``companies``: what a reader of the article expects, labelled by reading before the extractor
was run on the set. Conventions of the labels:

- canonical names as the gazetteer gives them (``Ford Motor`` for "Ford", ``NBC`` for "MSNBC"), or
  the organisation's usual name when the gazetteer did not have it;
- companies are businesses, including commercial news organisations, and products or places that
  carry a company's name ("posted on Twitter", "a Boeing 737", "Walt Disney World");
- not companies: governments and their bodies, public broadcasters and state news agencies (BBC,
  PBS, Xinhua, Sputnik, the Global Times as a Party paper), universities, NGOs, parties, sports
  clubs, bands (even "Public Image Ltd"), people who share a company's name ("Gerald Ford",
  "Michael Bloomberg"), photo credits ("Photo: VCG").

Each sentence is extracted as an index build extracts it: by the reader of a corpus made of the
bundled corpus and the Global Times samples (so unknown organisations are accepted or not by
their counts over that corpus), with the rest of the article as context (a weak alias such as
"FT" counts in an article that names the Financial Times).

Precision and recall are micro-averaged over (sentence, company) pairs by counting sets: the
labels are open-ended names, not a fixed label set, so a metrics library would need the label
space built first (scikit-learn's MultiLabelBinarizer) for what is three sums.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluation.company_eval import Score
from search.companies.extractor import CompanyExtractor
from search.ingest.corpus import CorpusReader
from tests.support.paths import CORPUS, DATA_DIR, GLOBAL_TIMES_SAMPLES, ROOT

SENTENCES = DATA_DIR / "company_sentences.jsonl"
SAMPLES_PREFIX = "global-times-samples/"
MIN_PRECISION = MIN_RECALL = 0.85


def load_sentences() -> list[dict]:
    with open(SENTENCES, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def source_path(source: str) -> Path:
    if source.startswith(SAMPLES_PREFIX):
        return GLOBAL_TIMES_SAMPLES.parent / source[len(SAMPLES_PREFIX):]
    return ROOT / source


@pytest.fixture(scope="module")
def archive_corpus(tmp_path_factory) -> Path:
    """The bundled corpus plus the Global Times samples (when present), linked into one folder."""
    folder = tmp_path_factory.mktemp("company-corpus")
    for entry in CORPUS.iterdir():
        (folder / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    if GLOBAL_TIMES_SAMPLES.exists():
        (folder / "global-times-samples").mkdir()
        (folder / "global-times-samples" / GLOBAL_TIMES_SAMPLES.name).symlink_to(GLOBAL_TIMES_SAMPLES)
    return folder


@pytest.fixture(scope="module")
def reader_and_articles(archive_corpus):
    reader = CorpusReader(archive_corpus)
    articles = [article for result in reader.read_all() for article in result.articles]
    return reader, articles


def article_for(item: dict, articles):
    if item["article"]:
        return next(a for a in articles if a.url == item["article"])
    return next(a for a in articles if a.path == item["source"].removeprefix("corpus/"))


def evaluate(extractor: CompanyExtractor, items: list[dict], articles, context: bool = True):
    score = Score()
    report = []
    for item in items:
        expected = set(item["companies"])
        article_companies = article_for(item, articles).companies if context else ()
        found = set(extractor.extract(item["text"], context=article_companies))
        score.add(expected, found)
        if found != expected:
            report.append(f"  missed {sorted(expected - found)} extra {sorted(found - expected)}: {item['text'][:110]}")
    return score, report


def test_the_set_is_verbatim_and_large_enough():
    items = load_sentences()
    assert len(items) >= 70
    assert len({item["text"] for item in items}) == len(items)
    assert sum(1 for item in items if not item["companies"]) >= 20  # sentences naming no company
    sources = {item["source"] for item in items}
    assert any(s.startswith(SAMPLES_PREFIX) for s in sources) and any(s.startswith("corpus/") for s in sources)
    records_of: dict[Path, list[dict]] = {}  # each JSON Lines file read once, not once per sentence
    for item in items:
        path = source_path(item["source"])
        if not path.exists():
            continue
        if path.suffix == ".jsonl":
            if path not in records_of:
                records_of[path] = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
            for record in records_of[path]:
                if record.get("url") == item["article"]:
                    text = " ".join(str(record.get(k, "")) for k in ("title", "body", "text"))
                    assert item["text"] in text, item["text"]
                    break
            else:
                pytest.fail(f"no article {item['article']} in {item['source']}")
        else:
            assert item["text"] in path.read_text(encoding="utf-8"), item["text"]


def test_precision_and_recall(reader_and_articles, capsys):
    reader, articles = reader_and_articles
    items = [item for item in load_sentences() if source_path(item["source"]).exists()]
    score, report = evaluate(reader.extractor, items, articles)
    alone, _ = evaluate(reader.extractor, items, articles, context=False)
    summary = (
        f"{len(items)} sentences, {score.true_positives + score.false_negatives} companies expected: "
        f"precision {score.precision:.3f}, recall {score.recall:.3f} "
        f"(each sentence alone, without its article: precision {alone.precision:.3f}, recall {alone.recall:.3f})"
    )
    with capsys.disabled():
        print("\n" + summary + "\n" + "\n".join(report))
    assert score.precision >= MIN_PRECISION and score.recall >= MIN_RECALL, summary + "\n" + "\n".join(report)
