"""Error responses for 404 and 500: JSON for the API and for clients that ask for it, else HTML."""

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException


def init_app(app: Flask) -> None:
    """Register the handlers. Flask logs the exception behind a 500 before it calls them."""
    app.register_error_handler(404, handle_error)
    app.register_error_handler(500, handle_error)


def wants_json() -> bool:
    """True for a path under /api/, or when the client prefers JSON to HTML."""
    return (
        request.path.startswith("/api/")
        or request.accept_mimetypes.best_match(["text/html", "application/json"])
        == "application/json"
    )


def handle_error(error: HTTPException):
    """Answer with the error's status and name, never with a traceback."""
    if wants_json():
        return {"error": error.name}, error.code
    return render_template("error.html", error=error), error.code
