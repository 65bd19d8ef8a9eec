"""Shared fixtures: a real index built on disk from the bundled corpus, once per test session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from search.ingest.corpus import CorpusReader
from search.index.build import build_index
from search.engines.whoosh.archive import WhooshArchive
from web import create_app

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SEED_FILE = CORPUS / "global-times" / "2021-07-05-bytedance-denies-report-of-selling-ai-technology.txt"
# Real data the product may not ship: read from ../shared when present (it is in CI).
SHARED = Path(os.environ.get("ARCHIVE_SHARED_DIR", ROOT.parent / "shared"))
GLOBAL_TIMES_SAMPLES = SHARED / "corpora" / "global-times-samples" / "global-times-2023-articles.jsonl"

SMALL_CORPUS_RECORDS = 40

needs_shared = pytest.mark.skipif(
    not GLOBAL_TIMES_SAMPLES.exists(), reason=f"shared corpora not found at {SHARED} (set ARCHIVE_SHARED_DIR)"
)


@pytest.fixture(scope="session")
def bundled_index(tmp_path_factory) -> Path:
    """Build the index of the bundled corpus into a temporary folder; return the index root."""
    root = tmp_path_factory.mktemp("index")
    build_index(CORPUS, root, progress=False)
    return root


@pytest.fixture(scope="session")
def bundled_articles():
    """Every article of the bundled corpus, parsed independently of the index (for brute-force checks)."""
    return [article for result in CorpusReader(CORPUS).read_all() for article in result.articles]


@pytest.fixture(scope="session")
def archive(bundled_index):
    with WhooshArchive(bundled_index) as opened:
        yield opened


@pytest.fixture(scope="session")
def seed_id(bundled_articles) -> str:
    return next(a.id for a in bundled_articles if a.path.startswith("global-times/"))


@pytest.fixture(scope="session")
def app(bundled_index):
    app = create_app({"INDEX_DIR": str(bundled_index), "TESTING": True})
    yield app
    app.extensions["archive"].close()


@pytest.fixture()
def client(app):
    return app.test_client()


def copy_small_corpus(target: Path) -> Path:
    """Copy the seed, the first 40 Wikinews articles, the gazetteer and corpus.toml to ``target``."""
    shutil.copytree(CORPUS, target, ignore=shutil.ignore_patterns("*.jsonl"))
    for source in CORPUS.rglob("*.jsonl"):
        lines = source.read_text(encoding="utf-8").splitlines(keepends=True)[:SMALL_CORPUS_RECORDS]
        (target / source.relative_to(CORPUS)).write_text("".join(lines), encoding="utf-8")
    return target


@pytest.fixture()
def corpus_copy(tmp_path) -> Path:
    """A writable, smaller copy of the bundled corpus: the seed, the first 40 Wikinews articles,
    the gazetteer and corpus.toml (real data, but quick to index again and again)."""
    return copy_small_corpus(tmp_path / "corpus")


def start_cluster(root: Path):
    """A real Manticore/Sphinx cluster for the backend tests: 2 searchd data nodes and a head."""
    from search.engines.manticore.nodes import LocalCluster, searchd_path

    if searchd_path() is None:
        pytest.fail("searchd is not installed: `apt-get install sphinxsearch` (.ci/run does)")
    return LocalCluster(root, data_nodes=2).start()


def cluster_settings(cluster, timeout: int = 10):
    """Where the product finds ``cluster`` (what ARCHIVE_MANTICORE_* would say)."""
    from search.engines.manticore.sphinxql import Settings

    return Settings(head=cluster.head.sql, data_nodes=tuple(cluster.data_addresses), timeout=timeout)


def load_into_cluster(corpus: Path, root: Path, settings, incremental: bool = False) -> dict:
    """Build ``corpus`` into ``root`` and load it into the cluster before publishing; return the load's report."""
    from search.index.build import update_index
    from search.engines.manticore.loader import publish_step

    report: dict = {}
    build = update_index if incremental else build_index
    build(corpus, root, progress=False, before_publish=publish_step(settings, report))
    return report
