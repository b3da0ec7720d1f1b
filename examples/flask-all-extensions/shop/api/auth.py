"""Who may write through the API: a client with `Authorization: Bearer <token>` (tokens.py), or
a signed-in browser session that sends its CSRF token in the X-CSRFToken header.

The Authorization header is checked first, so that a script never meets the CSRF check: one that
is not a valid bearer token gets 401 with `WWW-Authenticate: Bearer`, as does a client with
neither; a session without its CSRF token gets 403.
"""

from flask import abort, request
from flask_security import current_user
from flask_wtf.csrf import validate_csrf
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized
from wtforms import ValidationError

from .tokens import user_for

READ_METHODS = {"GET", "HEAD", "OPTIONS"}
# How the OpenAPI document says a write authenticates: either scheme will do.
WRITE_SECURITY = [{"bearer": []}, {"session": []}]


def require_writer() -> None:
    """Before a request to the API's blueprints: let reads through; for a write, raise 401 unless
    a valid bearer token or a signed-in session comes with it, and 403 for a session whose CSRF
    token is missing or wrong."""
    if request.method in READ_METHODS:
        return
    if "Authorization" in request.headers:
        # Credentials that do not work are refused, even beside a session: the client meant them.
        scheme, _, secret = request.headers["Authorization"].partition(" ")
        if scheme.lower() != "bearer" or user_for(secret.strip()) is None:
            raise Unauthorized(www_authenticate=WWWAuthenticate("bearer"))
        return
    if not current_user.is_authenticated:
        raise Unauthorized(www_authenticate=WWWAuthenticate("bearer"))
    try:
        validate_csrf(request.headers.get("X-CSRFToken"))
    except ValidationError as error:
        abort(403, description=str(error))
