"""The integration tier: the bundled corpus's index built on disk once per session, the Whoosh archive
and the Flask app on it, the test client, a small writable copy of the corpus (tests/support/index.py)."""

from tests.support.index import app as app
from tests.support.index import archive as archive
from tests.support.index import bundled_index as bundled_index
from tests.support.index import client as client
from tests.support.index import corpus_copy as corpus_copy
from tests.support.index import http as http
from tests.support.index import parser_and_reader as parser_and_reader
