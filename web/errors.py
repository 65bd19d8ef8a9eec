"""One error handler: the archive's errors and HTTP errors as a JSON body, an HTML page, or plain text
where the answer is a file for a program rather than a page (the Atom feed, the CSV export)."""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from search.errors import ArchiveError


def wants_json() -> bool:
    """True for the JSON API and for clients that prefer JSON to HTML."""
    if request.path.startswith("/api/") or request.path == "/healthz":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


# Endpoints whose answer a feed reader or a spreadsheet takes: an error is the message as text, not a page.
PLAIN_TEXT_ENDPOINTS = ("feeds.atom", "feeds.csv_export")


def render_error(status: int, title: str, message: str):
    if wants_json():
        return jsonify({"error": {"status": status, "title": title, "message": message}}), status
    if request.endpoint in PLAIN_TEXT_ENDPOINTS:
        return Response(f"{status} {title}: {message}\n", status=status, mimetype="text/plain")
    return render_template("error.html", status=status, title=title, message=message), status


def handle_archive_error(error: ArchiveError):
    return render_error(error.status, error.title, error.message)


def handle_http_error(error: HTTPException):
    if isinstance(error, InternalServerError):
        return handle_unexpected(error)
    return render_error(error.code or 500, error.name, error.description or error.name)


def handle_unexpected(error: Exception):
    current_app.logger.exception("unexpected error", exc_info=getattr(error, "original_exception", None) or error)
    return render_error(500, "Internal error", "Something went wrong on our side. The error has been logged.")


def init_app(app: Flask) -> None:
    app.register_error_handler(ArchiveError, handle_archive_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
