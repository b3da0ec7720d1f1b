"""Error responses: JSON under /api/ and for clients that prefer it, an HTML page otherwise
(error_pages.py).

One handler for every `HTTPException` (404, 405, 413, CSRF failures, which are 400s, ...). Flask
hands it the 500 of an unhandled exception too, after `app.logger` has logged the traceback. The
JSON is one shape, whatever the error:

    {"code": 422, "status": "Unprocessable Entity", "message": "...",
     "errors": {"json": {"title": ["Shorter than minimum length 1."]}}}

`errors` comes with 422 only: the messages by where the data was (json, query, path), then by
field ("_schema" for the whole body, nested fields joined with ".").
"""

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

# Friendlier messages than werkzeug's descriptions, for the statuses an API client meets most.
MESSAGES = {
    400: "The request could not be read.",
    401: "Sign in, or send a token: Authorization: Bearer <token>.",
    404: "Nothing here.",
    405: "This method is not allowed here: see the Allow header.",
    409: "The request conflicts with the current state of the resource.",
    413: "The request body is too large.",
    415: "Send the body as JSON: Content-Type: application/json.",
    422: "The request's data is not valid: see errors.",
    429: "Too many requests: try again after the time in Retry-After.",
    500: "Something went wrong on our side; it has been logged.",
}


def init_app(app: Flask) -> None:
    """Register the handler."""
    app.register_error_handler(HTTPException, handle_http_exception)


def error_body(error: HTTPException) -> dict[str, object]:
    """The JSON error shape for `error`; with `errors` for a 422 of webargs (request parsing)."""
    # A description given where the error was raised (the CSRF failure's, say) says most.
    described = error.description and error.description != type(error).description
    message = error.description if described else MESSAGES.get(error.code, error.description)
    body: dict[str, object] = {"code": error.code, "status": error.name, "message": message}
    messages = (getattr(error, "data", None) or {}).get("messages")
    if error.code == 422 and messages:
        body["errors"] = {location: flatten(fields) for location, fields in messages.items()}
    return body


def flatten(fields: object, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested messages ({"a": {"b": ["..."]}}) as {"a.b": ["..."]}; a message list
    for the whole of its data is under "_schema"."""
    if not isinstance(fields, dict):
        return {prefix or "_schema": [str(message) for message in fields]}
    flat: dict[str, list[str]] = {}
    for name, value in fields.items():
        flat.update(flatten(value, f"{prefix}.{name}" if prefix else str(name)))
    return flat


def handle_http_exception(error: HTTPException) -> Response:
    """The JSON error shape, with the error's status and its headers (Allow on 405,
    WWW-Authenticate on 401); never a traceback."""
    return with_headers(jsonify(error_body(error)), error)


def with_headers(response: Response, error: HTTPException) -> Response:
    """`response` with the status of `error` and the headers of werkzeug's response to it that
    `response` lacks (Allow on 405, WWW-Authenticate on 401)."""
    response.status_code = error.code
    for name, value in error.get_response().headers:
        if name not in response.headers:
            response.headers.add(name, value)
    return response
