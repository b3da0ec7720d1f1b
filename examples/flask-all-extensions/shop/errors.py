"""Error responses: JSON under /api/ and for clients that prefer it, an HTML page otherwise.

One handler for every `HTTPException` (404, 405, CSRF failures, which are 400s, ...). Flask
hands it the 500 of an unhandled exception too, after `app.logger` has logged the traceback.
"""

from flask import Flask, Response, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException


def init_app(app: Flask) -> None:
    """Register the handler."""
    app.register_error_handler(HTTPException, handle_http_exception)


def wants_json() -> bool:
    """True for a path under /api/, or when the client prefers JSON to HTML."""
    return (
        request.path.startswith("/api/")
        or request.accept_mimetypes.best_match(["text/html", "application/json"])
        == "application/json"
    )


def handle_http_exception(error: HTTPException) -> Response:
    """`{"error": name, "description": text}` or error.html, with the error's status and its
    headers (Allow on 405, WWW-Authenticate on 401); never a traceback."""
    if wants_json():
        response = jsonify(error=error.name, description=error.description)
    else:
        response = make_response(render_template("error.html", error=error))
    response.status_code = error.code
    for name, value in error.get_response().headers:
        if name not in response.headers:
            response.headers.add(name, value)
    return response
