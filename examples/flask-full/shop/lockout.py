"""Sign-in lockout and rate limits: what slows down password guessing and sign-up or reset floods.

- Lockout, per email address and client address: after `SIGN_IN_FAILURE_LIMIT` (5) failed
  sign-ins within `SIGN_IN_COOLOFF_SECONDS` (900), the login form answers 429, with the right
  password too and without checking it, until the cool-off has passed since the last failure. The
  failures are rows of the `failed_sign_in` table, so every worker and server sees them and a
  restart keeps them. Flask-Security-Too has no lockout of its own (its `is_locked` hook runs only
  after the password was checked), and Flask-Limiter's storages are process memory or another
  server, hence this small module.
- The same lockout for the code of an authenticator app, the second step of two-factor sign-in,
  per account from any address: only someone who knows the password reaches that step, so
  nobody else can lock the account, and guessing the six digits from many addresses gains
  nothing. Its failures are counted apart from the password's, which a right password clears.
- Rate limits, per client address (Flask-Limiter): POSTs to the login and two-factor forms
  (`SIGN_IN_RATE`), to /register (`SIGN_UP_RATE`) and to /reset (`PASSWORD_RESET_RATE`). Counted
  in `RATELIMIT_STORAGE_URI`, by default Redis (`REDIS_URL`): one count for every process on every
  machine. While Redis does not answer, each process counts in its own memory (Flask-Limiter's
  in-memory fallback), so the limits still hold, per process, and go back to Redis when it
  answers; the lockout, in the database, is not affected.
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

# What failed: the factor each failure is counted for (a name, not a secret).
PASSWORD = "password"  # noqa: S105
CODE = "code"
# What a locked-out client is told, by factor.
LOCKED_OUT = {
    PASSWORD: "Too many failed sign-ins for this account from your address.",
    CODE: "Too many wrong codes for this account.",
}

SETTINGS = {
    "SIGN_IN_FAILURE_LIMIT": 5,
    "SIGN_IN_COOLOFF_SECONDS": 15 * 60,
    "SIGN_IN_RATE": "20 per minute",
    "SIGN_UP_RATE": "10 per hour",
    "PASSWORD_RESET_RATE": "5 per hour",
    # Redis that does not answer within these seconds counts as down, and the limits count in
    # each process's memory until it is back: they fail neither open nor closed.
    "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    # Only the first thread to meet the outage switches to memory; a request failing alongside it
    # would answer 500. It is let through instead, and the error logged.
    "RATELIMIT_SWALLOW_ERRORS": True,
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
    """One failed sign-in: the email address given (lowercased), the client's address, when (Unix
    time, in seconds) and what failed (PASSWORD or CODE). Rows older than two cool-offs are
    deleted as new ones come in."""

    __tablename__ = "failed_sign_in"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), index=True)
    client: Mapped[str] = mapped_column(String(64))
    failed_at: Mapped[float] = mapped_column(index=True)
    factor: Mapped[str] = mapped_column(String(8), default=PASSWORD, server_default=PASSWORD)


def init_app(app: Flask) -> None:
    """Fill in the settings' defaults and rate-limit the views of Flask-Security-Too's blueprint,
    which must be registered already."""
    for key, value in SETTINGS.items():
        app.config.setdefault(key, value)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"])
    # A Limiter of its own for each app: a Limiter keeps the limits of a view by the view's name,
    # so one shared by the apps of a test session would count each request once per app.
    limiter = Limiter(get_remote_address, app=app)
    for setting, endpoints in RATE_LIMITED.items():
        rate = limiter.limit(lambda setting=setting: current_app.config[setting], methods=["POST"])
        for endpoint in endpoints:
            if endpoint in app.view_functions:
                app.view_functions[endpoint] = rate(app.view_functions[endpoint])


def _key(email: str) -> tuple[str, str]:
    """The email address as given, lowercased, and the client's address."""
    return email.strip().lower()[:255], (request.remote_addr or "")[:64]


def _failures(address: str, client: str, factor: str):
    """The condition that picks the failures that count for this key: the client's own for the
    password, the account's from any address for the code."""
    condition = (FailedSignIn.email == address) & (FailedSignIn.factor == factor)
    return condition & (FailedSignIn.client == client) if factor == PASSWORD else condition


def _seconds_locked(address: str, client: str, factor: str) -> int:
    """How long sign-in stays locked for this key and factor, in whole seconds; 0 when it is not
    locked: `SIGN_IN_FAILURE_LIMIT` failures within one cool-off, the last less than a cool-off
    ago."""
    limit = current_app.config["SIGN_IN_FAILURE_LIMIT"]
    cooloff = current_app.config["SIGN_IN_COOLOFF_SECONDS"]
    now = time.time()
    latest = db.session.scalars(
        select(FailedSignIn.failed_at)
        .where(_failures(address, client, factor), FailedSignIn.failed_at > now - 2 * cooloff)
        .order_by(FailedSignIn.failed_at.desc())
        .limit(limit)
    ).all()
    if len(latest) < limit or latest[-1] < latest[0] - cooloff:
        return 0
    return max(0, math.ceil(latest[0] + cooloff - now))


def refuse_if_locked(email: str, factor: str = PASSWORD) -> None:
    """Raise TooManyRequests (429, with Retry-After) while `factor` (PASSWORD or CODE) of sign-in
    for `email` is locked out, and log the refusal. Checks nothing else."""
    address, client = _key(email)
    seconds = _seconds_locked(address, client, factor)
    if not seconds:
        return
    logger.warning(
        "Sign-in refused: %s from %s is locked out for %d s (%s)", address, client, seconds, factor
    )
    raise TooManyRequests(
        f"{LOCKED_OUT[factor]} Try again in {math.ceil(seconds / 60)} minute(s).",
        retry_after=seconds,
    )


def record_failure(email: str, factor: str = PASSWORD) -> None:
    """Count a failed `factor` of sign-in for `email` from this client, forget failures too old to
    matter, and commit. Logs when this failure locks sign-in out."""
    address, client = _key(email)
    now = time.time()
    cooloff = current_app.config["SIGN_IN_COOLOFF_SECONDS"]
    db.session.execute(delete(FailedSignIn).where(FailedSignIn.failed_at < now - 2 * cooloff))
    db.session.add(FailedSignIn(email=address, client=client, failed_at=now, factor=factor))
    db.session.commit()
    if _seconds_locked(address, client, factor):
        logger.warning(
            "Sign-in locked: %s from %s, after too many wrong %ss", address, client, factor
        )


def clear_failures(email: str, factor: str = PASSWORD) -> None:
    """Forget the failures of `factor` that count for `email` from this client, after it
    succeeded."""
    address, client = _key(email)
    db.session.execute(delete(FailedSignIn).where(_failures(address, client, factor)))
    db.session.commit()
