"""The pages and the JSON API. Views turn query strings into SearchRequests and results into templates."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request

from search.errors import BadRequest
from search.request import MAX_QUERY_LENGTH, SearchRequest
from search.searcher import Archive, SearchResults

from . import links

bp = Blueprint("views", __name__)


def archive() -> Archive:
    return current_app.extensions["archive"]


def search_request() -> SearchRequest:
    """Validate the query string (BadRequest, shown as a 400, on anything wrong)."""
    params = {key: request.args.getlist(key) for key in request.args}
    return SearchRequest.from_params(params, per_page_default=current_app.config["PER_PAGE"])


def is_fragment_request() -> bool:
    """True for an htmx request that swaps only the results; a history restore needs the whole page."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


@bp.get("/")
def search():
    fragment = is_fragment_request()
    try:
        search_request_ = search_request()
        results = archive().search(search_request_)
        error, status = "", 200
    except BadRequest as exc:
        # Keep the page and the user's text, say what is wrong: a 400, but one they can fix in place.
        search_request_ = SearchRequest(q=request.args.get("q", "")[:MAX_QUERY_LENGTH].replace("\x00", ""))
        results = SearchResults(request=search_request_, total=0, hits=[], facets={})
        error, status = exc.message, 400
    context = {
        "results": results,
        "req": search_request_,
        "error": error,
        "facets": links.facet_links(results),
        "chips": links.chips(search_request_),
        "pages": links.page_links(results),
        "suggestion_url": links.search_url(SearchRequest(q=results.suggestion)) if results.suggestion else "",
        "facet_titles": links.FACET_TITLES,
    }
    template = "_partials/_results.html" if fragment else "search.html"
    response = current_app.make_response((render_template(template, **context), status))
    response.vary.add("HX-Request")
    if fragment and not error:
        # htmx pushes this canonical URL rather than the raw form fields ("&sort=relevance&from=").
        response.headers["HX-Push-Url"] = links.search_url(search_request_)
    return response


@bp.get("/article/<article_id>")
def article(article_id: str):
    q = request.args.get("q", "")
    search_request_ = SearchRequest.from_params({"q": [q]})
    view = archive().article(article_id, search_request_.q)
    back_url = links.search_url(search_request_) if q else ""
    return render_template("article.html", view=view, article=view.article, q=q, back_url=back_url)


@bp.get("/api/search")
def api_search():
    results = archive().search(search_request())
    return jsonify(results.to_json())


@bp.get("/healthz")
def healthz():
    stats = archive().stats()
    return jsonify({"status": "ok", **stats})
