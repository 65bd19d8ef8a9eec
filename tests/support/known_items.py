"""The known-item set (tests/known_items.toml): each item is a story of the bundled corpus, its id, and
the query written from memory of it. Read by tests/unit/test_known_items.py (the file itself) and
tests/integration/test_known_items.py (the ranking)."""

from __future__ import annotations

import re
import tomllib

from tests.support.paths import KNOWN_ITEMS

TOP = 3


def load_items() -> list[dict]:
    with open(KNOWN_ITEMS, "rb") as handle:
        return tomllib.load(handle)["item"]


ITEMS = load_items()


def normalised(text: str) -> str:
    """Lowercase, whitespace collapsed: for comparing queries with each other and with article text."""
    return re.sub(r"\s+", " ", text).strip().lower()
