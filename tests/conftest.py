"""What every tier needs: the tier markers, and the bundled corpus's articles parsed (no index).

The tests live in three folders, each a marker (pytest.ini) given here by folder:

- tests/unit: pure functions on strings and files (parsers, analysis, dates, captions, companies,
  query parsing): no index built, no Flask app, no server;
- tests/integration: the bundled corpus's index built once per session, the Flask test client, the
  command line (tests/integration/conftest.py);
- tests/system: a real browser, nginx, gunicorn, a SolrCloud cluster, killed builds and full disks,
  fuzzing with thousands of examples, the benchmark and evaluation harnesses (tests/system/conftest.py).

``pytest tests/unit tests/integration`` is the fast tier; ``pytest`` runs all three. This file imports
nothing of the product at import time, so that collecting tests/unit costs only what its modules import.
"""

from __future__ import annotations

import os

import pytest

from tests.support.paths import CORPUS, TESTS_DIR

TIERS = ("unit", "integration", "system")

# The apps under test are configured at the address Flask's test client calls itself (http://localhost/):
# absolute URLs come from ARCHIVE_BASE_URL, never from the request's Host (web/baseurl.py), and the tests
# compare them with that address. tests/integration/test_host_header.py checks the other cases.
os.environ.setdefault("ARCHIVE_BASE_URL", "http://localhost")


def pytest_collection_modifyitems(config, items):
    """Mark each test with its tier (its folder), so that ``-m unit`` and the like select by tier."""
    for item in items:
        try:
            tier = item.path.relative_to(TESTS_DIR).parts[0]
        except ValueError:
            continue
        if tier not in TIERS:
            raise pytest.UsageError(f"{item.nodeid}: every test module lives in tests/unit, tests/integration "
                                    "or tests/system (tests/conftest.py)")
        item.add_marker(getattr(pytest.mark, tier))


@pytest.fixture(scope="session")
def bundled_articles():
    """Every article of the bundled corpus, parsed independently of the index (for brute-force checks)."""
    from search.ingest.corpus import CorpusReader

    return [article for result in CorpusReader(CORPUS).read_all() for article in result.articles]


@pytest.fixture(scope="session")
def seed_id(bundled_articles) -> str:
    return next(a.id for a in bundled_articles if a.path.startswith("global-times/"))
