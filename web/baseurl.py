"""Absolute URLs from configuration, never from the client's Host header.

The Atom feed, the OpenSearch description, the CSV export and the embed fragment need absolute URLs (they are
read away from the page: a feed reader, a browser's search settings, a spreadsheet, another site's page).
Flask would build them from the request's Host, which any client chooses. Here every ``url_for(...,
_external=True)`` (in code and templates) starts instead with the app's public root:

1. ``ARCHIVE_BASE_URL`` when set (``https://intranet.example/tools/news-search``);
2. else, behind a trusted proxy (``ARCHIVE_TRUST_PROXY``), what that proxy says (X-Forwarded-Host, -Proto,
   -Prefix: the nginx front answers only its fixed server_name, so the client cannot choose it);
3. else where `make run` and `make serve` listen, ``http://ARCHIVE_HOST:ARCHIVE_PORT`` (``localhost`` for a
   wildcard address): a fixed default.

Links in pages stay relative, and so do redirects (``relative_redirects``): a routing redirect
(``//embed`` -> ``/``) would otherwise name the client's Host in its Location.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from flask import Flask, current_app, has_request_context, redirect, request

from search import config

WILDCARD_HOSTS = ("", "0.0.0.0", "::", "[::]")


def parse_base_url(text: str) -> str:
    """Return the base URL without its trailing slash ("" for none); anything but scheme://host[:port][/path]
    is refused."""
    text = text.strip()
    if not text:
        return ""
    parts = urlsplit(text)
    if (parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment
            or "?" in text or "#" in text or parts.username or parts.password is not None
            or any(c.isspace() for c in text)):
        raise ValueError(f"ARCHIVE_BASE_URL: {text!r} is not a URL like https://intranet.example/tools/news-search")
    return urlunsplit((parts.scheme, parts.netloc.lower(), parts.path.rstrip("/"), "", ""))


def listen_url(environ: dict | None = None) -> str:
    """``http://ARCHIVE_HOST:ARCHIVE_PORT``, where `make run` and `make serve` answer."""
    host = config.get("HOST", environ).strip()
    if host in WILDCARD_HOSTS:
        host = "localhost"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{config.get_int('PORT', environ, high=65535)}"


def resolve(app: Flask) -> None:
    """Set ``BASE_URL`` to the root every absolute URL starts with ("" behind a trusted proxy that says it)."""
    base = parse_base_url(app.config.get("BASE_URL") or "")
    if not base and not app.config["TRUST_PROXY"]:
        base = listen_url()
    app.config["BASE_URL"] = base


def public_root() -> str:
    """The app's public root, without a trailing slash, for the request being answered."""
    return current_app.config["BASE_URL"] or request.root_url.rstrip("/")


class ArchiveFlask(Flask):
    """Flask whose absolute URLs start with the configured public root (``public_root``), not the Host header."""

    def url_for(self, /, endpoint: str, *, _anchor: str | None = None, _method: str | None = None,
                _scheme: str | None = None, _external: bool | None = None, **values) -> str:
        if not _external or not has_request_context():
            return super().url_for(endpoint, _anchor=_anchor, _method=_method, _scheme=_scheme, _external=_external,
                                   **values)
        if _scheme is not None:
            raise ValueError("url_for: the scheme of an absolute URL comes from ARCHIVE_BASE_URL")
        path = super().url_for(endpoint, _anchor=_anchor, _method=_method, **values)
        root = request.script_root
        return public_root() + (path[len(root):] if root and path.startswith(root) else path)


def relative_redirects(response):
    """A redirect to the request's own host (Werkzeug's routing redirects name it, in Location and in the
    body's link) is answered anew with the path alone."""
    location = response.headers.get("Location")
    if location:
        parts = urlsplit(location)
        if parts.netloc and parts.netloc.lower() == request.host.lower():
            path = "/" + parts.path.lstrip("/")  # never "//host": that would be another site
            relative = redirect(urlunsplit(("", "", path, parts.query, parts.fragment)), response.status_code)
            for name, value in response.headers.items():
                if name.lower() not in ("location", "content-length", "content-type"):
                    relative.headers.add(name, value)
            return relative
    return response
