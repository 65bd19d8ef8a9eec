"""Shared by the facet-list tests (test_facet_list.py, test_backend_contract.py): a facet's whole list."""

from search.request import FACET_LIST_MAX, SearchRequest


def every_facet_value(engine, request: SearchRequest, facet: str, contains: str = "",
                      limit: int = FACET_LIST_MAX) -> list:
    """Every value of the facet's full list, read ``limit`` at a time through ``facet_values``."""
    values, offset = [], 0
    while True:
        page = engine.facet_values(request, facet, contains, offset, limit)
        values += page.values
        if not page.has_more:
            return values
        offset += limit
