"""Idempotency keys on POST /api/notes: a retry with the same key creates nothing twice and gets
the first answer; another body with the key is 422, a malformed key 400; keys are each user's own
and expire."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from shop.accounts import user_datastore
from shop.api import api, idempotency
from shop.api.idempotency import IdempotencyKey
from shop.api.tokens import issue
from shop.extensions import db
from shop.models import Note

NOTES = "/api/notes"
NOTE = {"title": "Groceries", "body": "Milk, eggs."}
OWNER = "ada@example.com"
MALFORMED_KEYS = {
    "empty": "",
    "empty-quoted": '""',
    "blank": "   ",
    "too-long": "x" * 256,
    "too-long-quoted": '"' + "x" * 256 + '"',
    "control": "tab\there",
    "non-ascii": "caf\u00e9",
    "bad-escape": '"a \\n b"',
    "unclosed": '"open',
}


@pytest.fixture
def post(app, client, make_user):
    """`post(data, key=None, as_user=OWNER)`: POST `data` as JSON to the notes API with a bearer
    token of `as_user` (made if need be), with `Idempotency-Key: key` when a key is given."""

    def post(data, key: str | None = None, as_user: str = OWNER):
        with app.app_context():
            user = user_datastore.find_user(email=as_user)
        if user is None:
            make_user(as_user)
        with app.app_context():
            _, secret = issue(user_datastore.find_user(email=as_user), "tests")
        headers = {"Authorization": f"Bearer {secret}"}
        if key is not None:
            headers["Idempotency-Key"] = key
        return client.post(NOTES, json=data, headers=headers)

    return post


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def stored_keys(app) -> list[tuple[str, dict]]:
    with app.app_context():
        return [(row.key, row.body) for row in db.session.scalars(select(IdempotencyKey))]


def assert_error(response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.get_json()
    assert body["code"] == status and set(body) <= {"code", "status", "message", "errors"}
    return body


def test_a_retry_with_the_same_key_gets_the_first_answer_and_creates_nothing(app, post):
    first = post(NOTE, '"8e03978e-40d5-43e8-bc93-6894a57f9324"')
    again = post(NOTE, '"8e03978e-40d5-43e8-bc93-6894a57f9324"')
    assert first.status_code == again.status_code == 201
    assert first.data == again.data
    assert count(app, Note) == 1


def test_a_key_is_the_same_quoted_or_bare(app, post):
    first = post(NOTE, '"retry-me"')
    assert post(NOTE, "retry-me").data == first.data
    assert count(app, Note) == 1


def test_the_same_key_with_another_body_is_422_and_writes_nothing(app, post):
    post(NOTE, "k1")
    body = assert_error(post({**NOTE, "body": "Milk, eggs, bread."}, "k1"), 422)
    assert list(body["errors"]["json"]) == ["_schema"]
    assert count(app, Note) == 1


@pytest.mark.parametrize("key", MALFORMED_KEYS.values(), ids=MALFORMED_KEYS.keys())
def test_a_malformed_key_is_400_and_writes_nothing(app, post, key):
    body = assert_error(post(NOTE, key), 400)
    assert body["message"] == "The request could not be read."
    assert count(app, Note) == 0


def test_a_key_of_255_characters_is_accepted(app, post):
    assert post(NOTE, "x" * 255).status_code == 201
    assert post(NOTE, '"' + "x" * 255 + '"').status_code == 201
    assert count(app, Note) == 1


def test_keys_are_each_users_own(app, post):
    mine = post(NOTE, "shared")
    theirs = post(NOTE, "shared", as_user="bob@example.com")
    assert mine.status_code == theirs.status_code == 201
    assert mine.get_json()["id"] != theirs.get_json()["id"]
    assert count(app, Note) == 2


def test_without_a_key_each_request_creates(app, post):
    assert post(NOTE).status_code == post(NOTE).status_code == 201
    assert count(app, Note) == 2


def test_a_key_expires_after_the_configured_hours(app, post, clock):
    app.config["API_IDEMPOTENCY_HOURS"] = 2
    first = post(NOTE, "daily")
    clock.shift(timedelta(hours=2) - timedelta(seconds=1))
    assert post(NOTE, "daily").data == first.data
    clock.shift(timedelta(seconds=1))
    later = post(NOTE, "daily")
    assert later.status_code == 201 and later.get_json()["id"] != first.get_json()["id"]
    # The expired row made way for the new one.
    assert stored_keys(app) == [("daily", later.get_json())]


def test_a_users_expired_keys_are_deleted_at_their_next_keyed_request(app, post, clock):
    for number in range(3):
        post(NOTE, f"old-{number}")
    clock.shift(timedelta(hours=app.config["API_IDEMPOTENCY_HOURS"]))
    post(NOTE)
    assert count(app, IdempotencyKey) == 3
    new = post(NOTE, "new")
    assert stored_keys(app) == [("new", new.get_json())]


def test_a_request_that_fails_leaves_no_key_and_its_retry_creates_once(app, post, monkeypatch):
    """As when the worker dies after the note's INSERT: the transaction holds both rows."""

    def fail():
        raise OperationalError("COMMIT", {}, Exception("the connection was lost"))

    with monkeypatch.context() as patch:
        patch.setattr(db.session, "commit", fail)
        with pytest.raises(OperationalError):
            post(NOTE, "fragile")
    assert count(app, Note) == count(app, IdempotencyKey) == 0
    assert post(NOTE, "fragile").status_code == 201
    assert post(NOTE, "fragile").status_code == 201
    assert count(app, Note) == count(app, IdempotencyKey) == 1


def test_a_duplicate_that_lost_the_race_gets_the_winners_answer(app, post, monkeypatch):
    """Two requests with one key: the second looked before the first committed, so it finds the
    key taken only at its INSERT (the unique index), and answers from the first's row."""
    first = post(NOTE, "race")
    lookups = []
    find = idempotency.find

    def miss_first(*args):
        lookups.append(args)
        return None if len(lookups) == 1 else find(*args)

    monkeypatch.setattr(idempotency, "find", miss_first)
    second = post(NOTE, "race")
    assert (second.status_code, second.data) == (201, first.data)
    assert len(lookups) == 2 and count(app, Note) == 1


def test_on_postgresql_a_key_still_being_processed_is_409(app, post, make_user):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("advisory locks are PostgreSQL's (TEST_DATABASE_URL)")
        owner_id = user_datastore.find_user(email=make_user(OWNER)).id
        number = idempotency.lock_number(owner_id, "slow")
        with db.engine.connect() as other:
            other.execute(text("SELECT pg_advisory_lock(:number)"), {"number": number})
            response = post(NOTE, "slow")
            other.execute(text("SELECT pg_advisory_unlock(:number)"), {"number": number})
            other.commit()
    assert assert_error(response, 409)["message"] == idempotency.IN_FLIGHT
    assert count(app, Note) == 0
    assert post(NOTE, "slow").status_code == 201


def test_the_document_describes_the_header(app):
    operation = api.spec.to_dict()["paths"][NOTES]["post"]
    header = {parameter["name"]: parameter for parameter in operation["parameters"]}
    assert header["Idempotency-Key"]["in"] == "header"
    assert not header["Idempotency-Key"]["required"]
    assert {"400", "409", "422"} <= set(operation["responses"])
