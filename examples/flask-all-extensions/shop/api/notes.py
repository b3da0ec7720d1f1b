"""The notes API: list (a page at a time), detail, create, replace, delete. Reading is public;
writing needs a bearer token or a signed-in session with its CSRF token (auth.py)."""

from http import HTTPStatus

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import func, select

from ..extensions import db
from ..models import Note
from .auth import WRITE_SECURITY, require_writer
from .schemas import NoteInSchema, NotePageSchema, NoteSchema, PageQuerySchema

# The largest id the `note` table holds (a 32-bit INTEGER on PostgreSQL): a larger one names no
# note, and the converter answers 404 without asking the database, which could overflow.
MAX_ID = 2**31 - 1

blp = Blueprint("notes_api", __name__, url_prefix="/api/notes", description="The notes.")
# What a write can answer besides 422, which @blp.arguments documents: each in the error shape.
WRITE_ERRORS = (400, 401, 403, 413)
blp.before_request(require_writer)


def errors_documented(*statuses: int):
    """Document that the operation can answer each of `statuses`, in the error shape."""

    def decorate(view):
        for status in statuses:
            view = blp.alt_response(status, response=HTTPStatus(status).name)(view)
        return view

    return decorate


def page_of_notes(page: int, page_size: int) -> dict[str, object]:
    """Page `page` (from 1) of the notes, newest first, `page_size` a page, with their count."""
    count = db.session.scalar(select(func.count()).select_from(Note))
    start = (page - 1) * page_size
    items = []
    if start < count:  # a huge page would overflow the query's OFFSET
        newest_first = select(Note).order_by(Note.created_at.desc(), Note.id.desc())
        items = db.session.scalars(newest_first.offset(start).limit(page_size)).all()
    return {"items": items, "count": count, "page": page, "page_size": page_size}


@blp.route("")
class Notes(MethodView):
    @blp.arguments(PageQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, NotePageSchema)
    def get(self, page: int, page_size: int) -> dict[str, object]:
        """The notes, newest first, a page at a time. A page past the last one is empty."""
        return page_of_notes(page, page_size)

    @blp.arguments(NoteInSchema)
    @blp.response(201, NoteSchema)
    @blp.doc(security=WRITE_SECURITY)
    @errors_documented(*WRITE_ERRORS)
    def post(self, fields: dict[str, str]) -> Note:
        """Add a note; the answer is the note, with its id and creation time."""
        note = Note(**fields)
        db.session.add(note)
        db.session.commit()
        return note


@blp.route(f"/<int(max={MAX_ID}):note_id>")
class NoteById(MethodView):
    @blp.response(200, NoteSchema)
    @errors_documented(404)
    def get(self, note_id: int) -> Note:
        """One note; 404 if there is none with this id."""
        return db.get_or_404(Note, note_id)

    @blp.arguments(NoteInSchema)
    @blp.response(200, NoteSchema)
    @blp.doc(security=WRITE_SECURITY)
    @errors_documented(404, *WRITE_ERRORS)
    def put(self, fields: dict[str, str], note_id: int) -> Note:
        """Replace a note's title and body."""
        note = db.get_or_404(Note, note_id)
        note.title, note.body = fields["title"], fields["body"]
        db.session.commit()
        return note

    @blp.response(204)
    @blp.doc(security=WRITE_SECURITY)
    @errors_documented(404, 401, 403)
    def delete(self, note_id: int) -> None:
        """Delete a note; the answer has no body."""
        db.session.delete(db.get_or_404(Note, note_id))
        db.session.commit()
