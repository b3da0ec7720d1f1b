"""Bare Flask: the home page, the notes list, the API's list of notes and a sign-in form, written as Flask's
tutorial would, with Flask-SQLAlchemy and Flask-WTF.

The baseline the generated Flask project is measured against: the same pages and the same JSON from the same query,
the same ORM, nothing else (no security headers, sessions but the sign-in form's CSRF token, accounts, admin or
schemas). The sign-in form has the generated one's fields (email, password, remember me, its CSRF token); the page
renders it and does nothing else, as a hand-written sign-in page does before the form is posted.
"""

from datetime import datetime

from flask import Flask, render_template, request
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import FlaskForm
from sqlalchemy import DateTime, String, Text, func, select
from sqlalchemy.orm import Mapped, mapped_column
from wtforms import BooleanField, EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired

app = Flask(__name__)
# Relative to the instance folder, which Flask-SQLAlchemy creates.
app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///notes.sqlite3"
# Signs the session cookie that holds the form's CSRF token; a throwaway value for loopback benchmarking.
app.config["SECRET_KEY"] = "bare-flask-benchmark-key"
db = SQLAlchemy(app)


class Note(db.Model):
    __tablename__ = "note"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


@app.get("/")
def index() -> str:
    return render_template("index.html")


@app.get("/notes/")
def notes() -> str:
    newest_first = select(Note).order_by(Note.created_at.desc(), Note.id.desc())
    return render_template("notes.html", notes=db.session.scalars(newest_first))


@app.get("/api/notes")
def api_notes() -> dict[str, object]:
    """A page of the notes as the generated API answers it: `?page=`, `?page_size=`, the count."""
    page = request.args.get("page", 1, type=int)
    page_size = request.args.get("page_size", 20, type=int)
    newest_first = select(Note).order_by(Note.created_at.desc(), Note.id.desc())
    notes = db.session.scalars(newest_first.offset((page - 1) * page_size).limit(page_size))
    return {
        "items": [
            {"id": n.id, "title": n.title, "body": n.body, "created_at": n.created_at.isoformat()} for n in notes
        ],
        "count": db.session.scalar(select(func.count()).select_from(Note)),
        "page": page,
        "page_size": page_size,
    }


class SignInForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired()])
    remember = BooleanField("Remember me")
    submit = SubmitField("Log in")


@app.get("/login")
def login() -> str:
    return render_template("login.html", form=SignInForm())
