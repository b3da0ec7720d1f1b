"""The notes API: each operation, who may write, pagination, the error shape, the docs' access."""

import json
import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from shop.api.models import Token
from shop.notes.models import Note

pytestmark = pytest.mark.django_db

NOTES = "/api/notes"
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$")


@pytest.fixture
def bearer(user) -> dict[str, str]:
    _, secret = Token.objects.issue(user, "tests")
    return {"Authorization": f"Bearer {secret}"}


def assert_error(response, status: int) -> dict:
    """Assert that `response` is the API's error shape for `status`; return its JSON."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == status
    assert isinstance(body["status"], str) and isinstance(body["message"], str)
    assert set(body) <= {"code", "status", "message", "errors"}
    return body


def test_list_is_public_and_paginated_newest_first(client):
    for number in range(1, 6):
        Note.objects.create(title=f"Note {number}", body="Text.")
    response = client.get(NOTES, {"page": 2, "page_size": 2})
    assert response.status_code == 200
    assert response.json()["count"] == 5
    assert (response.json()["page"], response.json()["page_size"]) == (2, 2)
    assert [note["title"] for note in response.json()["items"]] == ["Note 3", "Note 2"]


def test_list_defaults_to_the_first_page_of_twenty(client):
    response = client.get(NOTES)
    assert response.json() == {"items": [], "count": 0, "page": 1, "page_size": 20}


def test_a_page_past_the_last_is_empty(client):
    Note.objects.create(title="Only", body="One.")
    response = client.get(NOTES, {"page": 10**30})
    assert response.status_code == 200
    assert response.json()["items"] == [] and response.json()["count"] == 1


@pytest.mark.parametrize(
    ("query", "field"), [({"page": 0}, "page"), ({"page_size": 101}, "page_size")]
)
def test_pagination_limits(client, query, field):
    body = assert_error(client.get(NOTES, query), 422)
    assert list(body["errors"]["query"]) == [field]


def test_detail(client):
    note = Note.objects.create(title="Hello", body="World.")
    response = client.get(f"{NOTES}/{note.pk}")
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
def test_missing_notes_are_404(client, note_id):
    assert_error(client.get(f"{NOTES}/{note_id}"), 404)


def test_create_with_a_token(client, bearer):
    response = client.post(
        NOTES, {"title": " Hi ", "body": "There."}, content_type="application/json", headers=bearer
    )
    assert response.status_code == 201
    note = Note.objects.get()
    assert response.json()["id"] == note.pk
    assert (note.title, note.body) == ("Hi", "There.")


def test_update_and_delete_with_a_token(client, bearer):
    note = Note.objects.create(title="Old", body="Old.")
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


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_writing_needs_a_token_or_a_session(client, method):
    note = Note.objects.create(title="Kept", body="Kept.")
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
    from django.test import Client

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


def test_an_unknown_method_is_405_with_allow(client):
    response = client.patch(f"{NOTES}/1", {}, content_type="application/json")
    assert_error(response, 405)
    assert set(response["Allow"].split(", ")) == {"GET", "PUT", "DELETE"}


def test_an_unknown_path_is_404(client):
    assert_error(client.get("/api/nothing-here"), 404)


def test_an_error_in_an_operation_is_a_logged_json_500(client, monkeypatch, caplog):
    def broken():
        raise RuntimeError("something broke")

    monkeypatch.setattr(Note.objects, "all", broken)
    client.raise_request_exception = False  # answer 500, as in production
    body = assert_error(client.get(NOTES), 500)
    assert "something broke" not in json.dumps(body)
    (record,) = [record for record in caplog.records if record.name == "django.request"]
    assert record.getMessage() == f"Internal Server Error: {NOTES}"
    assert "something broke" in str(record.exc_info[1])


@pytest.mark.parametrize("path", ["/api/docs", "/api/openapi.json"])
def test_docs_and_schema_are_for_staff(client, staff_user, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    client.force_login(staff_user)
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
