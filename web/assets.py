"""Static files: the vendored htmx (pinned by version and checksum) and cache-busting URLs."""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from pathlib import Path

from flask import redirect, request, url_for
from werkzeug.security import safe_join

STATIC_DIR = Path(__file__).parent / "static"
# htmx.org@2.0.11 from the npm registry, file dist/htmx.min.js (0BSD). Pinned: the registry's
# "latest" is 4.x, which behaves differently. The checksum is checked by a test and sent to the
# browser as Subresource Integrity, so a changed file is refused.
HTMX_VERSION = "2.0.11"
HTMX_FILE = f"vendor/htmx-{HTMX_VERSION}.min.js"
HTMX_SHA256 = "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717"
HTMX_INTEGRITY = "sha384-2OatzQy1H+Zd/IIrjr1TcuDGqLXeHhbooAyJY1KdQMKnr4LZ22k31GBLdYKHmVjg"


@lru_cache(maxsize=64)
def file_digest(filename: str) -> str:
    """Return a short content hash of a static file, for ``?v=`` cache busting."""
    return hashlib.sha256((STATIC_DIR / filename).read_bytes()).hexdigest()[:12]


def static_url(filename: str) -> str:
    """Return the URL of a static file with its content hash, so it can be cached for a year."""
    return url_for("static", filename=filename, v=file_digest(filename))


def current_version(filename: str) -> str | None:
    """The ``?v=`` of a static file as it is now, or None when there is no such file under static/."""
    path = safe_join(str(STATIC_DIR), filename)
    if path is None or not Path(path).is_file():
        return None
    return file_digest(str(Path(path).relative_to(STATIC_DIR)))


def versioned(filename: str) -> bool:
    """True when the request asks for exactly the current version of a static file (one ``v``, the right one):
    that answer, and only that one, may be cached for a year."""
    versions = request.args.getlist("v")
    return len(versions) == 1 and versions[0] == current_version(filename)


def redirect_stale_version():
    """Before a static file is sent: a ``?v=`` that is not the file's current version (an old release's, a
    made-up one, two of them) is redirected to the current URL, uncached, instead of being cached for a year
    under a version it is not. A missing file is left to the 404."""
    if request.endpoint != "static" or "v" not in request.args or versioned(request.view_args["filename"]):
        return None
    if current_version(request.view_args["filename"]) is None:
        return None
    response = redirect(static_url(request.view_args["filename"]), 302)
    response.headers["Cache-Control"] = "no-cache"
    return response


def sri(filename: str) -> str:
    """Return the Subresource Integrity value (sha384) of a static file."""
    digest = hashlib.sha384((STATIC_DIR / filename).read_bytes()).digest()
    return "sha384-" + base64.b64encode(digest).decode("ascii")
