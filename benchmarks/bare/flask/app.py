"""Bare Flask: the home page, a signed-in user's notes, the API's list of them for a bearer token, and a sign-in
form, written as Flask's tutorial would, with Flask-SQLAlchemy, Flask-Login and Flask-WTF.

The baseline the generated Flask project is measured against: the same pages and the same JSON from the same query,
for the same signed-in user, the same ORM, nothing else (no security headers, CSRF checks, rate limits, request log,
roles, admin or schemas). Flask-Login loads the user from the session cookie's id on each request, as the tutorial's
`load_logged_in_user` does; the API looks its bearer token up by SHA-256 digest, as the generated one stores it. The
sign-in form has the generated one's fields (email, password, remember me, its CSRF token); the page renders it and
does nothing else, as a hand-written sign-in page does before the form is posted.
"""

import hashlib
from datetime import UTC, datetime

from flask import Flask, abort, redirect, render_template, request, url_for
from flask_login import LoginManager, UserMixin, current_user, login_required, logout_user
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import FlaskForm
from sqlalchemy import DateTime, ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column
from wtforms import BooleanField, EmailField, PasswordField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired

app = Flask(__name__)
# Relative to the instance folder, which Flask-SQLAlchemy creates.
app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///notes.sqlite3"
# Signs the session cookie; a throwaway value for loopback benchmarking.
app.config["SECRET_KEY"] = "bare-flask-benchmark-key"
db = SQLAlchemy(app)
login_manager = LoginManager(app)


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)


class Note(db.Model):
    __tablename__ = "note"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)


class Token(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id))


class NoteForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired()])
    body = TextAreaField("Body")


def newest_first(user_id: int):
    return select(Note).filter_by(owner_id=user_id).order_by(Note.created_at.desc(), Note.id.desc())


@app.get("/")
def index() -> str:
    return render_template("index.html")


@app.get("/notes/")
@login_required
def notes() -> str:
    page = db.paginate(newest_first(current_user.id), per_page=20)
    return render_template("notes.html", page=page, form=NoteForm())


@app.get("/api/notes")
def api_notes() -> dict[str, object]:
    """A page of the bearer token's user's notes as the generated API answers it: `?page=`, `?page_size=`, the
    count. 401 without a valid token."""
    _, _, secret = request.headers.get("Authorization", "").partition(" ")
    found = select(Token.user_id).where(
        Token.digest == hashlib.sha256(secret.encode()).hexdigest(), Token.expires_at > datetime.now(UTC)
    )
    user_id = db.session.scalar(found)
    if user_id is None:
        abort(401)
    page = db.paginate(newest_first(user_id), per_page=request.args.get("page_size", 20, type=int))
    return {
        "items": [{"id": n.id, "title": n.title, "body": n.body, "created_at": n.created_at.isoformat()} for n in page],
        "count": page.total,
        "page": page.page,
        "page_size": page.per_page,
    }


class SignInForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired()])
    remember = BooleanField("Remember me")
    submit = SubmitField("Log in")


@app.get("/login")
def login() -> str:
    return render_template("login.html", form=SignInForm())


@app.get("/logout")
def logout():
    logout_user()
    return redirect(url_for("index"))
