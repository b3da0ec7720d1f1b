"""The notes API: list (a page at a time), detail, create, replace, update, delete. Each request
needs a bearer token or a signed-in session, with its CSRF token to write (auth.py), and acts on
that user's notes only: another user's note is a 404, as if it did not exist."""

from http import HTTPStatus

from flask import Response, g, jsonify
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import func, select

from ..caching import FRAGMENT_TIMEOUT, cache, list_version
from ..extensions import db
from ..models import Note
from .auth import SECURITY, require_user
from .idempotency import PARAMETER, idempotent
from .schemas import (
    NoteInSchema,
    NotePageSchema,
    NotePatchSchema,
    NoteSchema,
    PageQuerySchema,
)

# The largest id the `note` table holds (a 32-bit INTEGER on PostgreSQL): a larger one names no
# note, and the converter answers 404 without asking the database, which could overflow.
MAX_ID = 2**31 - 1

blp = Blueprint("notes_api", __name__, url_prefix="/api/notes", description="The notes.")
# What a request can answer besides 422, which @blp.arguments documents: each in the error shape.
READ_ERRORS = (401, 429)
WRITE_ERRORS = (400, 401, 403, 413, 415, 429)
blp.before_request(require_user)


def errors_documented(*statuses: int):
    """Document that the operation can answer each of `statuses`, in the error shape."""

    def decorate(view):
        for status in statuses:
            view = blp.alt_response(status, response=HTTPStatus(status).name)(view)
        return view

    return decorate


def own_note(note_id: int) -> Note:
    """The user's note `note_id`; 404 if there is none, or it is another user's."""
    return db.first_or_404(select(Note).filter_by(id=note_id, owner_id=g.user.id))


def page_of_notes(page: int, page_size: int) -> dict[str, object]:
    """Page `page` (from 1) of the user's notes, newest first, `page_size` a page, with their
    count."""
    notes = select(Note).filter_by(owner_id=g.user.id)
    count = db.session.scalar(select(func.count()).select_from(notes.subquery()))
    start = (page - 1) * page_size
    items = []
    if start < count:  # a huge page would overflow the query's OFFSET
        newest_first = notes.order_by(Note.created_at.desc(), Note.id.desc())
        items = db.session.scalars(newest_first.offset(start).limit(page_size)).all()
    return {"items": items, "count": count, "page": page, "page_size": page_size}


@blp.route("")
class Notes(MethodView):
    @blp.arguments(PageQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, NotePageSchema)
    @blp.doc(security=SECURITY)
    @errors_documented(*READ_ERRORS)
    def get(self, page: int, page_size: int) -> Response:
        """The user's notes, newest first, a page at a time. A page past the last one is empty.

        Each page is cached for its user under the list's version (caching.py), which every
        committed write to a note replaces: the answer is never older than the last write.
        """
        key = f"notes:api:{list_version()}:{g.user.id}:{page}:{page_size}"
        body = cache.get(key)
        if body is None:
            body = NotePageSchema().dump(page_of_notes(page, page_size))
            cache.set(key, body, timeout=FRAGMENT_TIMEOUT)
        return jsonify(body)

    @blp.arguments(NoteInSchema)
    @blp.response(201, NoteSchema)
    @blp.doc(security=SECURITY, parameters=[PARAMETER])
    @errors_documented(409, *WRITE_ERRORS)
    def post(self, fields: dict[str, str]) -> Response:
        """Add a note, the user's; the answer is the note, with its id and creation time. With an
        Idempotency-Key, a retry of the request gets the same answer and adds no other note
        (idempotency.py)."""

        def create() -> tuple[int, dict]:
            note = Note(**fields, owner_id=g.user.id)
            db.session.add(note)
            db.session.flush()
            return 201, NoteSchema().dump(note)

        status, body = idempotent(create)
        response = jsonify(body)
        response.status_code = status
        return response


@blp.route(f"/<int(max={MAX_ID}):note_id>")
class NoteById(MethodView):
    @blp.response(200, NoteSchema)
    @blp.doc(security=SECURITY)
    @errors_documented(404, *READ_ERRORS)
    def get(self, note_id: int) -> Note:
        """One of the user's notes; 404 if they have none with this id."""
        return own_note(note_id)

    @blp.arguments(NoteInSchema)
    @blp.response(200, NoteSchema)
    @blp.doc(security=SECURITY)
    @errors_documented(404, *WRITE_ERRORS)
    def put(self, fields: dict[str, str], note_id: int) -> Note:
        """Replace a note's title and body."""
        note = own_note(note_id)
        note.title, note.body = fields["title"], fields["body"]
        db.session.commit()
        return note

    @blp.arguments(NotePatchSchema)
    @blp.response(200, NoteSchema)
    @blp.doc(security=SECURITY)
    @errors_documented(404, *WRITE_ERRORS)
    def patch(self, fields: dict[str, str], note_id: int) -> Note:
        """Change the fields sent, the title, the body or both, and keep the others."""
        note = own_note(note_id)
        for name, value in fields.items():
            setattr(note, name, value)
        db.session.commit()
        return note

    @blp.response(204)
    @blp.doc(security=SECURITY)
    @errors_documented(404, 403, *READ_ERRORS)
    def delete(self, note_id: int) -> None:
        """Delete a note; the answer has no body."""
        db.session.delete(own_note(note_id))
        db.session.commit()
