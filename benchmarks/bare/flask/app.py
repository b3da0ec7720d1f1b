"""Bare Flask: the home page and the notes list, written as Flask's tutorial would, with Flask-SQLAlchemy.

The baseline the generated Flask project is measured against: the same two pages, the same ORM, nothing else
(no security headers, CSRF, sessions, accounts or admin).
"""

from datetime import datetime

from flask import Flask, render_template
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

app = Flask(__name__)
# Relative to the instance folder, which Flask-SQLAlchemy creates.
app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///notes.sqlite3"
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
