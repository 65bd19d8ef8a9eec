"""A request the fuzzing found (tests/system/test_fuzz.py): a month of year 0000 is refused."""

import pytest

from search.errors import BadRequest
from search.request import SearchRequest


def test_month_with_year_zero_is_refused():
    with pytest.raises(BadRequest):
        SearchRequest.from_params({"month": ["0000-05"]})
