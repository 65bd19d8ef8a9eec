"""The article-extraction benchmark's body measure, and the headline and date checks of docs/html-evaluation.md.

Written from the benchmark's description (scrapinghub/article-extraction-benchmark ``evaluate.py``) so the
figures compare with its published ones: 4-word shingles of ``\\w+`` tokens, case kept, counted as a
multiset; a text of fewer than four words is one shingle of all its words. Precision is averaged over the
pages with a prediction and recall over the pages with a truth, as the benchmark does: a page the product
skips costs recall, not precision.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

_TOKEN = re.compile(r"\w+")
SHINGLE_WORDS = 4


def shingles(text: str, size: int = SHINGLE_WORDS) -> Counter:
    """The multiset of ``size``-word shingles of ``text`` (one shingle of all its words when it is shorter)."""
    tokens = _TOKEN.findall(text or "")
    if not tokens:
        return Counter()
    return Counter(tuple(tokens[i : i + size]) for i in range(max(1, len(tokens) - size + 1)))


@dataclass(frozen=True)
class PageMatch:
    """Shared, extra and missed shingles of one page."""

    tp: int
    fp: int
    fn: int


def match_page(truth: str, predicted: str) -> PageMatch:
    """Count the shingles a prediction shares with the truth, and those it adds or misses."""
    true_shingles, predicted_shingles = shingles(truth), shingles(predicted)
    tp = sum((true_shingles & predicted_shingles).values())
    return PageMatch(tp, sum(predicted_shingles.values()) - tp, sum(true_shingles.values()) - tp)


def body_scores(matches: list[PageMatch]) -> dict[str, float]:
    """Precision and recall averaged over pages, F1 from the two averages (the benchmark's convention)."""
    precisions = [_ratio(m.tp, m.fp, m.fn, m.fp) for m in matches if m.tp + m.fp > 0]
    recalls = [_ratio(m.tp, m.fp, m.fn, m.fn) for m in matches if m.tp + m.fn > 0]
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"f1": round(f1, 4), "precision": round(precision, 4), "recall": round(recall, 4)}


def _ratio(tp: int, fp: int, fn: int, wrong: int) -> float:
    if fp == fn == 0:
        return 1.0
    return tp / (tp + wrong) if tp + wrong else 0.0


_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "«": '"',
                         "»": '"', "–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-"})


def normalise_headline(text: str) -> str:
    """The form two headlines are compared in: NFKC, straight quotes, plain dashes and dots, squashed spaces."""
    text = unicodedata.normalize("NFKC", text or "").translate(_QUOTES).replace("…", "...")
    return " ".join(text.split())


def headline_matches(predicted: str, label: str) -> bool:
    """True when the product's headline is the labelled one (no site name left in, no other heading taken)."""
    return normalise_headline(predicted) == normalise_headline(label)


_EARTH_OFFSETS = (timedelta(hours=-12), timedelta(hours=14))


def date_matches(predicted: datetime | date | None, label: str, any_zone: bool = False) -> bool:
    """True when ``predicted`` falls on the labelled day: in its own offset, or (``any_zone``) somewhere on earth."""
    if predicted is None:
        return False
    day = date.fromisoformat(label)
    if not isinstance(predicted, datetime):
        return predicted == day
    if predicted.date() == day or not any_zone or predicted.tzinfo is None:
        return predicted.date() == day
    utc = predicted.astimezone(UTC)
    return (utc + _EARTH_OFFSETS[0]).date() <= day <= (utc + _EARTH_OFFSETS[1]).date()
