"""The errors the library raises for the web layer and the command line to show.

Every error the library means to raise derives from ``ArchiveError``: the command line prints its
message and the web layer answers it with its status, and neither needs to know each kind.
"""

from __future__ import annotations


class ArchiveError(Exception):
    """An error with a message for the user and the HTTP status that fits it."""

    status = 500
    title = "Error"  # the heading of the error page

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class BadRequest(ArchiveError):
    """A query or parameter the archive cannot answer as given."""

    status = 400
    title = "Bad request"


class NotFound(ArchiveError):
    """No such article."""

    status = 404
    title = "Not found"


class Moved(ArchiveError):
    """An article id that is no longer served, of an article now served under ``article_id`` (its headline
    was corrected: the id's slug changed, not the hash of its key). The pages redirect to it."""

    status = 301
    title = "Moved permanently"

    def __init__(self, article_id: str):
        super().__init__(f"The article is now at id {article_id!r}.")
        self.article_id = article_id


class IndexMissing(ArchiveError):
    """No index has been built yet."""

    status = 503
    title = "No index yet"


class IndexDamaged(ArchiveError):
    """The build ``current`` names cannot be served (a file missing, truncated or changed since it was
    published, an unreadable manifest), and no earlier build is open to serve instead."""

    status = 503
    title = "Index unavailable"


class SearchUnavailable(ArchiveError):
    """The search engine behind the archive cannot answer (a search node is down or unreachable)."""

    status = 503
    title = "Search unavailable"


class InvalidInput(ArchiveError, ValueError):
    """A file, record or setting that cannot be used as it is (a gazetteer row, a corpus.toml, a date, an
    import); raised with the reason, reported with the file it came from."""

    status = 400
    title = "Invalid input"


class BuildError(ArchiveError, RuntimeError):
    """An index build that could not run or finish; the index being served is unchanged."""


class SearchTimeout(ArchiveError):
    """A search that ran past its deadline (``search/deadline.py``) and was stopped."""

    status = 503
    title = "Search took too long"


class Busy(ArchiveError):
    """Every slot for costly searches of this process is taken (``search/deadline.py`` ``heavy_slot``)."""

    status = 503
    title = "Busy"
