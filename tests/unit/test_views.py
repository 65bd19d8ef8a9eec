"""The search request a page keeps when some of its parameters are wrong (the 400 page keeps the valid
search). The pages themselves: tests/integration/test_views.py."""


def test_keeping_valid_drops_only_what_is_wrong():
    from datetime import date

    from search.request import SearchRequest

    kept = SearchRequest.keeping_valid({
        "q": ["police"], "company": ["Twitter", "x" * 201], "page": ["abc"], "year": ["2020"], "month": ["13"],
        "from": ["2020-02-30"], "to": ["2020-05-01"], "sort": ["random"], "per_page": ["20"],
    })
    assert kept == SearchRequest(q="police", companies=("Twitter",), year=2020, date_to=date(2020, 5, 1), per_page=20)
    swapped = {"from": ["2020-06-01"], "to": ["2020-05-01"]}
    assert (SearchRequest.keeping_valid(swapped).date_from, SearchRequest.keeping_valid(swapped).date_to) == \
        (date(2020, 6, 1), date(2020, 5, 1))
    assert SearchRequest.keeping_valid({"q": ["a\x00b", "c"]}).q == "ab"  # a bad query is kept as far as it can be
