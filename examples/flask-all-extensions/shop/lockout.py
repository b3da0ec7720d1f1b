"""Sign-in lockout and rate limits: what slows down password guessing and sign-up or reset floods.

- Lockout, per email address and client address: after `SIGN_IN_FAILURE_LIMIT` (5) failed
  sign-ins within `SIGN_IN_COOLOFF_SECONDS` (900), the login form answers 429, with the right
  password too and without checking it, until the cool-off has passed since the last failure. The
  failures are rows of the `failed_sign_in` table, so every worker and server sees them and a
  restart keeps them. Flask-Security-Too has no lockout of its own (its `is_locked` hook runs only
  after the password was checked), and Flask-Limiter's storages are process memory or another
  server, hence this small module.
- Rate limits, per client address (Flask-Limiter): POSTs to the login and two-factor forms
  (`SIGN_IN_RATE`), to /register (`SIGN_UP_RATE`) and to /reset (`PASSWORD_RESET_RATE`). Counted
  in `RATELIMIT_STORAGE_URI`, by default the memory of each worker process: set it to a Redis URL
  (`redis://host:6379/0`, with the `redis` package installed) for one count shared by all.
"""

import logging
import math
import time

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from sqlalchemy import String, delete, select
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.exceptions import TooManyRequests

from .extensions import db

logger = logging.getLogger(__name__)

SETTINGS = {
    "SIGN_IN_FAILURE_LIMIT": 5,
    "SIGN_IN_COOLOFF_SECONDS": 15 * 60,
    "SIGN_IN_RATE": "20 per minute",
    "SIGN_UP_RATE": "10 per hour",
    "PASSWORD_RESET_RATE": "5 per hour",
    "RATELIMIT_STORAGE_URI": "memory://",
}
# The endpoints each rate applies to, for POST requests only: reading a form costs nothing.
RATE_LIMITED = {
    "SIGN_IN_RATE": [
        "security.login",
        "security.two_factor_token_validation",
        "security.mf_recovery",
    ],
    "SIGN_UP_RATE": ["security.register"],
    "PASSWORD_RESET_RATE": ["security.forgot_password"],
}


class FailedSignIn(db.Model):
    """One failed sign-in: the email address given (lowercased), the client's address and when
    (Unix time, in seconds). Rows older than two cool-offs are deleted as new ones come in."""

    __tablename__ = "failed_sign_in"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), index=True)
    client: Mapped[str] = mapped_column(String(64))
    failed_at: Mapped[float] = mapped_column(index=True)


def init_app(app: Flask) -> None:
    """Fill in the settings' defaults and rate-limit the views of Flask-Security-Too's blueprint,
    which must be registered already."""
    for key, value in SETTINGS.items():
        app.config.setdefault(key, value)
    # A Limiter of its own for each app: a Limiter keeps the limits of a view by the view's name,
    # so one shared by the apps of a test session would count each request once per app.
    limiter = Limiter(get_remote_address, app=app)
    for setting, endpoints in RATE_LIMITED.items():
        rate = limiter.limit(lambda setting=setting: current_app.config[setting], methods=["POST"])
        for endpoint in endpoints:
            if endpoint in app.view_functions:
                app.view_functions[endpoint] = rate(app.view_functions[endpoint])


def _key(email: str) -> tuple[str, str]:
    """The lockout's key: the email address as given, lowercased, and the client's address."""
    return email.strip().lower()[:255], (request.remote_addr or "")[:64]


def _seconds_locked(address: str, client: str) -> int:
    """How long sign-in stays locked for this key, in whole seconds; 0 when it is not locked:
    `SIGN_IN_FAILURE_LIMIT` failures within one cool-off, the last less than a cool-off ago."""
    limit = current_app.config["SIGN_IN_FAILURE_LIMIT"]
    cooloff = current_app.config["SIGN_IN_COOLOFF_SECONDS"]
    now = time.time()
    latest = db.session.scalars(
        select(FailedSignIn.failed_at)
        .where(
            FailedSignIn.email == address,
            FailedSignIn.client == client,
            FailedSignIn.failed_at > now - 2 * cooloff,
        )
        .order_by(FailedSignIn.failed_at.desc())
        .limit(limit)
    ).all()
    if len(latest) < limit or latest[-1] < latest[0] - cooloff:
        return 0
    return max(0, math.ceil(latest[0] + cooloff - now))


def refuse_if_locked(email: str) -> None:
    """Raise TooManyRequests (429, with Retry-After) while sign-in for `email` from this client
    is locked out, and log the refusal. Checks no password."""
    address, client = _key(email)
    seconds = _seconds_locked(address, client)
    if not seconds:
        return
    logger.warning("Sign-in refused: %s from %s is locked out for %d s", address, client, seconds)
    raise TooManyRequests(
        "Too many failed sign-ins for this account from your address. Try again in "
        f"{math.ceil(seconds / 60)} minute(s).",
        retry_after=seconds,
    )


def record_failure(email: str) -> None:
    """Count a failed sign-in for `email` from this client, forget those too old to matter, and
    commit. Logs when this failure locks sign-in out."""
    address, client = _key(email)
    now = time.time()
    cooloff = current_app.config["SIGN_IN_COOLOFF_SECONDS"]
    db.session.execute(delete(FailedSignIn).where(FailedSignIn.failed_at < now - 2 * cooloff))
    db.session.add(FailedSignIn(email=address, client=client, failed_at=now))
    db.session.commit()
    if _seconds_locked(address, client):
        logger.warning("Sign-in locked: %s from %s, after too many failures", address, client)


def clear_failures(email: str) -> None:
    """Forget the failed sign-ins of `email` from this client, after a sign-in succeeded."""
    address, client = _key(email)
    db.session.execute(
        delete(FailedSignIn).where(FailedSignIn.email == address, FailedSignIn.client == client)
    )
    db.session.commit()
