"""API tokens, stored as hashes: the secret is shown once, when the token is issued, and never kept.

A SHA-256 digest is enough, unlike for passwords: the secret is 256 random bits, so there is
nothing to guess, and a lookup by digest costs one indexed query per request. Users issue and
revoke their own at /tokens; `flask issue-token EMAIL NAME` issues one from the shell, and the
admin lists and revokes anyone's.

A token expires `API_TOKEN_DAYS` (90) days after it was issued: from then on it is refused like an
unknown one. Each records when it was last used, to the minute: writing the time once a minute at
most spares the database a write per request.
"""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

import click
from flask import Blueprint, current_app, redirect, render_template, url_for
from flask.cli import with_appcontext
from flask_security import auth_required, current_user
from flask_wtf import FlaskForm
from sqlalchemy import DateTime, ForeignKey, String, func, or_, select, update
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from ..accounts import User, user_datastore
from ..extensions import db

bp = Blueprint("tokens", __name__)

# How stale a token's `last_used_at` may be: it is written again only when older than this.
LAST_USED_PRECISION = timedelta(minutes=1)


def default_expiry() -> datetime:
    """When a token issued now expires: `API_TOKEN_DAYS` days from now."""
    return datetime.now(UTC) + timedelta(days=current_app.config["API_TOKEN_DAYS"])


def digest(secret: str) -> str:
    """The SHA-256 of `secret` (UTF-8, invalid code points replaced), as 64 hexadecimal digits."""
    return hashlib.sha256(secret.encode(errors="replace")).hexdigest()


class Token(db.Model):
    """A bearer token for the API, for one user, until `expires_at`. Revoking it deletes it."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=default_expiry)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

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
    """Create and commit a token for `user`, valid for `API_TOKEN_DAYS` days from now; return it
    and its secret, which is not kept."""
    token = Token(user=user, name=name)
    secret = token.new_secret()
    db.session.add(token)
    db.session.commit()
    return token, secret


def user_for(secret: str) -> User | None:
    """The active user whose token has `secret`, or None (unknown, revoked or expired token).
    Records that the token was used now, if its last use is a minute old or more."""
    now = datetime.now(UTC)
    stale = or_(Token.last_used_at.is_(None), Token.last_used_at <= now - LAST_USED_PRECISION)
    found = db.session.execute(
        select(Token, stale)
        .join(User)
        .where(Token.digest == digest(secret), Token.expires_at > now, User.active.is_(True))
    ).first()
    if found is None:
        return None
    token, last_use_is_stale = found
    if last_use_is_stale:
        # The read's transaction ends first: one that writes from its start waits its turn for
        # SQLite's write lock. The UPDATE is conditional, so that of the requests that found the
        # time stale only the first writes it.
        db.session.commit()
        db.session.execute(
            update(Token)
            .where(Token.id == token.id, stale)
            .values(last_used_at=now)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    return token.user


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
