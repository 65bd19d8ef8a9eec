"""A facet's full list (issue 14, item 8) without an index: one page of values as both engines give it,
and the list's request parameters. On the bundled index and over the app: tests/integration/test_facet_list.py."""

from __future__ import annotations

from search.engines.flow import facet_page
from search.request import FACET_LIST_DEFAULT, FacetListRequest, SearchRequest


def test_facet_page_is_neutral_about_the_engine():
    page = facet_page("company", [("b", 2), ("A", 2), ("c", 0), ("d", 5)], ("c",), "", 1, 2)
    assert [(v.value, v.count, v.selected) for v in page.values] == [("A", 2, False), ("b", 2, False)]
    assert (page.total, page.distinct, page.has_more) == (4, 4, True)
    assert page.to_json() == {"facet": "company", "contains": "", "total": 4, "distinct": 4, "offset": 1, "limit": 2,
                              "has_more": True, "partial": False,
                              "values": [{"value": "A", "count": 2, "selected": False},
                                         {"value": "b", "count": 2, "selected": False}]}


def test_the_request_validates_the_list_parameters():
    request = FacetListRequest.from_params({"q": ["police"], "company": ["Twitter"], "facet_q": ["  new   york "],
                                            "facet_offset": ["50"], "facet_limit": ["25"]})
    assert request.search == SearchRequest(q="police", companies=("Twitter",))
    assert (request.facet_q, request.facet_offset, request.facet_limit) == ("new york", 50, 25)
    assert request.to_params() == [("q", "police"), ("company", "Twitter"), ("facet_q", "new york"),
                                   ("facet_offset", "50"), ("facet_limit", "25")]
    assert FacetListRequest.from_params({}).facet_limit == FACET_LIST_DEFAULT == 50
