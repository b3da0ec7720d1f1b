"""Who may use the notes API: a client with `Authorization: Bearer <token>` (tokens.py), or a
signed-in browser session, which sends its CSRF token in the X-CSRFToken header to write. The
request then acts for that user, `g.user`, and reads and writes only their notes.

The Authorization header is checked first, so that a script never meets the CSRF check: one that
is not a valid bearer token gets 401 with `WWW-Authenticate: Bearer`, as does a client with
neither; a session that writes without its CSRF token gets 403. Then a write without a body gets
422, and a body that is not JSON 415.
"""

from flask import abort, g, request
from flask_security import current_user
from flask_smorest import abort as abort_with_messages
from flask_wtf.csrf import validate_csrf
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized, UnsupportedMediaType
from wtforms import ValidationError

from .tokens import user_for

READ_METHODS = {"GET", "HEAD", "OPTIONS"}
# The methods whose body is a note, in JSON.
BODY_METHODS = {"POST", "PUT", "PATCH"}
# How the OpenAPI document says a request authenticates: either scheme will do.
SECURITY = [{"bearer": []}, {"session": []}]


def bearer_secret() -> str | None:
    """The token of the request's `Authorization: Bearer <token>` header, or None when there is
    none of that form. The scheme's case, and the spaces around and between the two parts, do
    not matter."""
    parts = request.headers.get("Authorization", "").split()
    if len(parts) == 2 and parts[0].lower() == "bearer":
        return parts[1]
    return None


def require_user() -> None:
    """Before a request to the notes API: set `g.user` to the user of a valid bearer token or of
    the signed-in session; else raise 401. Raise 403 for a session's write whose CSRF token is
    missing or wrong, then 422 for a write without a body and 415 for a body that is not JSON."""
    if "Authorization" in request.headers:
        # Credentials that do not work are refused, even beside a session: the client meant them.
        secret = bearer_secret()
        g.user = None if secret is None else user_for(secret)
        if g.user is None:
            raise Unauthorized(www_authenticate=WWWAuthenticate("bearer"))
    elif not current_user.is_authenticated:
        raise Unauthorized(www_authenticate=WWWAuthenticate("bearer"))
    else:
        g.user = current_user
        if request.method not in READ_METHODS:
            try:
                validate_csrf(request.headers.get("X-CSRFToken"))
            except ValidationError as error:
                abort(403, description=str(error))
    if request.method in BODY_METHODS:
        if not request.content_length and "Transfer-Encoding" not in request.headers:
            # No body: webargs would read it as {}, a PATCH that changes nothing.
            messages = {"json": {"_schema": ["Send the note as a JSON body."]}}
            abort_with_messages(422, messages=messages)
        if not request.is_json:
            raise UnsupportedMediaType()
