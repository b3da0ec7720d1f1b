"""Two-factor sign-in: after the password, a code from an authenticator app (TOTP), or one of the
recovery codes for a lost phone. Offered to everyone at /tf-setup; required for admins, who are
sent to set it up at their next sign-in (`User.check_tf_required` in accounts.py). Each code is
accepted once (ReplayProofTotp), and wrong codes lock the step out as wrong passwords do
(lockout.py)."""

from datetime import timedelta

from flask import Flask, Response, request
from flask_security import Totp, TwoFactorVerifyCodeForm
from passlib.exc import UsedTokenError
from passlib.totp import TotpMatch
from sqlalchemy import or_, update

from . import lockout
from .extensions import db
from .hardening import CONTENT_SECURITY_POLICY

TF_SETUP_CONTENT_SECURITY_POLICY = f"{CONTENT_SECURITY_POLICY}; img-src 'self' data:"
# Defaults; each can be set from the environment, e.g. FLASK_PERMANENT_SESSION_LIFETIME=3600.
SETTINGS = {
    "SECURITY_TWO_FACTOR": True,
    "SECURITY_TWO_FACTOR_ENABLED_METHODS": ["authenticator"],
    "SECURITY_MULTI_FACTOR_RECOVERY_CODES": True,
    "SECURITY_TOTP_ISSUER": "Shop",
    # Short sessions: a signed-in session, and the remember-me cookie, last 4 hours.
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=4),
    "REMEMBER_COOKIE_DURATION": timedelta(hours=4),
}


class ReplayProofTotp(Totp):
    """Flask-Security-Too's authenticator codes, each accepted once: a code is refused unless its
    time step is newer than the step of the last code the user gave (`User.tf_totp_last_step`),
    so a code read over a shoulder, or sent twice, does not sign in again in its window.
    Flask-Security-Too leaves this to the application, through these two methods."""

    def get_last_counter(self, user) -> int | None:
        return user.tf_totp_last_step

    def set_last_counter(self, user, tmatch: TotpMatch) -> None:
        """Claim the code's step, and commit; raise UsedTokenError, which refuses the code, when
        another request claimed it or a later one first. One conditional UPDATE, so that of two
        requests racing with one code only one gets in."""
        model = type(user)
        claimed = db.session.execute(
            update(model)
            .where(
                model.id == user.id,
                or_(model.tf_totp_last_step.is_(None), model.tf_totp_last_step < tmatch.counter),
            )
            .values(tf_totp_last_step=tmatch.counter)
        ).rowcount
        db.session.commit()
        if not claimed:
            raise UsedTokenError()


class LockoutTwoFactorForm(TwoFactorVerifyCodeForm):
    """Flask-Security-Too's form for the code of two-factor sign-in, behind the lockout of
    lockout.py: while the account's code step is locked out it answers 429 before the code is
    checked, and each wrong (or used) code is counted. A signed-in user proving a new app is
    not signing in, and is not counted."""

    def validate(self, **kwargs) -> bool:
        if self.is_setup:
            return super().validate(**kwargs)
        email = self.user.email
        lockout.refuse_if_locked(email, lockout.CODE)
        if super().validate(**kwargs):
            lockout.clear_failures(email, lockout.CODE)
            return True
        if self.code.data:
            lockout.record_failure(email, lockout.CODE)
        return False


def init_app(app: Flask) -> None:
    """Configure two-factor sign-in on `app`; runs before accounts.init_app, which hands
    Flask-Security-Too these settings and the two classes above.

    Raises:
        RuntimeError: `TOTP_SECRET_KEY` is not configured.
    """
    for key, value in SETTINGS.items():
        # Flask's own defaults (PERMANENT_SESSION_LIFETIME) are in the configuration already.
        if key not in app.config or app.config[key] == app.default_config.get(key, value):
            app.config[key] = value
    if not app.config.get("TOTP_SECRET_KEY"):
        raise RuntimeError(
            "FLASK_TOTP_SECRET_KEY is not set. Put it in the environment or in .env; "
            "see .env.example."
        )
    # Encrypts the users' TOTP secrets in the database.
    app.config.setdefault("SECURITY_TOTP_SECRETS", {"1": app.config["TOTP_SECRET_KEY"]})

    # /tf-setup shows the authenticator app's QR code as a data: image, which the site's policy
    # (images from the site only) would block; this page allows data: images.
    @app.after_request
    def allow_the_qr_code(response: Response) -> Response:
        if request.path == "/tf-setup":
            response.headers["Content-Security-Policy"] = TF_SETUP_CONTENT_SECURITY_POLICY
        return response
