"""URLs for every state of a search page: facet toggles, date drill-down, removal chips, pages.

All state lives in the query string, so every link works without JavaScript, can be bookmarked,
and htmx only has to fetch the same URL. The same templates serve three surfaces (the page, the
chrome-less /embed and the fragment a host page pulls in with htmx); a ``LinkMode`` says which, so
links stay on the surface they came from.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from urllib.parse import quote_plus, urlencode

from flask import g, url_for
from markupsafe import Markup

from search.article import day_label, make_article_id, month_label
from search.companies.directory import company_slug as slugify
from search.request import FACET_ATTRIBUTES, MAX_RESULT_DEPTH, FacetListRequest, SearchRequest
from search.results import FacetPage, FacetValue, SearchResults

FACET_TITLES = {"company": "Company", "source": "Source", "section": "Section", "date": "Date"}
# How a facet's values are named in a sentence: (one, several).
FACET_NOUNS = {"company": ("company", "companies"), "source": ("source", "sources"), "section": ("section", "sections")}


@dataclass
class FacetLink:
    facet: str
    value: str
    label: str
    count: int
    selected: bool
    url: str
    input_id: str


@dataclass
class Chip:
    """An active filter, shown with a link that removes it."""

    label: str
    remove_url: str


@dataclass(frozen=True)
class LinkMode:
    """Where the links of the page being rendered lead, and how htmx swaps what they fetch."""

    search_endpoint: str = "views.search"
    article_endpoint: str = "views.article"
    keep: tuple[tuple[str, str], ...] = ()  # parameters every link carries, e.g. (("theme", "dark"),)
    external: bool = False  # absolute URLs, for a fragment shown on another site
    article_new_tab: bool = False
    target: str = "#results-region"  # htmx target of results links
    swap: str = "innerHTML"
    push_url: str = "true"
    autofocus: bool = True  # not in a frame: a widget must not take the focus from the page around it
    facet_endpoint: str = "views.facet"  # a facet's full list of values (on a host page: the archive's, in a new tab)


PAGE = LinkMode()


def link_mode() -> LinkMode:
    return g.get("link_mode", PAGE)


def search_url(request: SearchRequest, **changes) -> str:
    """Return the URL of ``request`` (with ``changes``) on the surface being rendered."""
    mode = link_mode()
    query = encode_pairs(request.to_params(**changes) + list(mode.keep))
    base = _base_url(mode)
    return f"{base}?{query}" if query else base


@lru_cache(maxsize=8192)
def _encoded_pair(name: str, value: str) -> str:
    return f"{quote_plus(name)}={quote_plus(value)}"


def encode_pairs(pairs: list[tuple[str, str]]) -> str:
    """``urlencode(pairs)``, each pair's encoding remembered: a results page has some 90 links that repeat
    the same query, filters and facet values (benchmarks.md#pages-and-exports)."""
    return "&".join(_encoded_pair(name, value) for name, value in pairs)


def _base_url(mode: LinkMode) -> str:
    """Return the search page's URL once per request (a results page has some 40 links to it)."""
    cache = g.setdefault("base_urls", {})
    key = (mode.search_endpoint, mode.external)
    if key not in cache:
        cache[key] = url_for(mode.search_endpoint, _external=mode.external)
    return cache[key]


def embedded() -> bool:
    """True while rendering a surface that lives inside someone else's page (/embed, the fragment)."""
    return link_mode().search_endpoint != PAGE.search_endpoint


def company_url(name: str) -> str:
    """The page of a company; embedded, the search for its articles (company pages refuse framing)."""
    if embedded():
        return search_url(SearchRequest(companies=(name,)))
    return url_for("views.company", slug=slugify(name), _external=link_mode().external)


def leaves_frame() -> Markup:
    """Attributes for a link out of the archive's pages (feeds, CSV, the original article, a licence):
    embedded, it opens in a new tab, since the page it leads to is not framed (or refuses to be)."""
    return Markup(' target="_blank" rel="noopener"') if embedded() else Markup("")


def article_url(article_id: str, search: SearchRequest | str = "") -> str:
    """Return the URL of an article page on the surface being rendered (a new-tab link is the full page).

    ``search``: the search the link is shown in, carried whole (query, facets, dates, sort, page) so that
    the article's "Back to results" returns to exactly that search; a text is a query alone.
    """
    mode = link_mode()
    keep = {} if mode.article_new_tab else dict(mode.keep)
    url = url_for(mode.article_endpoint, article_id=article_id, _external=mode.external, **keep)
    query = search.query_string() if isinstance(search, SearchRequest) else urlencode({"q": search} if search else {})
    return f"{url}{'&' if '?' in url else '?'}{query}" if query else url


def facet_links(results: SearchResults) -> dict[str, list[FacetLink]]:
    """Return each facet's values with the URL that toggles them."""
    request = results.request
    links: dict[str, list[FacetLink]] = {}
    for facet in FACET_ATTRIBUTES:
        links[facet] = [
            FacetLink(
                facet, v.value, v.value, v.count, v.selected,
                search_url(request.toggled(facet, v.value)),
                input_id(facet, v.value),
            )
            for v in results.facets.get(facet, [])
        ]
    links["date"] = [_date_link(request, v, index) for index, v in enumerate(results.facets.get("date", []))]
    return links


@dataclass(frozen=True)
class FacetMore:
    """The link under a facet to its full list: "Show all 71 companies"."""

    text: str
    url: str


def facet_more(results: SearchResults) -> dict[str, FacetMore]:
    """Per value facet that has more distinct values than it shows, the link to its full list."""
    more: dict[str, FacetMore] = {}
    for facet in FACET_ATTRIBUTES:
        values = results.facets.get(facet, [])
        distinct = getattr(values, "distinct", 0)
        if distinct > len(values):
            more[facet] = FacetMore(f"Show all {distinct:,} {noun(facet, distinct)}",
                                    facet_url(facet, FacetListRequest(search=results.request)))
    return more


def noun(facet: str, count: int) -> str:
    """'company' or 'companies', as ``count`` says."""
    one, several = FACET_NOUNS[facet]
    return one if count == 1 else several


def facet_url(facet: str, request: FacetListRequest, **changes) -> str:
    """The URL of a facet's full list for a search (the search's every parameter kept), on this surface."""
    mode = link_mode()
    url = url_for(mode.facet_endpoint, name=facet, _external=mode.external)
    query = encode_pairs(request.to_params(**changes) + list(mode.keep))
    return f"{url}?{query}" if query else url


@dataclass(frozen=True)
class FacetListItem:
    """A value of a facet's full list: its label and count, and the search with it ticked (or unticked)."""

    label: str
    count: int
    selected: bool
    url: str


def facet_list_items(facet: str, request: SearchRequest, page: FacetPage) -> list[FacetListItem]:
    """The values of a page of a facet's list, each linking to the search with that value added (removed if
    it was selected), on page 1, every other parameter kept."""
    return [FacetListItem(value.value, value.count, value.selected, search_url(request.toggled(facet, value.value)))
            for value in page.values]


def facet_list_pages(facet: str, request: FacetListRequest, page: FacetPage) -> dict[str, str]:
    """The list's Previous and Next (and, past the end, First) links: {"previous": url, "next": url, ...}."""
    pages: dict[str, str] = {}
    limit = request.facet_limit
    if request.facet_offset >= page.total and request.facet_offset:
        pages["first"] = facet_url(facet, request, facet_offset=0)
    elif request.facet_offset:
        pages["previous"] = facet_url(facet, request, facet_offset=max(0, request.facet_offset - limit))
    if page.has_more:
        pages["next"] = facet_url(facet, request, facet_offset=request.facet_offset + limit)
    return pages


def input_id(facet: str, value: str) -> str:
    """Return a stable element id for a facet value, so focus survives a results swap."""
    return f"f-{facet}-{make_article_id(value)}"


def _date_link(request: SearchRequest, value: FacetValue, index: int) -> FacetLink:
    if "-" in value.value:  # a month, "2021-07"
        year, month = (int(part) for part in value.value.split("-"))
        changes = {"year": year, "month": None} if value.selected else {"year": year, "month": month}
    else:
        year = int(value.value)
        changes = {"year": None, "month": None} if value.selected else {"year": year, "month": None}
    url = search_url(replace(request, page=1, **changes))
    return FacetLink("date", value.value, value.label or value.value, value.count, value.selected, url,
                     f"f-date-{index}")


def chips(request: SearchRequest) -> list[Chip]:
    """Return the active filters, each with a link that removes just that filter."""
    result = []
    for facet in FACET_ATTRIBUTES:
        for value in request.selected(facet):
            result.append(Chip(f"{FACET_TITLES[facet]}: {value}", search_url(request.toggled(facet, value))))
    if request.year and request.month:
        label = month_label(request.year * 100 + request.month)  # as the date facet says it: "March 2020"
        result.append(Chip(f"Month: {label}", search_url(replace(request, month=None, page=1))))
    elif request.year:
        result.append(Chip(f"Year: {request.year}", search_url(replace(request, year=None, page=1))))
    if request.date_from:
        result.append(Chip(f"From: {day_label(request.date_from)}",
                           search_url(replace(request, date_from=None, page=1))))
    if request.date_to:
        result.append(Chip(f"To: {day_label(request.date_to)}", search_url(replace(request, date_to=None, page=1))))
    return result


def clear_filters_url(request: SearchRequest) -> str:
    """The same search without any filter: query, match mode, sort and page size kept."""
    return search_url(SearchRequest(q=request.q, match=request.match, sort=request.sort,
                                     per_page=request.per_page, timeline=request.timeline))


@dataclass(frozen=True)
class PageLink:
    """One item of the pager: a page number, Previous/Next, or a gap ("…", no link)."""

    label: str
    url: str | None
    current: bool = False
    kind: str = "page"  # "page", "previous", "next" or "gap"


def last_page(results: SearchResults) -> int:
    """The last page a search can show (the result depth caps it)."""
    return min(results.pages, MAX_RESULT_DEPTH // results.request.per_page)


def page_links(results: SearchResults, window: int = 2) -> list[PageLink]:
    """The pager: Previous, first, a window around the current page, last, Next."""
    request = results.request
    current = request.page
    last = last_page(results)
    pages = sorted({1, last, *range(max(1, current - window), min(last, current + window) + 1)})
    links: list[PageLink] = []
    if 1 < current:
        links.append(PageLink("Previous", search_url(request, page=min(current - 1, last)), kind="previous"))
    previous = 0
    for page in pages:
        if page - previous > 1:
            links.append(PageLink("…", None, kind="gap"))
        links.append(PageLink(str(page), search_url(request, page=page), page == current))
        previous = page
    if current < last:
        links.append(PageLink("Next", search_url(request, page=current + 1), kind="next"))
    return links
