"""Security headers on every response (static files and errors included), framing policy and CORS.

By default no other site may frame a page. ``ARCHIVE_EMBED_ALLOWED_ORIGINS`` opens the search and
embed pages, and only those, to the listed intranet origins (``frame-ancestors``), and lets those
origins fetch the embed fragment and the JSON API (CORS).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, request

from .assets import redirect_stale_version, versioned

# Pages an allowed origin may frame, and endpoints it may fetch from its own scripts.
FRAMEABLE_ENDPOINTS = frozenset({"views.search", "views.embed", "views.embed_article", "views.facet",
                                 "views.embed_facet"})
CORS_ENDPOINTS = frozenset({"views.embed_fragment", "views.api_search", "views.api_facet"})
# The headers htmx sends with a request; a cross-origin hx-get needs them allowed by the preflight.
HTMX_REQUEST_HEADERS = ("HX-Request, HX-Current-URL, HX-Target, HX-Trigger, HX-Trigger-Name, HX-Boosted, HX-Prompt, "
                        "HX-History-Restore-Request")
# The response headers htmx reads; unless exposed, Chromium logs "Refused to get unsafe header" for each.
HTMX_RESPONSE_HEADERS = ("HX-Location, HX-Push, HX-Push-Url, HX-Redirect, HX-Refresh, HX-Replace-Url, "
                         "HX-Reswap, HX-Retarget, HX-Reselect, HX-Trigger, HX-Trigger-After-Settle, "
                         "HX-Trigger-After-Swap")
STATIC_MAX_AGE = 365 * 24 * 3600


def parse_origins(text: str | list | tuple) -> tuple[str, ...]:
    """Return the origins of a space-separated list, refusing anything that is not scheme://host[:port]."""
    origins = text.split() if isinstance(text, str) else list(text)
    result = []
    for origin in origins:
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/") \
                or parts.query or parts.fragment or parts.username:
            raise ValueError(f"ARCHIVE_EMBED_ALLOWED_ORIGINS: {origin!r} is not an origin like https://intranet.example")
        result.append(f"{parts.scheme}://{parts.netloc.lower()}")
    return tuple(result)


def content_security_policy(frame_ancestors: tuple[str, ...], extra_styles: tuple[str, ...] = ()) -> str:
    # No inline scripts or styles at all: htmx is loaded from /static, its inline indicator style is
    # switched off (see base.html), and no hx-on / eval is used.
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        " ".join(["style-src 'self'", *extra_styles]),
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        " ".join(["frame-ancestors 'self'", *frame_ancestors]),
    ])


def stylesheet_origin(url: str) -> tuple[str, ...]:
    """Return the origin to allow in style-src for the configured embed stylesheet ('' when same-site)."""
    parts = urlsplit(url)
    return (f"{parts.scheme}://{parts.netloc}",) if parts.scheme in ("http", "https") and parts.netloc else ()


def add_headers(response):
    config = current_app.config
    allowed = config["EMBED_ALLOWED_ORIGINS"]
    frameable = request.endpoint in FRAMEABLE_ENDPOINTS
    extra_styles = stylesheet_origin(config["EMBED_STYLESHEET"]) if request.endpoint in FRAMEABLE_ENDPOINTS else ()
    response.headers.setdefault(
        "Content-Security-Policy", content_security_policy(allowed if frameable else (), extra_styles))
    if not (frameable and allowed):
        # Older browsers read only this; with allowed origins, frame-ancestors (which overrides it) decides.
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.endpoint in CORS_ENDPOINTS:
        add_cors_headers(response, allowed)
    if "HX-Request" in response.vary:
        # The answer depends on HX-History-Restore-Request too (views.is_fragment_request): a restore gets the page.
        response.vary.add("HX-History-Restore-Request")
    if request.endpoint == "static" and response.status_code == 200 and versioned(request.view_args["filename"]):
        response.headers["Cache-Control"] = f"public, max-age={STATIC_MAX_AGE}, immutable"
    elif response.status_code >= 400:
        response.headers["Cache-Control"] = "no-store"  # errors, 503 Busy: never kept by a browser or a proxy
    elif request.endpoint != "static" or response.status_code != 200:
        # Pages: may be stored, never reused without asking (those with an ETag: web/responsecache.py).
        response.headers.setdefault("Cache-Control", "no-cache")
    return response


def add_cors_headers(response, allowed: tuple[str, ...]) -> None:
    """Let an allowed origin read the response (and send htmx's headers); others get no CORS headers."""
    response.vary.add("Origin")
    origin = request.headers.get("Origin", "")
    if origin.lower() in allowed:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = HTMX_RESPONSE_HEADERS
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "GET"
            response.headers["Access-Control-Allow-Headers"] = HTMX_REQUEST_HEADERS
            response.headers["Access-Control-Max-Age"] = "600"


def init_app(app: Flask) -> None:
    app.before_request(redirect_stale_version)
    app.after_request(add_headers)
