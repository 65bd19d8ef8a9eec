"""The deadline of a search and the slots for costly ones (search/deadline.py)."""

from __future__ import annotations

import time

import pytest

from search import deadline
from search.errors import Busy, SearchTimeout


def test_check_passes_without_a_deadline_and_stops_past_one():
    deadline.check()  # none set: the command line and make eval run without one
    with deadline.within(0.05):
        deadline.check()
        time.sleep(0.06)
        with pytest.raises(SearchTimeout, match="Narrow it"):
            deadline.check()
    deadline.check()  # reset after the block


def test_an_inner_deadline_never_extends_an_outer_one():
    with deadline.within(0.05), deadline.within(100):
        assert deadline.remaining() <= 0.05


@pytest.mark.parametrize(("q", "per_page", "export", "heavy"), [
    ("oil prices", 10, False, False), ("oil*", 10, False, True), ('"oil prices"', 10, False, True),
    ("tiktk~1", 10, False, True), ("oil", 100, False, True), ("oil", 10, True, True)])
def test_what_counts_as_costly_is_decided_from_the_request(q, per_page, export, heavy):
    assert deadline.is_heavy(q, per_page, export) is heavy


def test_a_second_costly_search_is_refused_at_once_while_the_slot_is_held():
    with deadline.heavy_slot(True):
        started = time.monotonic()
        with pytest.raises(Busy, match="try again"):
            with deadline.heavy_slot(True):
                pass
        assert time.monotonic() - started < 0.1
        with deadline.heavy_slot(False):  # an ordinary search needs no slot
            pass
    with deadline.heavy_slot(True):  # released
        pass
