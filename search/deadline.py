"""A deadline per request (as Solr's ``timeAllowed``): the work a search does checks it, and a search that
runs out stops with ``SearchTimeout`` (a 503 that says what to change) instead of holding a worker.

Python threads cannot be interrupted from outside, so the long loops of a search call ``check()``: the
scorer per word, the phrase matcher per block of candidates, the page per hit, the feed and CSV per
article read. ``within(seconds)`` sets the deadline for the code it wraps (a context variable, so each
request thread has its own); without one, ``check()`` does nothing (the command line, ``make eval``).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from search.errors import SearchTimeout

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
