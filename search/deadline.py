"""A deadline per request (as Solr's ``timeAllowed``): the work a search does checks it, and a search that
runs out stops with ``SearchTimeout`` (a 503 that says what to change) instead of holding a worker.

Python threads cannot be interrupted from outside, so the long loops of a search call ``check()``: the
scorer per word, the phrase matcher per block of candidates, the page per hit, the feed and CSV per
article read. ``within(seconds)`` sets the deadline for the code it wraps (a context variable, so each
request thread has its own); without one, ``check()`` does nothing (the command line, ``make eval``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from search.errors import Busy, SearchTimeout

_deadline: ContextVar[float | None] = ContextVar("search_deadline", default=None)


@contextmanager
def within(seconds: float | None) -> Iterator[None]:
    """Run the wrapped code with a deadline ``seconds`` from now (None or 0: no deadline). An outer,
    earlier deadline is kept."""
    if not seconds:
        yield
        return
    outer = _deadline.get()
    ends = time.monotonic() + seconds
    token = _deadline.set(ends if outer is None else min(outer, ends))
    try:
        yield
    finally:
        _deadline.reset(token)


def check() -> None:
    """Raise SearchTimeout if the current request's deadline has passed."""
    ends = _deadline.get()
    if ends is not None and time.monotonic() > ends:
        raise SearchTimeout("The search took too long and was stopped. Narrow it: fewer wildcards or fuzzy "
                            "words, a shorter phrase, a filter, or fewer results per page.")


def remaining() -> float | None:
    """Seconds left before the deadline, or None without one."""
    ends = _deadline.get()
    return None if ends is None else max(0.0, ends - time.monotonic())


# Costly searches (wildcards, fuzzy words, phrases, long pages, exports) run at most this many at a time
# per process, so that a few of them cannot take every thread from the ordinary searches around them.
HEAVY_SLOTS = 1
HEAVY_PER_PAGE = 25
HEAVY_WAIT = 0.5  # seconds a costly search waits for a slot before Busy
_HEAVY_MARKS = ("*", "?", "~", '"')
_heavy = threading.BoundedSemaphore(HEAVY_SLOTS)


def is_heavy(q: str, per_page: int, export: bool = False) -> bool:
    """Whether a search is costly, decided from the request alone before any work: an export, a long page,
    or a query with wildcards, fuzzy words or phrases."""
    return export or per_page > HEAVY_PER_PAGE or any(mark in q for mark in _HEAVY_MARKS)


@contextmanager
def heavy_slot(heavy: bool) -> Iterator[None]:
    """Hold one of the process's slots for a costly search for the code it wraps (a light search needs
    none). Without a free slot it waits at most HEAVY_WAIT seconds (two people's phrase searches at the same
    moment both get answers: such a search takes some 10-50 ms), then Busy (a 503 asking to try again): a
    costly search waiting longer would hold a thread another request needs."""
    if not heavy:
        yield
        return
    if not _heavy.acquire(timeout=HEAVY_WAIT):
        raise Busy("Other costly searches (wildcards, fuzzy words, phrases, long pages or exports) are running: "
                   "try again in a moment, or search without them.")
    try:
        yield
    finally:
        _heavy.release()
