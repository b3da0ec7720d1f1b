"""Bare Flask: the home page, the notes list and the API's list of notes, written as Flask's tutorial would, with
Flask-SQLAlchemy.

The baseline the generated Flask project is measured against: the same two pages and the same JSON from the same
query, the same ORM, nothing else (no security headers, CSRF, sessions, accounts, admin or schemas).
"""

from datetime import datetime

from flask import Flask, render_template, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, String, Text, func, select
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
