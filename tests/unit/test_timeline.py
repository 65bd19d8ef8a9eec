"""The timeline's parameter in the search request (count or share). The chart itself, over the app:
tests/integration/test_timeline.py."""

from search.request import SearchRequest


def test_timeline_parameter_in_the_request():
    assert SearchRequest.from_params({}).timeline == "count"
    request = SearchRequest.from_params({"timeline": ["share"], "q": ["x"]})
    assert request.timeline == "share" and request.to_params() == [("q", "x"), ("timeline", "share")]
    assert SearchRequest.from_params({"timeline": ["count"]}).to_params() == []
    assert SearchRequest.from_params({"timeline": [""]}).timeline == "count"
