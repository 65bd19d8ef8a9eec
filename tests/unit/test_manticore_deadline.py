"""The request's deadline reaches searchd as max_query_time (search/engines/manticore/archive.py ``ranked``);
tests/system/test_backend_contract.py runs every Manticore search with it against real searchd nodes."""

import re
import time

from search import deadline
from search.engines.manticore.archive import RANKER, ranked


def test_without_a_deadline_the_ranker_alone():
    assert ranked() == RANKER


def test_under_a_deadline_searchd_gets_what_is_left_of_it_in_milliseconds():
    with deadline.within(2.0):
        time.sleep(0.3)
        option = ranked()
    left = int(re.fullmatch(re.escape(RANKER) + r", max_query_time=(\d+)", option).group(1))
    assert 1500 <= left <= 1700, option


def test_a_spent_deadline_still_gives_searchd_one_millisecond_not_zero_which_means_no_limit():
    with deadline.within(0.001):
        time.sleep(0.01)
        assert ranked().endswith("max_query_time=1")
