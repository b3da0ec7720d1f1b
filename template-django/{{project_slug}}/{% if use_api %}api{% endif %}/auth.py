"""How API clients prove who they are: a bearer token, or the browser's session and CSRF token."""

from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from .models import Token


class BearerAuth(HttpBearer):
    """`Authorization: Bearer <token>`, for scripts and other services."""

    def authenticate(self, request: HttpRequest, token: str):
        return Token.objects.user_for(token)


class SessionAuth(NinjaSessionAuth):
    """The signed-in browser's session. Ninja checks the CSRF token before it looks at the session,
    which would answer 403 to a client that sent neither a token nor a session: without a
    signed-in user, this answers nothing, and the API then answers 401."""

    def __call__(self, request: HttpRequest):
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)


# A token first, so that a token client never meets the CSRF check.
api_auth = [BearerAuth(), SessionAuth()]
