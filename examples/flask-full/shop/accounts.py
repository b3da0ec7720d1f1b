"""Accounts: users and roles (Flask-Security-Too's fsqla_v3 models), and `flask create-admin`.

Users sign in by email. Flask-Security-Too serves /login, /logout (POST only, with a CSRF
token), /register (when `SECURITY_REGISTERABLE` is true), /confirm, /change and /reset. Mail (the
confirmation link of a new account, password-reset links) goes through Flask-Mail (the `MAIL_*`
settings); in development (debug on) it is logged instead of sent (`MAIL_SUPPRESS_SEND`), so that
its links are on the console. Those links name `SERVER_NAME`, never the host a request named:
in production the application refuses to start without it. Its templates extend
templates/security/base.html, which puts them in the site's layout.

Two-factor sign-in, which admins must use, is in two_factor.py.
"""

import logging
from datetime import timedelta

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_login import user_logged_out
from flask_mail import Mail, Message, email_dispatched
from flask_security import (
    LoginForm,
    MailUtil,
    Security,
    SQLAlchemyUserDatastore,
    hash_password,
)
from flask_security.models import fsqla_v3 as fsqla
from sqlalchemy.orm import Mapped, mapped_column

from . import lockout, two_factor
from .extensions import db

logger = logging.getLogger(__name__)

ADMIN_ROLE = "admin"
# Secrets without a default: the application refuses to start without them.
REQUIRED = ("SECURITY_PASSWORD_SALT",)
# Defaults; each can be set from the environment, e.g. FLASK_SECURITY_REGISTERABLE=false.
SETTINGS = {
    "SECURITY_PASSWORD_HASH": "argon2",
    # Verify argon2 hashes only: a new project has no older ones, a weak scheme (des_crypt,
    # plaintext) can then never be accepted, and passlib loads one handler at start, not eight.
    "SECURITY_PASSWORD_SCHEMES": ["argon2"],
    # 15 characters or more (NIST SP 800-63B, for a password that signs in alone), and no
    # password zxcvbn can guess in fewer than 10^8 tries ("password", "12345678", ...).
    "SECURITY_PASSWORD_LENGTH_MIN": 15,
    "SECURITY_PASSWORD_COMPLEXITY_CHECKER": "zxcvbn",
    "SECURITY_ZXCVBN_MINIMUM_SCORE": 3,
    # Login, sign-up and reset answer alike whether or not an account has the email address.
    # For sign-up, that takes a confirmation mail: signing in at once would tell a new address
    # from a taken one, whose owner is mailed instead.
    "SECURITY_RETURN_GENERIC_RESPONSES": True,
    "SECURITY_REGISTERABLE": True,
    "SECURITY_CONFIRMABLE": True,
    "SECURITY_CHANGEABLE": True,
    "SECURITY_RECOVERABLE": True,
    "SECURITY_SEND_PASSWORD_CHANGE_EMAIL": False,
    # Flask-Security's default, {"private": True, "no-store": True}, is written into the header
    # as "private=True, no-store=True", which caches do not understand; None writes the bare word.
    "SECURITY_CACHE_CONTROL": {"private": None, "no-store": None},
    # The default DNS check of the email's domain fails offline and in CI; switch it on in
    # production with FLASK_SECURITY_EMAIL_VALIDATOR_ARGS='{"check_deliverability": true}'.
    "SECURITY_EMAIL_VALIDATOR_ARGS": {"check_deliverability": False},
    # The remember-me cookie lasts a week; Flask-Login's default is a year.
    "REMEMBER_COOKIE_DURATION": timedelta(days=7),
}

fsqla.FsModels.set_db_info(db)


class Role(db.Model, fsqla.FsRoleMixin):
    __tablename__ = "role"


class User(db.Model, fsqla.FsUserMixin):
    __tablename__ = "user"

    def __str__(self) -> str:
        return self.email

    # The time step (Unix time // 30) of the last authenticator code accepted: see
    # two_factor.ReplayProofTotp.
    tf_totp_last_step: Mapped[int | None] = mapped_column()

    @property
    def is_admin(self) -> bool:
        """Has the admin role and has set up two-factor sign-in, which sign-in then asks for. A
        user given the role while signed in has used no second factor: no admin page until then."""
        return self.has_role(ADMIN_ROLE) and self.tf_primary_method is not None

    def check_tf_required(self, tf_setup_methods, tf_fresh):
        """Two-factor sign-in for everyone who has set it up, and for every admin."""
        required, methods = super().check_tf_required(tf_setup_methods, tf_fresh)
        return required or self.has_role(ADMIN_ROLE), methods

    def check_tf_required_setup(self) -> bool:
        return self.has_role(ADMIN_ROLE)


# fsqla_v3 relates User to WebAuthn as soon as the `webauthn` package is importable, so the model
# is defined even though passkeys are off: installing that package must not break the mapper.
class WebAuthn(db.Model, fsqla.FsWebAuthnMixin):
    __tablename__ = "webauthn"


user_datastore = SQLAlchemyUserDatastore(db, User, Role, WebAuthn)
mail = Mail()


def log_unsent_mail(app: Flask, message: Message) -> None:
    """Log a mail that Flask-Mail did not send (`MAIL_SUPPRESS_SEND`): who it is for, its subject
    and its text, links included."""
    logger.info(
        "Mail not sent (MAIL_SUPPRESS_SEND) to %s: %s\n%s",
        ", ".join(message.recipients),
        message.subject,
        message.body,
    )


class LoggingMailUtil(MailUtil):
    """Flask-Security's mail sending, except that a mail the server does not take is logged, with
    its traceback, instead of failing the request: the user gets the same response either way."""

    def send_mail(self, template: str, subject: str, recipient, sender, body, html, **kwargs):
        try:
            super().send_mail(template, subject, recipient, sender, body, html, **kwargs)
        except OSError:  # smtplib's errors, a refused connection, a timeout
            logger.exception("Could not send the email %r (%s)", str(subject), template)


class LockoutLoginForm(LoginForm):
    """Flask-Security's login form behind the lockout of lockout.py: a locked-out email address
    gets 429 before its password is checked, and each failed sign-in is counted."""

    def validate(self, **kwargs) -> bool:
        email = self.email.data or ""
        if email:
            lockout.refuse_if_locked(email)
        if super().validate(**kwargs):
            lockout.clear_failures(email)
            return True
        if email and self.password.data:
            lockout.record_failure(email)
        return False


def end_sessions(sender, user) -> None:
    """Sign the user out everywhere: a new `fs_uniquifier`, which every session and remember-me
    cookie names, so that those kept or copied before no longer sign anyone in."""
    if user.is_authenticated:
        user_datastore.set_uniquifier(user)
        user_datastore.commit()


def init_app(app: Flask) -> None:
    """Bind Flask-Mail, Flask-Security-Too and the lockout to `app`; add `flask create-admin`.

    Raises:
        RuntimeError: a setting of REQUIRED is not configured, or in production `SERVER_NAME`.
    """
    for key, value in SETTINGS.items():
        # Flask's own defaults (PERMANENT_SESSION_LIFETIME) are in the configuration already.
        if key not in app.config or app.config[key] == app.default_config.get(key, value):
            app.config[key] = value
    for setting in REQUIRED:
        if not app.config.get(setting):
            raise RuntimeError(
                f"FLASK_{setting} is not set. Put it in the environment or in .env; "
                "see .env.example."
            )
    # Flask-Security builds the links in mail with url_for(..., _external=True), which names
    # SERVER_NAME when it is set and the request's Host header otherwise.
    if not (app.debug or app.testing or app.config["SERVER_NAME"]):
        raise RuntimeError(
            "FLASK_SERVER_NAME is not set. In production, the links in mail (account confirmation, "
            "password reset) name this host, and port if any: FLASK_SERVER_NAME=example.com."
        )
    # In development, mail is logged, not sent: no mail server is needed to confirm an account.
    app.config.setdefault("MAIL_SUPPRESS_SEND", app.debug or app.testing)
    mail.init_app(app)
    if app.debug and app.config["MAIL_SUPPRESS_SEND"]:
        email_dispatched.connect(log_unsent_mail, app)
    Security(
        app,
        user_datastore,
        mail_util_cls=LoggingMailUtil,
        login_form=LockoutLoginForm,
        two_factor_verify_code_form=two_factor.LockoutTwoFactorForm,
        totp_cls=two_factor.ReplayProofTotp,
    )
    lockout.init_app(app)
    # Flask-Security-Too rotates `fs_uniquifier` itself on a password change or reset.
    user_logged_out.connect(end_sessions, app)
    app.cli.add_command(create_admin)


@click.command("create-admin")
@click.argument("email")
@click.password_option(help="The password; prompted for (twice, hidden) when not given.")
@with_appcontext
def create_admin(email: str, password: str) -> None:
    """Create an active, confirmed user EMAIL with the `admin` role, creating the role if it is
    missing."""
    security = current_app.extensions["security"]
    try:
        email = security.mail_util.validate(email)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="EMAIL") from None
    problems, password = security.password_util.validate(password, True, email=email)
    if problems:
        raise click.BadParameter(" ".join(problems), param_hint="--password")
    if user_datastore.find_user(email=email) is not None:
        raise click.UsageError(f"A user with the email {email} exists already.")
    role = user_datastore.find_or_create_role(ADMIN_ROLE, description="Can use /admin")
    user_datastore.create_user(
        email=email,
        password=hash_password(password),
        active=True,
        confirmed_at=security.datetime_factory(),
        roles=[role],
    )
    db.session.commit()
    click.echo(f"Created {email} with the {ADMIN_ROLE} role.")
