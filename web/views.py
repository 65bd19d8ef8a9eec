"""The pages and the JSON API. Views turn query strings into SearchRequests and results into templates.

One search is shown on three surfaces: the full page (``/``), the same page without site chrome
for an iframe (``/embed``), and a fragment that a host page on an allowed origin pulls in with
htmx (``/embed/fragment``). They differ only in their template and ``LinkMode``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from flask import Blueprint, current_app, g, jsonify, redirect, render_template, request, url_for

from search.engines.backend import SearchBackend
from search.errors import ArchiveError, BadRequest, Moved
from search.request import FACET_ATTRIBUTES, MAX_VALUE_LENGTH, FacetListRequest, SearchRequest, check_facet
from search.results import SearchResults

from . import links, responsecache, timeline
from .links import LinkMode

bp = Blueprint("views", __name__)
THEMES = ("auto", "light", "dark")


def archive() -> SearchBackend:
    return current_app.extensions["archive"]


def search_request() -> SearchRequest:
    """Validate the query string (BadRequest, shown as a 400, on anything wrong)."""
    return SearchRequest.from_params(_params(), per_page_default=current_app.config["PER_PAGE"])


def valid_part_of_request() -> SearchRequest:
    """What is right in a query string that is not: every valid parameter, the invalid ones left out."""
    return SearchRequest.keeping_valid(_params(), per_page_default=current_app.config["PER_PAGE"])


def _params() -> dict[str, list[str]]:
    return {key: request.args.getlist(key) for key in request.args}


def is_fragment_request() -> bool:
    """True for an htmx request that swaps only the results; a history restore needs the whole page."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


def render_search(page_template: str, fragment_template: str = "_partials/_results.html", error: str = ""):
    """Run the search in the query string and render it (a 400 page that keeps the user's text on bad input)."""
    fragment = is_fragment_request()
    try:
        if error:
            raise BadRequest(error)
        search_request_ = search_request()
        results = archive().search(search_request_)
        status = 200
        if results.partial:
            responsecache.forbid()  # part of the archive did not answer: the next request may get it all
    except BadRequest as exc:
        # Keep the page, the user's text and every filter that is right, say what is wrong: a 400, but one
        # they can fix in place (both dates stay in their fields when 'from' is after 'to').
        search_request_ = valid_part_of_request()
        results = SearchResults(request=search_request_, total=0, hits=[], facets={})
        error, status = exc.message, 400
    mode = links.link_mode()
    context = {
        "results": results,
        "req": search_request_,
        "error": error,
        "facets": links.facet_links(results),
        "facet_more": links.facet_more(results),
        "chips": links.chips(search_request_),
        "clear_url": links.clear_filters_url(search_request_),
        "pages": links.page_links(results),
        "past_end": _past_end(search_request_, results),
        # The suggestion keeps the filters: it was offered because it finds articles with them.
        "suggestion_url": links.search_url(replace(search_request_, q=results.suggestion, page=1))
        if results.suggestion else "",
        "match_url": _match_url(search_request_, results) if not error else "",
        "facet_titles": links.FACET_TITLES,
        "timeline": timeline.build(results),
        "mode": mode,
        "form_url": url_for(mode.search_endpoint, _external=mode.external),
        # The page's title follows the search, also after an in-place one (htmx takes a <title> from the
        # response); never on a host page that shows the fragment: its title is not ours.
        "fragment": fragment,
        # Paging and the timeline's bars ask (HX-Focus-Results) for focus on the result count, which htmx
        # gives to an [autofocus] element it swaps in; typing and ticking a facet keep their own focus.
        "focus_results": fragment and request.headers.get("HX-Focus-Results") == "true",
        # A phone's filters (a <details>) stay open across a swap if the reader had them open: the page
        # says so (HX-Filters-Open, page.js), so focus can come back to the box just ticked inside them.
        "filters_open": fragment and request.headers.get("HX-Filters-Open") == "true",
        # ... and bring the results' top into view (not on a host page: its layout is not ours to scroll).
        "paging_swap": f"{mode.swap} show:{mode.target}:top" if mode.target.startswith("#") else mode.swap,
        "document_title": f"{search_request_.q} – {current_app.config['SITE_NAME']}" if search_request_.q
        else current_app.config["SITE_NAME"],
    }
    template = fragment_template if fragment else page_template
    response = current_app.make_response((render_template(template, **context), status))
    response.vary.add("HX-Request")
    response.vary.add("HX-Focus-Results")
    response.vary.add("HX-Filters-Open")
    if fragment and not error and mode.push_url == "true":
        # htmx pushes this canonical URL rather than the raw form fields ("&sort=relevance&from=").
        response.headers["HX-Push-Url"] = links.search_url(search_request_)
    return response


def _past_end(search_request_: SearchRequest, results: SearchResults) -> tuple[int, str] | None:
    """A page past the last one ("/?q=police&page=7" of 6): the last page and its URL, to say so."""
    if not results.total or results.hits or search_request_.page == 1:
        return None
    last = links.last_page(results)
    return last, links.search_url(search_request_, page=last)


def _match_url(search_request_: SearchRequest, results: SearchResults) -> str:
    """The same search with the other way of combining words (all of them / any of them), when the
    query has several words; "" otherwise."""
    if not results.several_words or (not search_request_.match and results.match == "any"):
        return ""  # one word, or the fallback to any already answered (the notice says so)
    other = "all" if results.match == "any" else "any"
    return links.search_url(replace(search_request_, match=other, page=1))


@bp.get("/")
def search():
    return render_search("search.html")


def embed_mode() -> tuple[LinkMode, str]:
    """Return the link mode of /embed and a message if the ``theme`` parameter is wrong."""
    theme = request.args.get("theme", "auto")
    error = ""
    if theme not in THEMES:
        error, theme = f"'theme' must be one of {', '.join(THEMES)}, not {theme[:40]!r}", "auto"
    g.theme = theme
    new_tab = current_app.config["EMBED_LINKS"] == "new-tab"
    mode = LinkMode(
        search_endpoint="views.embed",
        article_endpoint="views.article" if new_tab else "views.embed_article",
        facet_endpoint="views.embed_facet",
        keep=(("theme", theme),) if theme != "auto" else (),
        article_new_tab=new_tab,
        autofocus=False,
    )
    return mode, error


@bp.get("/embed")
def embed():
    """The search page without site chrome, for an iframe; themable, and works without JavaScript."""
    g.link_mode, error = embed_mode()
    return render_search("embed.html", error=error)


@bp.get("/embed/article/<article_id>", merge_slashes=False)  # "/article//0" is no id: 404, not a 308 to "0"
def embed_article(article_id: str):
    g.link_mode, error = embed_mode()
    if error:
        raise BadRequest(error)
    return render_article(article_id, "embed_article.html")


@bp.route("/embed/fragment", methods=["GET", "OPTIONS"])
def embed_fragment():
    """Search box and results as one HTML fragment for a host page that uses htmx (CORS: allowed origins)."""
    g.link_mode = LinkMode(
        search_endpoint="views.embed_fragment", article_endpoint="views.article", external=True,
        article_new_tab=True, target="closest .na-fragment", swap="outerHTML", push_url="false",
    )
    if request.method == "OPTIONS":  # a CORS preflight; security.add_cors_headers answers it
        return current_app.make_response(("", 204))
    return render_search("_partials/_fragment.html", fragment_template="_partials/_fragment.html")


def facet_list_request() -> FacetListRequest:
    """Validate the query string of a facet's list: the search's parameters and facet_q, facet_offset,
    facet_limit (BadRequest on anything wrong)."""
    return FacetListRequest.from_params(_params(), per_page_default=current_app.config["PER_PAGE"])


def render_facet(name: str, page_template: str, error: str = ""):
    """Every value of facet ``name`` for the search in the query string, a page at a time, filtered by
    ``facet_q``: the whole page, or (htmx, as one types in its filter box) the list alone. A bad parameter
    keeps the page and the text typed, and says what is wrong (a 400)."""
    check_facet(name)
    fragment = is_fragment_request()
    try:
        if error:
            raise BadRequest(error)
        list_request = facet_list_request()
        page = archive().facet_values(list_request.search, name, list_request.facet_q, list_request.facet_offset,
                                      list_request.facet_limit)
        error, status = "", 200
        if page.partial:
            responsecache.forbid()
    except BadRequest as exc:  # keep what is right in the search, as render_search does, and the text typed
        facet_q = request.args.get("facet_q", "")[:MAX_VALUE_LENGTH].replace("\x00", "")
        list_request = FacetListRequest(search=valid_part_of_request(), facet_q=facet_q)
        page, error, status = None, exc.message, 400
    mode = links.link_mode()
    search = list_request.search
    one, several = links.FACET_NOUNS[name]
    context = {
        "facet": name,
        "one": one,
        "several": several,
        "req": search,
        "list_request": list_request,
        "page": page,
        "error": error,
        "items": links.facet_list_items(name, search, page) if page else [],
        "pages": links.facet_list_pages(name, list_request, page) if page else {},
        "back_url": links.search_url(search),
        # The filters that narrow the counts (the other facets', the dates), and this facet's own, which do not.
        "chips": links.chips(replace(search, **{FACET_ATTRIBUTES[name]: ()})),
        "ticked": search.selected(name),
        "form_url": url_for(mode.facet_endpoint, name=name),
        # The form carries the search and the page size; typing a filter starts the list from its top.
        "hidden": list_request.to_params(facet_q="", facet_offset=0) + list(mode.keep),
        "mode": mode,
        "document_title": " – ".join(
            part for part in (f"All {several}", search.q, current_app.config["SITE_NAME"]) if part),
    }
    template = "_partials/_facet_list.html" if fragment else page_template
    response = current_app.make_response((render_template(template, **context), status))
    response.vary.add("HX-Request")
    if fragment and not error:
        # The filter box replaces the address with the list's canonical URL (no history entry per letter).
        response.headers["HX-Replace-Url"] = links.facet_url(name, list_request)
    return response


@bp.get("/facet/<name>", merge_slashes=False)
def facet(name: str):
    """A facet's full list of values for a search, with a box that filters them as one types."""
    return render_facet(name, "facet.html")


@bp.get("/embed/facet/<name>", merge_slashes=False)
def embed_facet(name: str):
    """The same inside /embed: every link stays in the frame."""
    g.link_mode, error = embed_mode()
    return render_facet(name, "embed_facet.html", error=error)  # a bad theme: the page says so, as /embed does


def render_article(article_id: str, template: str):
    """An article, its words of ``q`` marked, with a way back to the very search it was opened from."""
    try:
        search_request_ = search_request()
    except BadRequest:  # a hand-edited link: keep what is readable, drop the rest
        search_request_ = valid_part_of_request()
    try:
        view = archive().article(article_id, search_request_.q)
    except Moved as moved:  # the headline was corrected: the same article under its new id, same parameters
        location = url_for(request.endpoint, article_id=moved.article_id)
        query = request.query_string.decode("utf-8", "replace")
        return redirect(f"{location}?{query}" if query else location, 301)
    back_url = links.search_url(search_request_) if search_request_.to_params() else ""
    return render_template(template, view=view, article=view.article, q=search_request_.q, back_url=back_url,
                           mode=links.link_mode())


@bp.get("/article/<article_id>", merge_slashes=False)
def article(article_id: str):
    return render_article(article_id, "article.html")


@bp.get("/company/<slug>", merge_slashes=False)
def company(slug: str):
    """A company's page: names, mentions per year, companies named with it, sources, latest articles."""
    corpus_dir = current_app.config.get("CORPUS_DIR")
    profile, latest = archive().company(slug, Path(corpus_dir) if corpus_dir else None)
    name = profile.name
    context = {
        "profile": profile,
        "latest": latest,
        "bars": _year_bars(profile),
        "all_url": links.search_url(SearchRequest(companies=(name,))),
        "together": [(other, count, links.search_url(SearchRequest(q=f'company:"{other}"', companies=(name,))),
                      links.company_url(other)) for other, count in profile.co_mentioned],
        "sources": [(source, count, links.search_url(SearchRequest(companies=(name,), sources=(source,))))
                    for source, count in profile.sources],
        "predecessors": [(s.predecessor, s.since, s.how, _company_link(s.predecessor)) for s in profile.predecessors],
        "successors": [(s.successor, s.since, s.how, _company_link(s.successor)) for s in profile.successors],
    }
    return render_template("company.html", **context)


def _company_link(name: str) -> str:
    """The page of a company the archive names, or "" (no link to a page that would be a 404)."""
    return links.company_url(name) if archive().company_named(name) else ""


CHART_WIDTH, CHART_HEIGHT = 600, 120


def _year_bars(profile) -> list[dict]:
    """Bars of the mentions-per-year chart: geometry, label and the search of that year."""
    if not profile.by_year:
        return []
    top = max(count for _, count in profile.by_year) or 1
    width = CHART_WIDTH / len(profile.by_year)
    bars = []
    for index, (year, count) in enumerate(profile.by_year):
        height = round(CHART_HEIGHT * count / top, 1)
        bars.append({
            "year": year, "count": count, "x": round(index * width + 1, 1), "width": round(max(width - 2, 1), 1),
            "y": round(CHART_HEIGHT - height, 1), "height": height, "label_x": round(index * width + width / 2, 1),
            "url": links.search_url(SearchRequest(companies=(profile.name,), year=year)) if count else "",
        })
    return bars


@bp.get("/api/search")
def api_search():
    results = archive().search(search_request())
    if results.partial:
        responsecache.forbid()
    return jsonify(results.to_json())


@bp.get("/api/facet/<name>", merge_slashes=False)
def api_facet(name: str):
    """A facet's values as JSON: the search's parameters, facet_q, facet_offset, facet_limit (docs/api.md)."""
    check_facet(name)
    list_request = facet_list_request()
    page = archive().facet_values(list_request.search, name, list_request.facet_q, list_request.facet_offset,
                                  list_request.facet_limit)
    if page.partial:
        responsecache.forbid()
    return jsonify({"query": list_request.search.q, **page.to_json()})


@bp.get("/healthz")
def healthz():
    """"ok"; "degraded" (200) when the newest build was refused and an earlier one serves, with the reason
    (docs/production.md#health); 503 with the reason when no build can be served."""
    try:
        stats = archive().stats()
    except ArchiveError as exc:
        if exc.status != 503:
            raise
        return jsonify({"status": "unavailable", "problem": exc.message}), 503
    return jsonify(stats)
