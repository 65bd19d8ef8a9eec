"""The bundled corpus's index as the build left it: every article, no file skipped, the folder layout
(``current`` a link to a build with its manifest). Builds of corpus copies (atomic publication, failures
that leave the old index serving, incremental updates): tests/system/test_indexer.py."""

import os

from search.index.store import IndexStore


def test_full_build_indexes_the_whole_bundled_corpus(bundled_index, bundled_articles):
    store = IndexStore(bundled_index)
    manifest = store.manifest()
    assert manifest["documents"] == len(bundled_articles) == 294
    assert manifest["skipped"] == {}
    assert set(manifest["files"]) == {
        "global-times/2021-07-05-bytedance-denies-report-of-selling-ai-technology.txt",
        "wikinews/wikinews-2019-2021.jsonl",
    }
    assert store.current().name.startswith("build-")


def test_index_folder_layout(bundled_index):
    names = sorted(p.name for p in bundled_index.iterdir())
    assert "current" in names and os.path.islink(bundled_index / "current")
    assert (bundled_index / "current" / "manifest.json").exists()
