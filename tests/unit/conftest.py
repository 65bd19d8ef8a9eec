"""The unit tier: no index, no Flask app, no server. Its tests use only tests/conftest.py's fixtures
(the bundled corpus's articles, parsed) and pytest's own; the index fixtures are not defined here."""
