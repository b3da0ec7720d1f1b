"""API tokens, stored as hashes: the secret is shown once, when the token is issued, and never kept.

A SHA-256 digest is enough, unlike for passwords: the secret is 256 random bits, so there is
nothing to guess, and a lookup by digest costs one indexed query per request. Users issue and
revoke their own at /tokens; `flask issue-token EMAIL NAME` issues one from the shell, and the
admin lists and revokes anyone's.
"""

import hashlib
import secrets
from datetime import datetime

import click
from flask import Blueprint, redirect, render_template, url_for
from flask.cli import with_appcontext
from flask_security import auth_required, current_user
from flask_wtf import FlaskForm
from sqlalchemy import DateTime, ForeignKey, String, func, select
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from ..accounts import User, user_datastore
from ..extensions import db

bp = Blueprint("tokens", __name__)


def digest(secret: str) -> str:
    """The SHA-256 of `secret` (UTF-8, invalid code points replaced), as 64 hexadecimal digits."""
    return hashlib.sha256(secret.encode(errors="replace")).hexdigest()


class Token(db.Model):
    """A bearer token for the API, for one user. Revoking it deletes it."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    user: Mapped[User] = relationship(
        backref=backref("api_tokens", cascade="all, delete-orphan", order_by="Token.id.desc()")
    )

    def __str__(self) -> str:
        return self.name

    def new_secret(self) -> str:
        """Give the token a fresh random secret: keep its digest, return the secret to show once."""
        secret = secrets.token_urlsafe(32)
        self.digest = digest(secret)
        return secret


def issue(user: User, name: str) -> tuple[Token, str]:
    """Create and commit a token for `user`; return it and its secret, which is not kept."""
    token = Token(user=user, name=name)
    secret = token.new_secret()
    db.session.add(token)
    db.session.commit()
    return token, secret


def user_for(secret: str) -> User | None:
    """The active user whose token has `secret`, or None (unknown or revoked token)."""
    query = select(User).join(Token).where(Token.digest == digest(secret), User.active.is_(True))
    return db.session.scalar(query)


class TokenForm(FlaskForm):
    name = StringField(
        "Name", validators=[DataRequired(), Length(max=100)], description="What it is for."
    )


@bp.route("/tokens", methods=["GET", "POST"])
@auth_required()
def index():
    """GET: the user's tokens, with a form to issue one. POST: issue it, and show its secret on
    the page this answers, once."""
    form = TokenForm()
    secret = None
    if form.validate_on_submit():
        _, secret = issue(current_user, form.name.data)
        form = TokenForm(formdata=None)
    status = 422 if form.errors else 200
    tokens = current_user.api_tokens
    return render_template("tokens.html", form=form, tokens=tokens, secret=secret), status


@bp.post("/tokens/<int:token_id>/revoke")
@auth_required()
def revoke(token_id: int):
    """Delete one of the user's own tokens (404 for anyone else's), then go back to the list."""
    token = db.first_or_404(select(Token).filter_by(id=token_id, user_id=current_user.id))
    db.session.delete(token)
    db.session.commit()
    return redirect(url_for(".index"))


@click.command("issue-token")
@click.argument("email")
@click.argument("name")
@with_appcontext
def issue_token(email: str, name: str) -> None:
    """Issue an API token named NAME to the user EMAIL, and print its secret (shown only now)."""
    user = user_datastore.find_user(email=email)
    if user is None:
        raise click.BadParameter(f"No user has the email {email}.", param_hint="EMAIL")
    _, secret = issue(user, name)
    click.echo(secret)
