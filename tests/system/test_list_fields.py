"""A list field on a real searchd node (issue 13): a node made before sections were lists is refused with
a message. The rows themselves: tests/integration/test_list_fields.py; both engines on a multi-section
article: test_backend_contract.py."""

from __future__ import annotations

import pytest

from search.engines.manticore import nodes
from search.engines.manticore.loader import load_build
from search.engines.manticore.nodes import LocalNode, searchd_path
from search.engines.manticore.sphinxql import Settings
from search.errors import ArchiveError


def test_a_node_made_before_sections_were_lists_is_refused_with_a_message(tmp_path, monkeypatch):
    """searchd keeps the columns an RT index was created with: a node made with ``section_id`` is not loaded
    into (nothing is published), and the message says what to do."""
    if searchd_path() is None:
        pytest.fail("searchd is not installed: `apt-get install sphinxsearch` (.ci/run does)")
    old = tuple(("rt_attr_bigint", "section_id") if name == "section_ids" else (kind, name) for kind, name in nodes.ATTRIBUTES)
    with monkeypatch.context() as patch:
        patch.setattr(nodes, "ATTRIBUTES", old)
        node = LocalNode(tmp_path / "node").start()
    try:
        settings = Settings(head=node.sql, data_nodes=(node.sql,), timeout=5)
        with pytest.raises(ArchiveError, match=r"articles_a on 127\.0\.0\.1:\d+ was made by another version "
                                               r"\(it has no section_ids\).*manticore-config"):
            load_build(tmp_path / "no-build", "MAIN", settings, None)
    finally:
        node.stop()
