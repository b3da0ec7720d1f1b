"""Notes: pages to list notes and add one (the sample model is in models.py).

Each note belongs to its author: a signed-in user lists and adds their own notes only, and
visitors are sent to sign in.

Delete this module, templates/notes/ and tests/test_notes.py, with models.py, once the project
has pages of its own.
"""

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_security import auth_required, current_user
from flask_sqlalchemy.pagination import Pagination
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from .extensions import db
from .models import BODY_MAX_LENGTH, TITLE_MAX_LENGTH, Note

bp = Blueprint("notes", __name__)

NOTES_PER_PAGE = 20
# The largest integer PostgreSQL holds.
MAX_ID = 2**31 - 1


class NoteForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=TITLE_MAX_LENGTH)])
    body = TextAreaField("Body", validators=[Length(max=BODY_MAX_LENGTH)])


def newest_first():
    """The signed-in user's notes, newest first."""
    notes = select(Note).filter_by(owner_id=current_user.id)
    return notes.order_by(Note.created_at.desc(), Note.id.desc())


def page_of_notes() -> Pagination:
    """The page `?page=` (default 1) of the user's notes, newest first, NOTES_PER_PAGE a page.

    Raises:
        NotFound: the page is below 1 or past the last (page 1 of no notes exists).
    """
    number = request.args.get("page", 1, type=int)
    # Past this, the query's OFFSET would overflow the database's integer.
    if number > MAX_ID // NOTES_PER_PAGE:
        abort(404)
    return db.paginate(newest_first(), page=number, per_page=NOTES_PER_PAGE)


def render_index(form: NoteForm, status: int = 200):
    # The template reads the page only when its cached fragment is missing (caching.py).
    number = request.args.get("page", 1, type=int)
    fragment = {"page_number": number, "page_of_notes": page_of_notes}
    return render_template("notes/index.html", form=form, **fragment), status


@bp.get("/notes/")
@auth_required()
def index():
    """The user's notes, newest first, a page at a time, with a form to add one."""
    return render_index(NoteForm())


@bp.post("/notes/")
@auth_required()
def create():
    """Add the note, then redirect to the list; 422 with the form's errors when it is invalid."""
    form = NoteForm()
    if form.validate_on_submit():
        note = Note(title=form.title.data, body=form.body.data, owner_id=current_user.id)
        db.session.add(note)
        db.session.commit()
        return redirect(url_for(".index"))
    return render_index(form, 422)
