"""Where the tests find the product, the bundled corpus and their own data files.

One constant for the tests' folder (``TESTS_DIR``), so that a module's place in tests/unit,
tests/integration or tests/system never changes the paths it reads.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parent.parent
ROOT = TESTS_DIR.parent
DATA_DIR = TESTS_DIR / "data"
KNOWN_ITEMS = TESTS_DIR / "known_items.toml"
JS_DIR = TESTS_DIR / "js"
CORPUS = ROOT / "corpus"
SEED_FILE = CORPUS / "global-times" / "2021-07-05-bytedance-denies-report-of-selling-ai-technology.txt"
# Real data the product may not ship: read from ../shared when present (it is in CI).
SHARED = Path(os.environ.get("ARCHIVE_SHARED_DIR", ROOT.parent / "shared"))
GLOBAL_TIMES_SAMPLES = SHARED / "corpora" / "global-times-samples" / "global-times-2023-articles.jsonl"

SMALL_CORPUS_RECORDS = 40

needs_shared = pytest.mark.skipif(
    not GLOBAL_TIMES_SAMPLES.exists(), reason=f"shared corpora not found at {SHARED} (set ARCHIVE_SHARED_DIR)"
)


def copy_small_corpus(target: Path) -> Path:
    """Copy the seed, the first 40 Wikinews articles, the gazetteer and corpus.toml to ``target``."""
    shutil.copytree(CORPUS, target, ignore=shutil.ignore_patterns("*.jsonl"))
    for source in CORPUS.rglob("*.jsonl"):
        lines = source.read_text(encoding="utf-8").splitlines(keepends=True)[:SMALL_CORPUS_RECORDS]
        (target / source.relative_to(CORPUS)).write_text("".join(lines), encoding="utf-8")
    return target
