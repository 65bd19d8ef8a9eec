"""The fixtures of the tiers that open an index (tests/integration, tests/system): the bundled corpus's
index built on disk once per test session, the Whoosh archive and the Flask app on it, a test client,
a module's test client and query parser, and a small writable copy of the corpus. Their conftest.py
files take them from here.

Each of the two conftests names these fixtures (``bundled_index = index.bundled_index``), so each has its
own copy of the session fixtures: the build is kept in the session's stash, one build for a run of both
tiers as for a run of one. The product is imported inside
the fixtures, never when a conftest is loaded.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.paths import CORPUS, copy_small_corpus

_BUNDLED_INDEX = pytest.StashKey[Path]()


@pytest.fixture(scope="session")
def bundled_index(request, tmp_path_factory) -> Path:
    """Build the index of the bundled corpus into a temporary folder (once per session); return the index root."""
    stash = request.config.stash
    if _BUNDLED_INDEX not in stash:
        from search.index.build import build_index

        root = tmp_path_factory.mktemp("index")
        build_index(CORPUS, root, progress=False)
        stash[_BUNDLED_INDEX] = root
    return stash[_BUNDLED_INDEX]


@pytest.fixture(scope="session")
def archive(bundled_index):
    from search.engines.whoosh.archive import WhooshArchive

    with WhooshArchive(bundled_index) as opened:
        yield opened


def without_derived(index_root: Path, target: Path) -> Path:
    """Copy an index root with its current build as a build made before the derived arrays existed:
    no ``derived.*`` files, none in its manifest's checksums; return the copy's root."""
    import json
    import shutil

    from search.index.store import CHECKSUMS, MANIFEST_NAME

    build = (index_root / "current").resolve()
    shutil.copytree(build, target / build.name)
    (target / "current").symlink_to(build.name)
    for path in (target / build.name).glob("derived.*"):
        path.unlink()
    manifest_path = target / build.name / MANIFEST_NAME
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest[CHECKSUMS] = {k: v for k, v in manifest[CHECKSUMS].items() if not k.startswith("derived.")}
    manifest.pop("derived", None)
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    return target


@pytest.fixture(scope="session")
def lazy_archive(bundled_index, tmp_path_factory):
    """The bundled index opened as an older build: everything read from Whoosh (no derived arrays)."""
    from search.engines.whoosh.archive import WhooshArchive

    with WhooshArchive(without_derived(bundled_index, tmp_path_factory.mktemp("lazy-index"))) as opened:
        yield opened


@pytest.fixture(scope="session")
def app(bundled_index):
    from web import create_app

    app = create_app({"INDEX_DIR": str(bundled_index), "TESTING": True})
    yield app
    app.extensions["archive"].close()


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def http(app):
    """A test client kept for the whole module (the fuzz tests and the limits of issue 5)."""
    return app.test_client()


@pytest.fixture(scope="module")
def parser_and_reader(bundled_index):
    """The query parser on the bundled index's schema, and a reader of it (for wildcard expansion)."""
    from whoosh import index as whoosh_index

    from search.index.build import INDEX_NAME
    from search.index.store import IndexStore
    from search.query.parser import QueryParser

    ix = whoosh_index.open_dir(str(IndexStore(bundled_index).current()), indexname=INDEX_NAME)
    reader = ix.reader()
    yield QueryParser(ix.schema), reader
    reader.close()
    ix.close()


@pytest.fixture()
def corpus_copy(tmp_path) -> Path:
    """A writable, smaller copy of the bundled corpus: the seed, the first 40 Wikinews articles,
    the gazetteer and corpus.toml (real data, but quick to index again and again)."""
    return copy_small_corpus(tmp_path / "corpus")
