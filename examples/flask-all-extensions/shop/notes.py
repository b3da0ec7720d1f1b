"""Notes: the sample model, with pages to list and create notes and a read-only JSON API.

Delete this module, templates/notes/, tests/test_notes.py and the `note` table (with a new
migration: `flask db migrate -m "Drop notes"`) once the project has models of its own.
"""

from datetime import datetime

from flask import Blueprint, redirect, render_template, url_for
from flask_wtf import FlaskForm
from sqlalchemy import DateTime, String, Text, func, select
from sqlalchemy.orm import Mapped, mapped_column
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from .extensions import db

bp = Blueprint("notes", __name__)


class Note(db.Model):
    """A titled note. `created_at` is set by the database on insert."""

    __tablename__ = "note"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    def to_dict(self) -> dict[str, object]:
        """The note as JSON-ready data; `created_at` in ISO 8601."""
        return {
            "id": self.id,
            "title": self.title,
            "body": self.body,
            "created_at": self.created_at.isoformat(),
        }


class NoteForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    body = TextAreaField("Body")


def newest_first() -> list[Note]:
    return list(db.session.scalars(select(Note).order_by(Note.created_at.desc(), Note.id.desc())))


@bp.route("/notes/", methods=["GET", "POST"])
def index():
    """GET: the notes, newest first, with a form to add one. POST: add it, then redirect back."""
    form = NoteForm()
    if form.validate_on_submit():
        db.session.add(Note(title=form.title.data, body=form.body.data))
        db.session.commit()
        return redirect(url_for(".index"))
    status = 422 if form.errors else 200
    return render_template("notes/index.html", notes=newest_first(), form=form), status


@bp.get("/api/notes")
def api_list() -> list[dict[str, object]]:
    """The notes as a JSON list, newest first."""
    return [note.to_dict() for note in newest_first()]


@bp.get("/api/notes/<int:note_id>")
def api_detail(note_id: int) -> dict[str, object]:
    """One note as JSON; 404 when there is no such note."""
    return db.get_or_404(Note, note_id).to_dict()
