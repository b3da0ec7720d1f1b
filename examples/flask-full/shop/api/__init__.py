"""The REST API at /api/, with flask-smorest: marshmallow schemas validate each request and shape
each response, and the same schemas make the OpenAPI document, /api/openapi.json, shown by the
interactive docs (Swagger UI, from this project's own files) at /api/docs.

The document and the docs are for users with the `admin` role, and for everyone while DEBUG is
on. The notes are their authors': each request needs a bearer token or a signed-in session, and
reads and writes that user's notes only (see auth.py). Every request is rate-limited (limits.py).
"""

from pathlib import Path

import flask_smorest
import flask_swagger_ui
from flask import Flask, Response, abort, redirect, request, send_from_directory
from flask_security import current_user, url_for_security
from marshmallow import Schema, fields

from .. import errors
from ..extensions import csrf
from ..hardening import CONTENT_SECURITY_POLICY
from . import limits, notes, tokens

# Defaults; each can be set from the environment, e.g. FLASK_API_TITLE.
SETTINGS = {
    "API_TITLE": "Shop API",
    "API_VERSION": "1.0.0",
    "OPENAPI_VERSION": "3.0.3",
    # How long a token issued now lasts (tokens.py).
    "API_TOKEN_DAYS": 90,
    # How many hours an Idempotency-Key is remembered with its answer (idempotency.py).
    "API_IDEMPOTENCY_HOURS": 24,
}
# Where the document and the docs are served, when they are.
DOCS_SETTINGS = {
    "OPENAPI_URL_PREFIX": "/api",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "/docs",
    "OPENAPI_SWAGGER_UI_URL": "/api/docs/static/",
}
# Swagger UI's files, as the flask-swagger-ui package ships them.
SWAGGER_UI = Path(flask_swagger_ui.__file__).parent / "dist"
# Swagger UI's stylesheet draws its icons from data: URLs.
DOCS_CONTENT_SECURITY_POLICY = f"{CONTENT_SECURITY_POLICY}; img-src 'self' data:"


class ErrorSchema(Schema):
    """The error shape (errors.py), as the OpenAPI document describes it."""

    code = fields.Integer(required=True, metadata={"description": "The HTTP status."})
    status = fields.String(required=True, metadata={"description": "Its reason phrase."})
    message = fields.String(required=True)
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(keys=fields.String(), values=fields.List(fields.String())),
        metadata={"description": "With 422 only: messages by location (json, query, path)."},
    )


class Api(flask_smorest.Api):
    """flask-smorest's Api, answering errors with the application's one handler (errors.py), which
    keeps each error's headers (Allow on 405) and always writes a message."""

    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error):
        return errors.handle_http_exception(error)


api = Api()


def init_app(app: Flask) -> None:
    """Bind the API to `app`: its blueprints, the OpenAPI document and the docs."""
    for key, value in SETTINGS.items():
        app.config.setdefault(key, value)
    for key, value in DOCS_SETTINGS.items():
        app.config.setdefault(key, value)
    api.init_app(app)
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    api.spec.components.security_scheme(
        "session",
        {"type": "apiKey", "in": "cookie", "name": app.config["SESSION_COOKIE_NAME"]},
    )
    csrf.exempt(notes.blp)  # auth.py checks the CSRF token of sessions, and answers 403
    api.register_blueprint(notes.blp)
    limits.init_app(app, notes.blp)
    app.register_blueprint(tokens.bp)
    app.cli.add_command(tokens.issue_token)

    @app.get(f"{DOCS_SETTINGS['OPENAPI_SWAGGER_UI_URL']}<path:filename>")
    def swagger_ui_file(filename: str) -> Response:
        return send_from_directory(SWAGGER_UI, filename)

    @app.before_request
    def docs_for_admins_only():
        if request.blueprint != "api-docs" or app.debug:
            return None
        if not current_user.is_authenticated:
            return redirect(url_for_security("login", next=request.full_path))
        if not current_user.is_admin:
            abort(403)
        return None

    @app.after_request
    def allow_swagger_ui_icons(response: Response) -> Response:
        if request.blueprint == "api-docs":
            response.headers["Content-Security-Policy"] = DOCS_CONTENT_SECURITY_POLICY
        return response
