"""Error pages: templates/error.html for a browser, in place of the JSON of errors.py, which
still answers under /api/ and clients that prefer JSON."""

from flask import Flask, Response, make_response, render_template, request
from werkzeug.exceptions import HTTPException, SecurityError

from . import errors


def init_app(app: Flask) -> None:
    """Register the handler, in place of errors.py's and of any an extension registered before:
    call it after the modules that register theirs."""
    app.register_error_handler(HTTPException, handle_http_exception)


def wants_json() -> bool:
    """True for a path under /api/, or when the client prefers JSON to HTML."""
    return (
        request.path.startswith("/api/")
        or request.accept_mimetypes.best_match(["text/html", "application/json"])
        == "application/json"
    )


def handle_http_exception(error: HTTPException) -> Response:
    """The JSON error shape or error.html, with the error's status and its headers (Allow on 405,
    WWW-Authenticate on 401); never a traceback."""
    if wants_json():
        return errors.handle_http_exception(error)
    if isinstance(error, SecurityError):
        # The Host header names none of TRUSTED_HOSTS, so no URL can be built for this request:
        # werkzeug's plain page, which links nowhere, instead of error.html.
        return errors.with_headers(error.get_response(), error)
    return errors.with_headers(make_response(render_template("error.html", error=error)), error)
