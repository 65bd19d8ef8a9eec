"""The news archive's search library: corpus parsing, indexing and searching. Never imports Flask."""

from search.article import Article
from search.errors import ArchiveError, BadRequest, IndexMissing, NotFound
from search.request import SearchRequest
from search.engines.whoosh.archive import Archive, SearchResults

__all__ = ["Archive", "ArchiveError", "Article", "BadRequest", "IndexMissing", "NotFound", "SearchRequest", "SearchResults"]
