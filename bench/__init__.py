"""Benchmark: the product's indexing and search against SQLite FTS5, tantivy and Datasette.

``make bench`` (or ``python -m bench``); see docs/benchmarks.md.
"""
