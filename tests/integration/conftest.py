"""The integration tier: the bundled corpus's index built on disk once per session, the Whoosh archive
and the Flask app on it, the test client, a module's client and query parser, a small writable copy of
the corpus (defined in tests/support/index.py, shared with tests/system/conftest.py)."""

from tests.support import index

bundled_index = index.bundled_index
archive = index.archive
lazy_archive = index.lazy_archive
app = index.app
client = index.client
http = index.http
parser_and_reader = index.parser_and_reader
corpus_copy = index.corpus_copy
