"""The news archive's search library: corpus parsing, indexing and searching. Never imports Flask.

Importing it loads nothing heavy: the engines (Whoosh, numpy) load when one is opened
(``search.engines.backend.open_backend``).
"""
