"""The API against its own OpenAPI document: the document is valid, and schemathesis, calling
every operation in-process with generated data (valid and not), finds no 500 and no response
that the document does not describe."""

import json

import pytest
import schemathesis
from conftest import TEST_CONFIG
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate
from sqlalchemy import delete

from shop import create_app
from shop.accounts import user_datastore
from shop.api import api
from shop.api.idempotency import IdempotencyKey
from shop.api.notes import MAX_ID
from shop.api.tokens import issue
from shop.extensions import db
from shop.models import Note

# One app for every example: the document of the API it serves, as a client downloads it.
# Its examples come faster than the API's rate limit allows.
app = create_app({**TEST_CONFIG, "API_RATE": "10000 per minute"})
DOCUMENT = json.loads(json.dumps(api.spec.to_dict()))

schema = schemathesis.openapi.from_dict(DOCUMENT)
schema.app = app  # requests go to the app in-process, as from_wsgi() does


def test_the_document_is_valid_openapi():
    validate(DOCUMENT)
    assert DOCUMENT["openapi"].startswith("3.")


def test_the_document_describes_both_ways_to_sign_in():
    schemes = DOCUMENT["components"]["securitySchemes"]
    assert {scheme["type"] for scheme in schemes.values()} == {"http", "apiKey"}


@pytest.fixture(scope="module")
def database():
    """The tables, with one note for the generated ids to find, and the headers of its owner's
    bearer token."""
    # Other tests' apps were made since this one: tasks run in the app of the current Celery app.
    app.extensions["celery"].set_current()
    with app.app_context():
        db.create_all()
        user = user_datastore.create_user(email="api@example.com", password=None, active=True)
        note = Note(title="A note", body="To find.", owner=user)
        db.session.add(note)
        db.session.commit()
        _, secret = issue(user, "schemathesis")
        note_id = note.id
    yield note_id, {"Authorization": f"Bearer {secret}"}
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def well_formed_id(case) -> bool:
    """Whether the case's `note_id` is one the document allows: a whole number, 0 to MAX_ID."""
    note_id = (case.path_parameters or {}).get("note_id")
    return isinstance(note_id, int) and 0 <= note_id <= MAX_ID


@schema.parametrize()
# Few examples per operation, so that the suite stays fast, and the same ones every run, so that it
# passes or fails alike in CI: raise max_examples and drop derandomize to search further.
@settings(max_examples=15, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_keeps_to_the_document(case, database):
    note_id, bearer = database
    # Each example is a first request: a key that an earlier one sent with another body is 422.
    with app.app_context():
        db.session.execute(delete(IdempotencyKey))
        db.session.commit()
    # A random id names no note: aim the well-formed ones at the one that exists.
    if well_formed_id(case):
        case.path_parameters["note_id"] = note_id
    case.call_and_validate(headers=bearer)
