"""How API clients prove who they are: a bearer token, or the browser's session and CSRF token.

A request that sends an Authorization header is judged by that header alone: an invalid one is 401
even beside a valid session cookie.
"""

from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from .models import Token


class BearerAuth(HttpBearer):
    """`Authorization: Bearer <token>`, for scripts and other services. The scheme is
    case-insensitive (RFC 9110), and any white space may come around the scheme and the token."""

    def __call__(self, request: HttpRequest):
        parts = request.headers.get(self.header, "").split(maxsplit=1)
        if len(parts) != 2 or parts[0].lower() != self.openapi_scheme:
            return None
        return self.authenticate(request, parts[1].strip())

    def authenticate(self, request: HttpRequest, token: str):
        return Token.objects.user_for(token)


class SessionAuth(NinjaSessionAuth):
    """The signed-in browser's session, for a request without an Authorization header. Ninja
    checks the CSRF token before it looks at the session, which would answer 403 to a client that
    sent neither a token nor a session: without a signed-in user, this answers nothing, and the API
    then answers 401."""

    def __call__(self, request: HttpRequest):
        if "Authorization" in request.headers or not request.user.is_authenticated:
            return None
        return super().__call__(request)


# A token first, so that a token client never meets the CSRF check.
api_auth = [BearerAuth(), SessionAuth()]
