"""The notes API in the tests: notes stored and read without the API, a client that reads them,
and the tables of the app schemathesis calls, with a note for it to find."""

import pytest

from shop.api.notes import MAX_ID
from shop.extensions import db
from shop.models import Note

NOTES = "/api/notes"


def stored(app) -> list[tuple[str, str]]:
    """The title and body of each stored note, in the database's order."""
    with app.app_context():
        return [(note.title, note.body) for note in db.session.scalars(db.select(Note))]


@pytest.fixture
def add_notes(app):
    """`add_notes(*titles, **fields)`: store a note for each of `titles`, in order, with the body
    "Text." and the other `fields` of the model; return their ids."""

    def _add_notes(*titles: str, **fields) -> list[int]:
        with app.app_context():
            notes = [Note(title=title, body="Text.", **fields) for title in titles]
            db.session.add_all(notes)
            db.session.commit()
            return [note.id for note in notes]

    return _add_notes


@pytest.fixture
def reader(client):
    """A client that may read the notes: anyone may."""
    return client


def well_formed_id(case) -> bool:
    """Whether the case's `note_id` is one the document allows: a whole number, 0 to MAX_ID."""
    note_id = (case.path_parameters or {}).get("note_id")
    return isinstance(note_id, int) and 0 <= note_id <= MAX_ID


@pytest.fixture(scope="module")
def call_options(request, call_options):
    """As the API's call_options, with the tables of the test module's `app`, the one schemathesis
    calls, and one note in them for the generated ids to find."""
    app = request.module.app
    # Other tests' apps were made since this one: tasks run in the app of the current Celery app.
    app.extensions["celery"].set_current()
    with app.app_context():
        db.create_all()
        note = Note(title="A note", body="To find.")
        db.session.add(note)
        db.session.commit()
        note_id = note.id

    def _call_options(case) -> dict:
        # A random id names no note: aim the well-formed ones at the one that exists.
        if well_formed_id(case):
            case.path_parameters["note_id"] = note_id
        return call_options(case)

    yield _call_options
    with app.app_context():
        db.drop_all()
        db.engine.dispose()
