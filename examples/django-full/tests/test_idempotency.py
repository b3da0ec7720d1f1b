"""Idempotency keys on POST /api/notes: a retry with the same key creates nothing twice and gets
the first answer; another body with the key is 422, a malformed key 400; keys are each user's own
and expire."""

import json
from datetime import timedelta

import pytest
from django.db import DatabaseError, connection

from config.api import api
from shop.api import idempotency
from shop.api.models import IdempotencyKey, Token
from shop.notes.models import Note

pytestmark = pytest.mark.django_db

NOTES = "/api/notes"
NOTE = {"title": "Groceries", "body": "Milk, eggs."}


def bearer_for(user) -> dict[str, str]:
    _, secret = Token.objects.issue(user, "tests")
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def post(client, user):
    """`post(data, key=None, user=None)`: POST `data` as JSON to the notes API as `user` (the
    `user` fixture by default), with `Idempotency-Key: key` when a key is given."""

    def post(data, key: str | None = None, as_user=None):
        headers = bearer_for(as_user or user)
        if key is not None:
            headers["Idempotency-Key"] = key
        return client.post(NOTES, data, content_type="application/json", headers=headers)

    return post


def assert_error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == status and set(body) <= {"code", "status", "message", "errors"}
    return body


def test_a_retry_with_the_same_key_gets_the_first_answer_and_creates_nothing(post, user):
    first = post(NOTE, '"8e03978e-40d5-43e8-bc93-6894a57f9324"')
    again = post(NOTE, '"8e03978e-40d5-43e8-bc93-6894a57f9324"')
    assert first.status_code == again.status_code == 201
    assert first.content == again.content
    assert Note.objects.filter(owner=user).count() == 1
    assert json.loads(again.content)["id"] == Note.objects.get().pk


def test_a_key_is_the_same_quoted_or_bare(post):
    first = post(NOTE, '"retry-me"')
    assert post(NOTE, "retry-me").content == first.content
    assert Note.objects.count() == 1


def test_the_same_key_with_another_body_is_422_and_writes_nothing(post):
    post(NOTE, "k1")
    body = assert_error(post({**NOTE, "body": "Milk, eggs, bread."}, "k1"), 422)
    assert list(body["errors"]["json"]) == ["_schema"]
    assert Note.objects.count() == 1


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


@pytest.mark.parametrize("key", MALFORMED_KEYS.values(), ids=MALFORMED_KEYS.keys())
def test_a_malformed_key_is_400_and_writes_nothing(post, key):
    body = assert_error(post(NOTE, key), 400)
    assert body["message"] == "The request could not be read."
    assert Note.objects.count() == 0


def test_a_key_of_255_characters_is_accepted(post):
    assert post(NOTE, "x" * 255).status_code == 201
    assert post(NOTE, '"' + "x" * 255 + '"').status_code == 201
    assert Note.objects.count() == 1


def test_keys_are_each_users_own(post, user, django_user_model):
    other = django_user_model.objects.create_user(email="bob@example.com")
    mine = post(NOTE, "shared")
    theirs = post(NOTE, "shared", as_user=other)
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]
    assert Note.objects.filter(owner=other).count() == Note.objects.filter(owner=user).count() == 1


def test_without_a_key_each_request_creates(post):
    assert post(NOTE).status_code == post(NOTE).status_code == 201
    assert Note.objects.count() == 2


def test_a_key_expires_after_the_configured_hours(post, clock, settings):
    settings.API_IDEMPOTENCY_HOURS = 2
    first = post(NOTE, "daily")
    clock.shift(timedelta(hours=2) - timedelta(seconds=1))
    assert post(NOTE, "daily").content == first.content
    clock.shift(timedelta(seconds=1))
    later = post(NOTE, "daily")
    assert later.status_code == 201 and later.json()["id"] != first.json()["id"]
    # The expired row made way for the new one.
    assert IdempotencyKey.objects.get().body["id"] == later.json()["id"]


def test_a_users_expired_keys_are_deleted_at_their_next_keyed_request(post, clock, settings):
    for number in range(3):
        post(NOTE, f"old-{number}")
    clock.shift(timedelta(hours=settings.API_IDEMPOTENCY_HOURS))
    post(NOTE)
    assert IdempotencyKey.objects.count() == 3
    post(NOTE, "new")
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]


def test_a_request_that_fails_leaves_no_key_and_its_retry_creates_once(post, monkeypatch):
    """As when the worker dies after the note's INSERT: the transaction holds both rows."""

    def fail(*args, **kwargs):
        raise DatabaseError("the connection was lost")

    with monkeypatch.context() as patch:
        patch.setattr(IdempotencyKey.objects, "create", fail)
        with pytest.raises(DatabaseError):
            post(NOTE, "fragile")
    assert Note.objects.count() == IdempotencyKey.objects.count() == 0
    assert post(NOTE, "fragile").status_code == 201
    assert post(NOTE, "fragile").status_code == 201
    assert Note.objects.count() == IdempotencyKey.objects.count() == 1


def test_a_duplicate_that_lost_the_race_gets_the_winners_answer(post, monkeypatch):
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
    assert (second.status_code, second.content) == (201, first.content)
    assert len(lookups) == 2 and Note.objects.count() == 1


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="advisory locks are PostgreSQL's (TEST_DATABASE_URL)"
)
def test_on_postgresql_a_key_still_being_processed_is_409(post, user):
    number = idempotency.lock_number(user.pk, "slow")
    other = connection.copy()
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [number])
        response = post(NOTE, "slow")
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [number])
    finally:
        other.close()
    assert assert_error(response, 409)["message"] == idempotency.IN_FLIGHT
    assert Note.objects.count() == 0
    assert post(NOTE, "slow").status_code == 201


def test_the_schema_documents_the_header():
    operation = api.get_openapi_schema()["paths"][NOTES]["post"]
    header = {parameter["name"]: parameter for parameter in operation["parameters"]}
    assert header["Idempotency-Key"]["in"] == "header"
    assert not header["Idempotency-Key"]["required"]
    assert {400, 409, 422} <= set(operation["responses"])
