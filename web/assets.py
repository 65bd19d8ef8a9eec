"""Static files: the vendored htmx (pinned by version and checksum) and cache-busting URLs."""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from pathlib import Path

from flask import url_for

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


def sri(filename: str) -> str:
    """Return the Subresource Integrity value (sha384) of a static file."""
    digest = hashlib.sha384((STATIC_DIR / filename).read_bytes()).digest()
    return "sha384-" + base64.b64encode(digest).decode("ascii")
