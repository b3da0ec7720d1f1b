"""The API's rate limits (Flask-Limiter): `API_RATE` ("60 per minute") for each client address, and
as much again for each token or signed-in user, so that neither many addresses sharing one
credential nor many credentials from one address go past it. Past either, the answer is 429 in
the error shape, with Retry-After: the whole seconds until the limit's window ends.

Counted where the sign-in limits are counted (lockout.py, `RATELIMIT_STORAGE_URI`).
"""

import math
import time

from flask import Blueprint, Flask, Response, current_app
from flask_limiter import RequestLimit
from flask_limiter.util import get_remote_address
from flask_security import current_user

from ..errors import MESSAGES
from .auth import bearer_secret
from .tokens import digest

SETTINGS = {"API_RATE": "60 per minute"}


def credential() -> str:
    """Whom a request counts for: its bearer token (by digest: the storage never holds a secret),
    else its signed-in user, else, with neither, its client address."""
    secret = bearer_secret()
    if secret is not None:
        return f"token:{digest(secret)}"
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"client:{get_remote_address()}"


def retry_after(limit: RequestLimit) -> Response:
    """The headers of the 429 for `limit`: Retry-After, in whole seconds, at least 1."""
    seconds = max(1, math.ceil(limit.reset_at - time.time()))
    return Response(headers={"Retry-After": str(seconds)})


def init_app(app: Flask, *blueprints: Blueprint) -> None:
    """Fill in the setting's default and limit every request to `blueprints`."""
    for key, value in SETTINGS.items():
        app.config.setdefault(key, value)
    # The app's own Limiter, which lockout.py made (Flask-Limiter lists it in app.extensions): a
    # second one would add its three hooks to every request of the site. With RATELIMIT_ENABLED
    # false, Flask-Limiter's own switch, it is not listed, and there is nothing to count.
    if "limiter" not in app.extensions:
        return
    (limiter,) = app.extensions["limiter"]
    for key in (get_remote_address, credential):
        limit = limiter.limit(
            lambda: current_app.config["API_RATE"],
            key_func=key,
            error_message=MESSAGES[429],
            on_breach=retry_after,
        )
        for blueprint in blueprints:
            limit(blueprint)
