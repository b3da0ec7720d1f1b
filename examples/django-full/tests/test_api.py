"""The notes API: each operation, who may read and write which notes, pagination, the error shape,
the docs' access."""

import json
import re
from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from shop.api.models import Token
from shop.notes.models import Note

pytestmark = pytest.mark.django_db

NOTES = "/api/notes"
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$")


def bearer_for(user) -> dict[str, str]:
    _, secret = Token.objects.issue(user, "tests")
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def bearer(user) -> dict[str, str]:
    return bearer_for(user)


@pytest.fixture
def other_user(django_user_model, password):
    return django_user_model.objects.create_user(email="bob@example.com", password=password)


def assert_error(response, status: int) -> dict:
    """Assert that `response` is the API's error shape for `status`; return its JSON."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == status
    assert isinstance(body["status"], str) and isinstance(body["message"], str)
    assert set(body) <= {"code", "status", "message", "errors"}
    return body


def test_list_is_paginated_newest_first(client, user, bearer):
    for number in range(1, 6):
        Note.objects.create(owner=user, title=f"Note {number}", body="Text.")
    response = client.get(NOTES, {"page": 2, "page_size": 2}, headers=bearer)
    assert response.status_code == 200
    assert response.json()["count"] == 5
    assert (response.json()["page"], response.json()["page_size"]) == (2, 2)
    assert [note["title"] for note in response.json()["items"]] == ["Note 3", "Note 2"]


def test_list_defaults_to_the_first_page_of_twenty(client, bearer):
    response = client.get(NOTES, headers=bearer)
    assert response.json() == {"items": [], "count": 0, "page": 1, "page_size": 20}


def test_a_page_past_the_last_is_empty(client, user, bearer):
    Note.objects.create(owner=user, title="Only", body="One.")
    response = client.get(NOTES, {"page": 10**30}, headers=bearer)
    assert response.status_code == 200
    assert response.json()["items"] == [] and response.json()["count"] == 1


@pytest.mark.parametrize(
    ("query", "field"), [({"page": 0}, "page"), ({"page_size": 101}, "page_size")]
)
def test_pagination_limits(client, bearer, query, field):
    body = assert_error(client.get(NOTES, query, headers=bearer), 422)
    assert list(body["errors"]["query"]) == [field]


def test_detail(client, user, bearer):
    note = Note.objects.create(owner=user, title="Hello", body="World.")
    response = client.get(f"{NOTES}/{note.pk}", headers=bearer)
    assert response.status_code == 200
    body = response.json()
    assert {key: body[key] for key in ("id", "title", "body")} == {
        "id": note.pk,
        "title": "Hello",
        "body": "World.",
    }
    assert ISO_UTC.match(body["created_at"])
    created_at = datetime.fromisoformat(body["created_at"])
    assert created_at.utcoffset().total_seconds() == 0
    assert abs(created_at - note.created_at.astimezone(UTC)).total_seconds() < 0.001


@pytest.mark.parametrize("note_id", ["999", "abc", "-1", str(2**64)])
def test_missing_notes_are_404(client, bearer, note_id):
    assert_error(client.get(f"{NOTES}/{note_id}", headers=bearer), 404)


@pytest.mark.parametrize("path", [NOTES, f"{NOTES}/1"])
def test_reading_needs_a_token_or_a_session(client, user, path):
    Note.objects.create(pk=1, owner=user, title="Private", body="Mine.")
    response = client.get(path)
    assert_error(response, 401)
    assert response["WWW-Authenticate"] == "Bearer"
    assert "Private" not in response.text


def test_a_session_reads_without_a_csrf_token(user):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    Note.objects.create(owner=user, title="Mine", body="Text.")
    response = browser.get(NOTES)
    assert response.status_code == 200
    assert [note["title"] for note in response.json()["items"]] == ["Mine"]


def test_the_list_shows_the_callers_notes_only(client, user, other_user, bearer):
    Note.objects.create(owner=user, title="Ada's", body="Text.")
    Note.objects.create(owner=other_user, title="Bob's", body="Text.")
    Note.objects.create(owner=None, title="From before owners", body="Text.")
    response = client.get(NOTES, headers=bearer)
    assert [note["title"] for note in response.json()["items"]] == ["Ada's"]
    assert response.json()["count"] == 1
    response = client.get(NOTES, headers=bearer_for(other_user))
    assert [note["title"] for note in response.json()["items"]] == ["Bob's"]


@pytest.mark.parametrize(
    ("method", "data"),
    [
        ("get", None),
        ("put", {"title": "Taken", "body": "Taken."}),
        ("patch", {"title": "Taken"}),
        ("delete", None),
    ],
)
def test_another_users_note_is_404_and_stays_unchanged(client, user, other_user, method, data):
    note = Note.objects.create(owner=user, title="Ada's", body="Kept.")
    kwargs = {"content_type": "application/json"} if data else {}
    response = getattr(client, method)(
        f"{NOTES}/{note.pk}", data, headers=bearer_for(other_user), **kwargs
    )
    assert assert_error(response, 404)["message"] == "Nothing here."
    note.refresh_from_db()
    assert (note.owner, note.title, note.body) == (user, "Ada's", "Kept.")


def test_a_note_without_an_owner_is_no_ones(client, bearer):
    note = Note.objects.create(owner=None, title="From before owners", body="Text.")
    assert_error(client.get(f"{NOTES}/{note.pk}", headers=bearer), 404)
    assert_error(client.delete(f"{NOTES}/{note.pk}", headers=bearer), 404)
    assert Note.objects.filter(pk=note.pk).exists()


def test_create_with_a_token(client, user, bearer):
    response = client.post(
        NOTES, {"title": " Hi ", "body": "There."}, content_type="application/json", headers=bearer
    )
    assert response.status_code == 201
    note = Note.objects.get()
    assert response.json()["id"] == note.pk
    assert (note.owner, note.title, note.body) == (user, "Hi", "There.")


def test_update_and_delete_with_a_token(client, user, bearer):
    note = Note.objects.create(owner=user, title="Old", body="Old.")
    response = client.put(
        f"{NOTES}/{note.pk}",
        {"title": "New", "body": "New."},
        content_type="application/json",
        headers=bearer,
    )
    assert response.status_code == 200
    assert response.json()["title"] == "New"
    note.refresh_from_db()
    assert (note.title, note.body) == ("New", "New.")

    response = client.delete(f"{NOTES}/{note.pk}", headers=bearer)
    assert response.status_code == 204
    assert response.content == b""
    assert not Note.objects.exists()


@pytest.mark.parametrize(
    ("data", "title", "body"),
    [
        ({"title": " New "}, "New", "Old."),
        ({"body": "New."}, "Old", "New."),
        ({"title": "New", "body": "New."}, "New", "New."),
        ({}, "Old", "Old."),
    ],
)
def test_patch_changes_the_fields_sent(client, user, bearer, data, title, body):
    note = Note.objects.create(owner=user, title="Old", body="Old.")
    response = client.patch(
        f"{NOTES}/{note.pk}", data, content_type="application/json", headers=bearer
    )
    assert response.status_code == 200, response.content
    assert (response.json()["title"], response.json()["body"]) == (title, body)
    note.refresh_from_db()
    assert (note.title, note.body) == (title, body)


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"title": ""}, {"title"}),
        ({"title": "   "}, {"title"}),
        ({"title": None}, {"title"}),
        ({"body": False}, {"body"}),
        ({"body": "x" * 10_001}, {"body"}),
        ({"title": "T", "owner": 2}, {"owner"}),
        ([], {"_schema"}),
    ],
)
def test_patch_holds_the_fields_to_the_same_rules(client, user, bearer, data, errors):
    note = Note.objects.create(owner=user, title="Old", body="Old.")
    response = client.patch(
        f"{NOTES}/{note.pk}", data, content_type="application/json", headers=bearer
    )
    assert set(assert_error(response, 422)["errors"]["json"]) == errors
    note.refresh_from_db()
    assert (note.owner, note.title, note.body) == (user, "Old", "Old.")


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writing_needs_a_token_or_a_session(client, user, method):
    note = Note.objects.create(owner=user, title="Kept", body="Kept.")
    path = NOTES if method == "post" else f"{NOTES}/{note.pk}"
    data = json.dumps({"title": "T", "body": "B"})
    response = getattr(client, method)(path, data, content_type="application/json")
    assert_error(response, 401)
    assert response["WWW-Authenticate"] == "Bearer"
    assert Note.objects.get().title == "Kept"


def test_a_revoked_token_is_refused(client, bearer):
    Token.objects.all().delete()
    response = client.post(
        NOTES, {"title": "T", "body": "B"}, content_type="application/json", headers=bearer
    )
    assert_error(response, 401)


def test_an_inactive_users_token_is_refused(client, user, bearer):
    user.is_active = False
    user.save()
    response = client.delete(f"{NOTES}/1", headers=bearer)
    assert_error(response, 401)


def test_a_session_writes_with_its_csrf_token(user):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    data = {"title": "From the browser", "body": "Text."}
    assert_error(browser.post(NOTES, data, content_type="application/json"), 403)

    browser.get(reverse("tokens:list"))  # any page with a form sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    response = browser.post(
        NOTES, data, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"body": "B"}, {"title"}),
        ({"title": "", "body": "B"}, {"title"}),
        ({"title": "   ", "body": "B"}, {"title"}),
        ({"title": "x" * 201, "body": "B"}, {"title"}),
        ({"title": "T", "body": False}, {"body"}),
        ({"title": "T", "body": "a\x00b"}, {"body"}),
        ({"title": "T", "body": "B", "extra": 1}, {"extra"}),
        ([], {"_schema"}),
    ],
)
def test_invalid_notes_get_field_errors(client, bearer, data, errors):
    response = client.post(NOTES, data, content_type="application/json", headers=bearer)
    body = assert_error(response, 422)
    assert set(body["errors"]) == {"json"}
    assert set(body["errors"]["json"]) == errors
    assert not Note.objects.exists()


def test_a_lone_surrogate_is_refused(client, bearer):
    data = b'{"title": "T", "body": "\\ud800"}'
    response = client.post(NOTES, data, content_type="application/json", headers=bearer)
    assert set(assert_error(response, 422)["errors"]["json"]) == {"body"}


def test_malformed_json_is_400(client, bearer):
    response = client.post(NOTES, "{not json", content_type="application/json", headers=bearer)
    assert_error(response, 400)


def test_a_body_over_the_limit_is_413(client, bearer, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    data = {"title": "T", "body": "x" * 2048}
    response = client.post(NOTES, data, content_type="application/json", headers=bearer)
    assert_error(response, 413)


def test_an_unknown_method_is_405_with_allow(client, bearer):
    response = client.post(f"{NOTES}/1", {}, content_type="application/json", headers=bearer)
    assert_error(response, 405)
    assert set(response["Allow"].split(", ")) == {"GET", "PUT", "PATCH", "DELETE"}


def test_an_unknown_path_is_404(client):
    assert_error(client.get("/api/nothing-here"), 404)


def test_an_error_in_an_operation_is_a_logged_json_500(client, bearer, monkeypatch, caplog):
    def broken(**lookups):
        raise RuntimeError("something broke")

    monkeypatch.setattr(Note.objects, "filter", broken)
    client.raise_request_exception = False  # answer 500, as in production
    body = assert_error(client.get(NOTES, headers=bearer), 500)
    assert "something broke" not in json.dumps(body)
    (record,) = [record for record in caplog.records if record.name == "django.request"]
    assert record.getMessage() == f"Internal Server Error: {NOTES}"
    assert "something broke" in str(record.exc_info[1])


@pytest.mark.parametrize("path", ["/api/docs", "/api/openapi.json"])
def test_docs_and_schema_are_for_staff(client, staff_user, sign_in, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    sign_in(client, staff_user)
    assert client.get(path).status_code == 200


def test_docs_are_open_while_debug_is_on(client, settings):
    settings.DEBUG = True
    assert client.get("/api/openapi.json").status_code == 200


def test_docs_use_the_sites_own_static_files(admin_client):
    response = admin_client.get("/api/docs")
    assert response.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', response.text)
    assert sources and all(source.startswith("/static/") for source in sources), sources
    assert "<script>" not in response.text  # no inline script: the policy allows none
