"""Accounts: users and roles (Flask-Security-Too's fsqla_v3 models), and `flask create-admin`.

Users sign in by email. Flask-Security-Too serves /login, /logout (POST only, with a CSRF
token), /register (when `SECURITY_REGISTERABLE` is true), /change and /reset, which mails a
password-reset link through Flask-Mail (the `MAIL_*` settings); its templates extend
templates/security/base.html, which puts them in the site's layout.
"""

import logging

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_mail import Mail
from flask_security import MailUtil, Security, SQLAlchemyUserDatastore, hash_password
from flask_security.models import fsqla_v3 as fsqla

from .extensions import db

logger = logging.getLogger(__name__)

ADMIN_ROLE = "admin"
# Defaults; each can be set from the environment, e.g. FLASK_SECURITY_REGISTERABLE=false.
SETTINGS = {
    "SECURITY_PASSWORD_HASH": "argon2",
    # Verify argon2 hashes only: a new project has no older ones, a weak scheme (des_crypt,
    # plaintext) can then never be accepted, and passlib loads one handler at start, not eight.
    "SECURITY_PASSWORD_SCHEMES": ["argon2"],
    "SECURITY_REGISTERABLE": True,
    "SECURITY_CHANGEABLE": True,
    "SECURITY_RECOVERABLE": True,
    # Password reset is the only mail sent: signing up and changing a password work without a
    # mail server.
    "SECURITY_SEND_REGISTER_EMAIL": False,
    "SECURITY_SEND_PASSWORD_CHANGE_EMAIL": False,
    # The default DNS check of the email's domain fails offline and in CI; switch it on in
    # production with FLASK_SECURITY_EMAIL_VALIDATOR_ARGS='{"check_deliverability": true}'.
    "SECURITY_EMAIL_VALIDATOR_ARGS": {"check_deliverability": False},
}

fsqla.FsModels.set_db_info(db)


class Role(db.Model, fsqla.FsRoleMixin):
    __tablename__ = "role"


class User(db.Model, fsqla.FsUserMixin):
    __tablename__ = "user"


# fsqla_v3 relates User to WebAuthn as soon as the `webauthn` package is importable, so the model
# is defined even though passkeys are off: installing that package must not break the mapper.
class WebAuthn(db.Model, fsqla.FsWebAuthnMixin):
    __tablename__ = "webauthn"


user_datastore = SQLAlchemyUserDatastore(db, User, Role, WebAuthn)
mail = Mail()


class LoggingMailUtil(MailUtil):
    """Flask-Security's mail sending, except that a mail the server does not take is logged, with
    its traceback, instead of failing the request: the user gets the same response either way."""

    def send_mail(self, template: str, subject: str, recipient, sender, body, html, **kwargs):
        try:
            super().send_mail(template, subject, recipient, sender, body, html, **kwargs)
        except OSError:  # smtplib's errors, a refused connection, a timeout
            logger.exception("Could not send the email %r (%s)", str(subject), template)


def init_app(app: Flask) -> None:
    """Bind Flask-Mail and Flask-Security-Too to `app` and add `flask create-admin`.

    Raises:
        RuntimeError: `SECURITY_PASSWORD_SALT` is not configured.
    """
    for key, value in SETTINGS.items():
        app.config.setdefault(key, value)
    if not app.config.get("SECURITY_PASSWORD_SALT"):
        raise RuntimeError(
            "FLASK_SECURITY_PASSWORD_SALT is not set. Put it in the environment or in .env; "
            "see .env.example."
        )
    mail.init_app(app)
    Security(app, user_datastore, mail_util_cls=LoggingMailUtil)
    app.cli.add_command(create_admin)


@click.command("create-admin")
@click.argument("email")
@click.password_option(help="The password; prompted for (twice, hidden) when not given.")
@with_appcontext
def create_admin(email: str, password: str) -> None:
    """Create an active user EMAIL with the `admin` role, creating the role if it is missing."""
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
        email=email, password=hash_password(password), active=True, roles=[role]
    )
    db.session.commit()
    click.echo(f"Created {email} with the {ADMIN_ROLE} role.")
