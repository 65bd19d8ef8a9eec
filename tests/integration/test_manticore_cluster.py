"""The app refuses a search backend it does not have when it starts. The Manticore backend on a real
searchd cluster: tests/system/test_manticore_cluster.py."""

import pytest

from web import create_app


def test_an_unknown_backend_is_refused_when_the_app_starts(tmp_path):
    with pytest.raises(ValueError, match="ARCHIVE_SEARCH_BACKEND must be one of whoosh, manticore"):
        create_app({"INDEX_DIR": str(tmp_path), "SEARCH_BACKEND": "elasticsearch"})
