"""``make eval-companies``: how well the product finds companies, out of sample, as one JSON line.

Four sets (``docs/company-evaluation.md``): ``dev`` and ``dev2`` (tuned on), ``test`` (reported only,
never tuned on) and the older ``in_sample`` sentences the gazetteer was once extended from. Each item is
extracted as an index build extracts it: headline and body, with the unknown organisations that its
whole corpus promotes (``CandidateCounter`` over every article of that corpus, as ``CorpusReader``
does), and dated, so names are shown as they were.

Then the facet-top check: Reuters-21578 and BBC News imported with ``python -m search import`` as
``make bench`` does (docs/benchmarks.md), read with the product's reader, and the 40 most-named company
facet values checked against country, region and currency names (pycountry), the non-companies list
the extractor itself uses, and the values found wrong before (``evaluation/data/facet-top-not-companies.txt``).

``python -m evaluation.company_eval [--sets dev,dev2,test,in_sample] [--no-facets] [--errors dev]``;
``--errors`` lists a dev set's misses and false alarms (it refuses ``test``).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bench.corpus import COLLECTIONS, run_search_cli
from search.companies.candidates import CandidateCounter
from search.companies.extractor import CompanyExtractor, strip_legal_suffixes
from search.companies.gazetteer import load_all
from search.ingest.corpus import GAZETTEER_NAME, CorpusReader

from .company_samples import ROOT, STRATA, SampleItem, draw, draw_second_dev, shared_corpora

DATA = Path(__file__).resolve().parent / "data"
GAZETTEER = ROOT / "corpus" / GAZETTEER_NAME
IN_SAMPLE = ROOT / "tests" / "data" / "company_sentences.jsonl"
FACET_TOP = 40
# Reuters + BBC, imported with the bench's own import commands (bench/corpus.py), as docs/benchmarks.md describes.
FACET_CORPORA = tuple(collection for collection in COLLECTIONS if collection[1] in ("reuters", "bbc"))
_PUNCTUATION = re.compile(r"[^\w\s&]")


def normalise(name: str) -> str:
    """The form two names are compared in: NFKC, case-folded, no legal suffix, no punctuation or "the"."""
    text = " ".join(unicodedata.normalize("NFKC", name).strip("<>").split())
    text = strip_legal_suffixes(text) or text
    text = _PUNCTUATION.sub(" ", text.casefold()).replace("&", " and ")
    words = text.split()
    if words and words[0] == "the" and len(words) > 1:
        words = words[1:]
    return " ".join(words)


@dataclass
class Score:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    items: int = 0

    def add(self, expected: set[str], found: set[str]) -> None:
        """Count one item whose names need no resolving: exact sets of names."""
        self.true_positives += len(expected & found)
        self.false_positives += len(found - expected)
        self.false_negatives += len(expected - found)
        self.items += 1

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def summary(self) -> dict:
        return {"items": self.items, "labels": self.true_positives + self.false_negatives,
                "precision": round(self.precision, 3), "recall": round(self.recall, 3), "f1": round(self.f1, 3),
                "tp": self.true_positives, "fp": self.false_positives, "fn": self.false_negatives}


@dataclass
class Outcome:
    key: str
    missed: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)


def _keys(entry: dict, extractor: CompanyExtractor, published) -> set[str]:
    keys = {normalise(entry["name"])}
    for mention in entry.get("mentions", []):
        keys.add(normalise(mention))
        keys.add(normalise(extractor.canonical(mention, published)))
    return keys - {""}


def score_item(found: Iterable[str], label: dict, extractor: CompanyExtractor, published, score: Score) -> Outcome:
    """Add one item's matches to ``score``; return what was missed and what was wrong."""
    companies = [(entry, _keys(entry, extractor, published)) for entry in label.get("companies", [])]
    either = set().union(*(_keys(entry, extractor, published) for entry in label.get("either", [])))
    matched: set[int] = set()
    outcome = Outcome(label["key"])
    for name in found:
        key = normalise(name)
        hit = next((i for i, (_, keys) in enumerate(companies) if i not in matched and key in keys), None)
        if hit is not None:
            matched.add(hit)
            score.true_positives += 1
        elif key in either or any(key in keys for _, keys in companies):
            continue  # an "either" name, or a second name for a company already matched
        else:
            score.false_positives += 1
            outcome.wrong.append(name)
    for i, (entry, _) in enumerate(companies):
        if i not in matched:
            score.false_negatives += 1
            outcome.missed.append(entry["name"])
    score.items += 1
    return outcome


def promoting_extractors(base: CompanyExtractor, strata: Iterable[str], corpora: Path) -> dict[str, CompanyExtractor]:
    """One extractor per stratum, with the unknown organisations its whole corpus promotes."""
    extractors = {}
    for stratum in strata:
        counter = CandidateCounter(base)
        for item in STRATA[stratum](corpora):
            counter.add(item.title, item.body)
        extractors[stratum] = base.with_promoted(counter.promoted())
    return extractors


def evaluate_set(items: list[SampleItem], labels: dict[str, dict],
                 extractors: dict[str, CompanyExtractor]) -> tuple[Score, list[Outcome]]:
    score, outcomes = Score(), []
    for item in items:
        extractor = extractors[item.stratum]
        found = extractor.extract(item.title, item.body, published=item.published)
        outcomes.append(score_item(found, labels[item.key], extractor, item.published, score))
    return score, outcomes


def read_labels(name: str) -> dict[str, dict]:
    with open(DATA / f"companies-{name}.jsonl", encoding="utf-8") as handle:
        return {record["key"]: record for record in map(json.loads, handle)}


def evaluate_in_sample() -> Score:
    """The older sentences (Wikinews, Global Times), extracted with the bundled corpus's promotions."""
    reader = CorpusReader(ROOT / "corpus")
    extractor = reader.extractor.with_promoted(reader.promoted_companies())
    score = Score()
    with open(IN_SAMPLE, encoding="utf-8") as handle:
        for number, record in enumerate(map(json.loads, handle)):
            label = {"key": str(number), "companies": [{"name": n, "mentions": [n]} for n in record["companies"]]}
            score_item(extractor.extract(record["text"]), label, extractor, None, score)
    return score


def not_company_names() -> set[str]:
    """Country, region and currency names (pycountry), the extractor's non-companies, known wrong values."""
    import pycountry

    names = set()
    for country in pycountry.countries:
        names |= {getattr(country, attribute, "") for attribute in ("name", "common_name", "official_name", "alpha_3")}
    names |= {subdivision.name for subdivision in pycountry.subdivisions}
    names |= {currency.name for currency in pycountry.currencies}
    names |= {phrase for row in load_all(GAZETTEER) if row.phrases_only for phrase in row.exclude}
    names |= {line.strip() for line in (DATA / "facet-top-not-companies.txt").read_text(encoding="utf-8").splitlines()
              if line.strip() and not line.startswith("#")}
    return {normalise(name) for name in names if name}


def facet_top(work: Path, corpora: Path) -> dict:
    """Import Reuters + BBC as ``make bench`` does, read them as the indexer does, check the top values."""
    import shutil

    corpus = work / "corpus"
    if corpus.exists():
        shutil.rmtree(corpus)
    for relative, name, source, extra in FACET_CORPORA:
        run_search_cli("import", str(corpora / relative), "--corpus", str(corpus),
                       "--name", name, "--source", source, *extra)
    shutil.copy2(GAZETTEER, corpus / GAZETTEER_NAME)  # the gazetteer being evaluated, not an older copy
    started = time.perf_counter()
    counts: Counter = Counter()
    articles = 0
    for result in CorpusReader(corpus).read_all():
        for article in result.articles:
            articles += 1
            counts.update(article.companies)
    seconds = time.perf_counter() - started
    wrong_names = not_company_names()
    top = counts.most_common(FACET_TOP)
    wrong = [name for name, _ in top if normalise(name) in wrong_names]
    return {"articles": articles, "read_seconds": round(seconds, 1), "ok": not wrong, "wrong": wrong,
            "top": [f"{name} {count}" for name, count in top]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evaluation.company_eval", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default="dev,dev2,test,in_sample")
    parser.add_argument("--no-facets", action="store_true", help="skip the Reuters + BBC facet-top check")
    parser.add_argument("--errors", choices=["dev", "dev2"], help="list this set's misses and false alarms on stderr")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "eval-companies")
    args = parser.parse_args(argv)
    corpora = shared_corpora()
    wanted = [name for name in args.sets.split(",") if name]
    base = CompanyExtractor.from_file(GAZETTEER)
    result: dict = {}
    sets = draw(corpora) if {"dev", "dev2", "test"} & set(wanted) else {}
    if "dev2" in wanted:
        sets["dev2"] = draw_second_dev(corpora)
    extractors = promoting_extractors(base, STRATA, corpora) if sets else {}
    for name in wanted:
        if name == "in_sample":
            result["in_sample"] = {**evaluate_in_sample().summary(),
                                   "note": "in-sample: the gazetteer was extended from these"}
            continue
        score, outcomes = evaluate_set(sets[name], read_labels(name), extractors)
        result[name] = {**score.summary(), "note": "held out: never tuned on" if name == "test" else "tuned on"}
        if args.errors == name:
            for outcome in outcomes:
                if outcome.missed or outcome.wrong:
                    print(f"{outcome.key}: missed {outcome.missed} wrong {outcome.wrong}", file=sys.stderr)
    if not args.no_facets:
        args.work.mkdir(parents=True, exist_ok=True)
        result["facet_top"] = facet_top(args.work, corpora)
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
