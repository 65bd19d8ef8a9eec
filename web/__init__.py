"""The web front end: a Flask app factory. Search logic lives in the ``search`` package."""

from __future__ import annotations

from pathlib import Path

from werkzeug.middleware.proxy_fix import ProxyFix

from search import config
from search.engines.backend import open_backend
from search.request import VALUE_FACETS, SearchRequest

from . import baseurl, display, errors, feeds, first_request, responsecache, security, views
from .assets import HTMX_FILE, HTMX_INTEGRITY, static_url
from .links import article_url, company_url, embedded, leaves_frame, search_url


def create_app(test_config: dict | None = None) -> baseurl.ArchiveFlask:
    """Create the app; settings come from ARCHIVE_* variables, overridden by ``test_config``."""
    app = baseurl.ArchiveFlask(__name__)
    app.config.from_mapping(
        INDEX_DIR=str(config.get_path("INDEX_DIR")),
        CORPUS_DIR=str(config.get_path("CORPUS_DIR")),  # its companies.csv names aliases and tickers
        SITE_NAME=config.get("SITE_NAME"),
        PER_PAGE=config.get_int("PER_PAGE", high=100),
        FACET_LIMIT=config.get_int("FACET_LIMIT", high=1000),
        SEARCH_TIMEOUT=config.get_int("SEARCH_TIMEOUT", low=0, high=3600),
        TRUST_PROXY=config.get_int("TRUST_PROXY", low=0, high=10),
        BASE_URL=config.get("BASE_URL"),  # absolute URLs start with it, never with the Host header (baseurl.py)
        EMBED_ALLOWED_ORIGINS=config.get("EMBED_ALLOWED_ORIGINS"),
        EMBED_LINKS=config.get("EMBED_LINKS"),
        EMBED_STYLESHEET=config.get("EMBED_STYLESHEET"),
        SEARCH_BACKEND=config.get("SEARCH_BACKEND"),
        RESPONSE_CACHE_MB=config.get_int("RESPONSE_CACHE_MB", low=0, high=65536),
        JSON_SORT_KEYS=False,
    )
    if test_config:
        app.config.update(test_config)
    baseurl.resolve(app)
    app.config["EMBED_ALLOWED_ORIGINS"] = security.parse_origins(app.config["EMBED_ALLOWED_ORIGINS"])
    if app.config["EMBED_LINKS"] not in ("embed", "new-tab"):
        raise ValueError(f"ARCHIVE_EMBED_LINKS must be 'embed' or 'new-tab', not {app.config['EMBED_LINKS']!r}")
    proxies = app.config["TRUST_PROXY"]
    if proxies:
        # Only behind a proxy that sets these headers: otherwise anyone could choose the URLs the app emits.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies,
                                x_port=proxies, x_prefix=proxies)
    app.json.sort_keys = False
    # The engine that answers (search/engines/backend.py): the views only know its contract.
    app.extensions["archive"] = open_backend(app.config["SEARCH_BACKEND"], Path(app.config["INDEX_DIR"]),
                                             app.config["FACET_LIMIT"], timeout=app.config["SEARCH_TIMEOUT"])
    app.jinja_env.globals.update(
        static_url=static_url,
        search_url=search_url,
        article_url=article_url,
        company_url=company_url,
        leaves_frame=leaves_frame,
        embedded=embedded,
        new_request=SearchRequest,
        value_facets=VALUE_FACETS,  # company, source, section: the one list (search/request.py)
        htmx_file=HTMX_FILE,
        htmx_integrity=HTMX_INTEGRITY,
        footer_credits=display.footer_credits,
        license_url=display.license_url,
        published_label=display.published_label,
        published_datetime=display.published_datetime,
    )
    app.jinja_env.globals["site_name"] = app.config["SITE_NAME"]
    app.register_blueprint(views.bp)
    app.register_blueprint(feeds.bp)
    errors.init_app(app)
    first_request.init_app(app)
    # First: Flask runs after_request hooks last-registered first, so the cache stores the final headers.
    responsecache.init_app(app, app.config["RESPONSE_CACHE_MB"] * 2**20)
    security.init_app(app)
    app.after_request(baseurl.relative_redirects)
    return app
