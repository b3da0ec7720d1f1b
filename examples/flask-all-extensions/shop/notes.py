"""Notes: the sample model, with pages to list and create notes and a read-only JSON API.

Anyone may read the notes; only signed-in users may add one.

Delete this module, templates/notes/, tests/test_notes.py and the `note` table (with a new
migration: `flask db migrate -m "Drop notes"`) once the project has models of its own.
"""

from datetime import datetime

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_security import auth_required
from flask_sqlalchemy.pagination import Pagination
from flask_wtf import FlaskForm
from sqlalchemy import DateTime, String, Text, func, select
from sqlalchemy.orm import Mapped, mapped_column
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from .extensions import db

bp = Blueprint("notes", __name__)

NOTES_PER_PAGE = 20
TITLE_MAX_LENGTH = 200
# The database does not limit a Text column; the form holds the body to this many characters.
BODY_MAX_LENGTH = 10_000
# The largest id a PostgreSQL integer holds: a larger one in a URL is a 404, not a database error.
MAX_ID = 2**31 - 1


class Note(db.Model):
    """A titled note. `created_at` is set by the database on insert."""

    __tablename__ = "note"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX_LENGTH))
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
    title = StringField("Title", validators=[DataRequired(), Length(max=TITLE_MAX_LENGTH)])
    body = TextAreaField("Body", validators=[Length(max=BODY_MAX_LENGTH)])


def newest_first():
    return select(Note).order_by(Note.created_at.desc(), Note.id.desc())


def page_of_notes() -> Pagination:
    """The page `?page=` (default 1) of the notes, newest first, NOTES_PER_PAGE a page.

    Raises:
        NotFound: the page is below 1 or past the last (page 1 of no notes exists).
    """
    number = request.args.get("page", 1, type=int)
    # Past this, the query's OFFSET would overflow the database's integer.
    if number > MAX_ID // NOTES_PER_PAGE:
        abort(404)
    return db.paginate(newest_first(), page=number, per_page=NOTES_PER_PAGE)


def render_index(form: NoteForm, status: int = 200):
    return render_template("notes/index.html", page=page_of_notes(), form=form), status


@bp.get("/notes/")
def index():
    """The notes, newest first, a page at a time, with a form to add one."""
    return render_index(NoteForm())


@bp.post("/notes/")
@auth_required()
def create():
    """Add the note, then redirect to the list; 422 with the form's errors when it is invalid."""
    form = NoteForm()
    if form.validate_on_submit():
        db.session.add(Note(title=form.title.data, body=form.body.data))
        db.session.commit()
        return redirect(url_for(".index"))
    return render_index(form, 422)


@bp.get("/api/notes")
def api_list() -> list[dict[str, object]]:
    """The notes as a JSON list, newest first."""
    return [note.to_dict() for note in db.session.scalars(newest_first())]


@bp.get(f"/api/notes/<int(max={MAX_ID}):note_id>")
def api_detail(note_id: int) -> dict[str, object]:
    """One note as JSON; 404 when there is no such note."""
    return db.get_or_404(Note, note_id).to_dict()
