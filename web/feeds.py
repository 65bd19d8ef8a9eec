"""Every search in the other forms people use: an Atom feed (a search becomes an alert in a feed
reader), a CSV export of all its articles, an OpenSearch description (browsers offer the archive as
a search engine) and suggestions for the search box.

``/search.atom`` and ``/search.csv`` take the parameters of ``/`` and validate them the same way
(a 400 with the message on anything wrong, as plain text: ``errors.py``). Every URL is built with ``url_for`` (through
``links.search_url`` where it is a search), so a proxy's prefix is on all of them.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import replace
from datetime import UTC, datetime
from html import unescape
from urllib.parse import quote

from feedgen.feed import FeedGenerator
from flask import Blueprint, Response, current_app, g, render_template, request, url_for

from search.article import ascii_slug, iso_published
from search.errors import BadRequest
from search.request import DEFAULT_PER_PAGE, SearchRequest

from . import links, responsecache
from .links import LinkMode
from .views import archive, is_fragment_request, search_request

bp = Blueprint("feeds", __name__)

COMPANY_SCHEME = "urn:x-news-archive:company"  # Atom category schemes: what kind of name a category is
SOURCE_SCHEME = "urn:x-news-archive:source"
SECTION_SCHEME = "urn:x-news-archive:section"
# Several companies or sections in one cell are separated by "; " (names may hold commas).
CSV_COLUMNS = ("id", "title", "published", "source", "sections", "companies", "url", "article_url")
CSV_CHUNK = 16 * 1024  # rows are sent in pieces of about this many characters
# The file starts with a byte order mark: Excel on Windows reads a CSV without one in the computer's code
# page, and "Matovič" comes out as "MatoviÄ" and a stray byte; with it, as UTF-8. Other spreadsheets and
# Python's "utf-8-sig" skip it.
BOM = "\ufeff"
# Characters XML 1.0 cannot carry at all (control characters, lone surrogates, U+FFFE/U+FFFF): lxml
# refuses them, so they are dropped from article text before it goes into a feed.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_MARK = re.compile(r"</?mark>")


def xml_text(text: str) -> str:
    return _NOT_XML.sub("", text or "")


def plain_text(snippet_html: str) -> str:
    """The text of a snippet: snippets are escaped text with bare <mark> tags only (highlight.sanitize)."""
    return unescape(_MARK.sub("", snippet_html))


def _search_url_at(endpoint: str, search: SearchRequest, external: bool) -> str:
    """``links.search_url(search)`` with ``endpoint`` instead of the search page."""
    saved = g.get("link_mode")
    g.link_mode = LinkMode(search_endpoint=endpoint, external=external)
    try:
        return links.search_url(search)
    finally:
        if saved is None:
            g.pop("link_mode")
        else:
            g.link_mode = saved


@bp.app_template_global()
def export_url(endpoint: str, search: SearchRequest) -> str:
    """Return the URL of ``search`` at ``endpoint`` (the feed or the CSV export) for the results page,
    absolute where the surface being rendered is (the embed fragment)."""
    search = replace(search, page=1, per_page=DEFAULT_PER_PAGE)  # neither is paged like the page
    if endpoint == "feeds.atom":
        search = replace(search, sort="relevance")  # a feed is newest first anyway: left out of its URL
    return _search_url_at(endpoint, search, links.link_mode().external)


def _feed_title(search: SearchRequest) -> str:
    """The search in words: its query and the filters' labels ("tiktok · Company: TikTok · Year: 2021")."""
    parts = [f"“{search.q}”" if search.q else "All articles"] + [chip.label for chip in links.chips(search)]
    return xml_text(" · ".join(parts))


@bp.get("/search.atom")
def atom():
    """The search's newest articles as an Atom feed (a feed reader polls it: new matches are new entries)."""
    asked = search_request()  # per_page entries (10 unless it says), page 1 unless it says
    results = archive().search(replace(asked, sort="newest"), facets=False, did_you_mean=False)
    if results.partial:
        responsecache.forbid()
    site = current_app.config["SITE_NAME"]
    built_at = None

    def fallback_time() -> datetime:  # for undated articles and an empty feed: when the index was built
        nonlocal built_at
        if built_at is None:
            text = archive().stats().get("built_at")
            built_at = datetime.fromisoformat(text) if text else datetime.now(UTC)
            if built_at.tzinfo is None:
                built_at = built_at.replace(tzinfo=UTC)
        return built_at

    feed = FeedGenerator()
    page_url = _search_url_at("views.search", asked, True)
    feed.id(page_url)
    feed.title(f"{_feed_title(asked)} – {xml_text(site)}")
    feed.subtitle(f"{results.total:,} article{'' if results.total == 1 else 's'} found; the newest first.")
    feed.author(name=xml_text(site) or "News archive")
    feed.link(href=_search_url_at("feeds.atom", asked, True), rel="self", type="application/atom+xml")
    feed.link(href=page_url, rel="alternate", type="text/html")
    feed.language("en")
    updated = []
    for hit in _every_hit(results):
        entry = feed.add_entry(order="append")
        article_url = url_for("views.article", article_id=hit.id, _external=True)
        entry.id(article_url)
        entry.title(xml_text(hit.title).strip() or "(no headline)")
        # One link: feedgen 1.0.0 writes only the href of an entry's links (its issue #135), and a link
        # without rel is the alternate one (RFC 4287 4.2.7.2). The original's address is on the article page.
        entry.link(href=article_url, rel="alternate", type="text/html")
        when = hit.published or fallback_time()
        if hit.published:
            entry.published(hit.published)
        entry.updated(when)
        updated.append(when)
        summary = xml_text(plain_text(hit.snippet)).strip()
        if summary:
            entry.summary(summary, type="text")
        if xml_text(hit.byline).strip():
            entry.author(name=xml_text(hit.byline).strip())
        for company in hit.companies:
            if xml_text(company).strip():
                entry.category(term=xml_text(company), scheme=COMPANY_SCHEME, label=xml_text(company))
        if xml_text(hit.source).strip():
            entry.category(term=xml_text(hit.source), scheme=SOURCE_SCHEME, label=xml_text(hit.source))
        for section in hit.sections:  # one category per section
            if xml_text(section).strip():
                entry.category(term=xml_text(section), scheme=SECTION_SCHEME, label=xml_text(section))
    feed.updated(max(updated, key=lambda d: d.timestamp()) if updated else fallback_time())
    return Response(feed.atom_str(pretty=True), mimetype="application/atom+xml")


def _every_hit(results) -> list:
    """The page's hits with the near-duplicates folded under them (``Hit.similar``) in their place, newest
    first: a feed reader shows every version of a story, as entries of their own."""
    hits = [version for hit in results.hits for version in (hit, *hit.similar)]
    return sorted(hits, key=lambda hit: (hit.published is None, -hit.published.timestamp() if hit.published else 0))


# CSV (formula) injection: a spreadsheet that opens the file runs a cell starting with = + - or @ as a
# formula (=HYPERLINK(...), =cmd|...), and skips a leading tab, carriage return or line feed. Article
# text is anyone's, so such cells get a leading apostrophe, which spreadsheets take as "this is text"
# and do not show (OWASP's advice). No column holds numbers, so none is altered that should not be.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_cell(value: str) -> str:
    value = value or ""
    return "'" + value if value.startswith(_FORMULA_START) else value


@bp.get("/search.csv")
def csv_export():
    """Every article the search finds (not one page, no depth limit), streamed as CSV in the search's order."""
    search = search_request()
    articles = archive().iter_matches(search)
    # The search runs now, while an error can still be a 400 or 503 page rather than a cut file.
    first = next(articles, None)
    # Article URLs: url_for once (the proxy's host and prefix are in it), then each id in its place, so
    # that the rows need no request context (stream_with_context fails when a response is never closed).
    # Ids are [a-z0-9-] (make_article_id), which quote leaves as they are.
    placeholder = "__article_id__"
    url_start, url_end = url_for("views.article", article_id=placeholder, _external=True).rsplit(placeholder, 1)

    def rows():
        buffer = io.StringIO()
        buffer.write(BOM)
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        try:
            if first is not None:
                for article in _chain(first, articles):
                    writer.writerow([csv_cell(value) for value in (
                        article.id,
                        article.title,
                        iso_published(article.published, article.date_only),
                        article.source,
                        "; ".join(article.sections),
                        "; ".join(article.companies),
                        article.url,
                        url_start + quote(article.id, safe="") + url_end,
                    )])
                    if buffer.tell() >= CSV_CHUNK:
                        yield buffer.getvalue()
                        buffer.seek(0)
                        buffer.truncate()
            yield buffer.getvalue()
        finally:
            articles.close()

    response = Response(rows(), mimetype="text/csv")
    response.call_on_close(articles.close)  # also when the body is never read (HEAD)
    name = ascii_slug(search.q, 40) or "all"
    response.headers["Content-Disposition"] = f'attachment; filename="search-{name}.csv"'
    return response


def _chain(first, rest):
    yield first
    yield from rest


@bp.get("/opensearch.xml")
def opensearch():
    """The OpenSearch description: browsers offer the archive as a search engine, with suggestions."""
    site = xml_text(current_app.config["SITE_NAME"])
    template = "{searchTerms}"
    xml = render_template(
        "opensearch.xml",
        short_name=site[:16],
        description=f"Search {site}: headlines, articles and photo captions",
        html_url=f"{url_for('views.search', _external=True)}?q={template}",
        atom_url=f"{url_for('feeds.atom', _external=True)}?q={template}",
        suggest_url=f"{url_for('feeds.suggest', _external=True)}?q={template}",
        self_url=url_for("feeds.opensearch", _external=True),
        form_url=url_for("views.search", _external=True),
    )
    return Response(xml, mimetype="application/opensearchdescription+xml")


@bp.get("/suggest")
def suggest():
    """Completions of ``q`` from company names and headlines: OpenSearch suggestions JSON ``[q, [...]]``,
    or ``<option>`` elements for the search box's datalist when htmx asks."""
    fragment = is_fragment_request()
    try:
        q = SearchRequest.from_params({"q": request.args.getlist("q")}).q
    except BadRequest:
        if fragment:  # an empty list (htmx swaps a 400): the search box shows the message when searching
            response = current_app.make_response(("", 400))
            response.vary.add("HX-Request")
            return response
        raise
    completions = archive().complete(q)
    if fragment:
        response = current_app.make_response(render_template("_partials/_suggestions.html", suggestions=completions))
    else:
        typed = request.args.get("q", "")
        response = Response(json.dumps([typed, completions], ensure_ascii=False),
                            mimetype="application/x-suggestions+json")
    response.vary.add("HX-Request")
    return response
