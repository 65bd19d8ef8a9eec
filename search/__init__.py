"""The news archive's search library: corpus parsing, indexing and searching. Never imports Flask."""

from .article import Article
from .errors import ArchiveError, BadRequest, IndexMissing, NotFound
from .request import SearchRequest
from .searcher import Archive, SearchResults

__all__ = ["Archive", "ArchiveError", "Article", "BadRequest", "IndexMissing", "NotFound", "SearchRequest", "SearchResults"]
