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


def test_a_second_costly_search_waits_for_the_slot_at_most_heavy_wait_then_is_refused():
    with deadline.heavy_slot(True):
        started = time.monotonic()
        with pytest.raises(Busy, match="try again"):
            with deadline.heavy_slot(True):
                pass
        assert deadline.HEAVY_WAIT <= time.monotonic() - started < deadline.HEAVY_WAIT + 0.2
        started = time.monotonic()
        with deadline.heavy_slot(False):  # an ordinary search needs no slot, and never waits
            pass
        assert time.monotonic() - started < 0.05
    with deadline.heavy_slot(True):  # released
        pass


def test_a_costly_search_gets_the_slot_when_the_one_before_ends_within_the_wait():
    import threading

    held, got = threading.Event(), []

    def first():
        with deadline.heavy_slot(True):
            held.set()
            time.sleep(deadline.HEAVY_WAIT / 5)

    thread = threading.Thread(target=first)
    thread.start()
    held.wait(5)
    with deadline.heavy_slot(True):  # no Busy: the first one let go in time
        got.append(True)
    thread.join(5)
    assert got == [True]
