"""The API: each operation, who may write, tokens, pagination, the error shape, the docs' access."""

import re
from datetime import UTC, datetime

import pytest

from shop import create_app
from shop.accounts import user_datastore
from shop.api.tokens import Token, issue, issue_token
from shop.extensions import db
from shop.models import Note

NOTES = "/api/notes"
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def assert_error(response, status: int) -> dict:
    """Assert that `response` is the API's error shape for `status`; return its JSON."""
    assert response.status_code == status, response.text
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["code"] == status
    assert isinstance(body["status"], str) and body["message"]
    assert set(body) - {"errors"} == {"code", "status", "message"}
    assert ("errors" in body) == (status == 422)
    return body


def add_notes(app, *titles: str) -> list[int]:
    """Store a note for each of `titles`, in order; return their ids."""
    with app.app_context():
        notes = [Note(title=title, body="Text.") for title in titles]
        db.session.add_all(notes)
        db.session.commit()
        return [note.id for note in notes]


def stored(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [(note.title, note.body) for note in db.session.scalars(db.select(Note))]


@pytest.fixture
def bearer(app, make_user) -> dict[str, str]:
    make_user("api@example.com")
    with app.app_context():
        _, secret = issue(user_datastore.find_user(email="api@example.com"), "tests")
    return {"Authorization": f"Bearer {secret}"}


def test_list_is_public_and_paginated_newest_first(app, client):
    add_notes(app, *(f"Note {number}" for number in range(1, 6)))
    response = client.get(NOTES, query_string={"page": 2, "page_size": 2})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["count"], body["page"], body["page_size"]) == (5, 2, 2)
    assert [note["title"] for note in body["items"]] == ["Note 3", "Note 2"]


def test_list_defaults_to_the_first_page_of_twenty(client):
    assert client.get(NOTES).get_json() == {"items": [], "count": 0, "page": 1, "page_size": 20}


def test_a_page_past_the_last_is_empty(app, client):
    add_notes(app, "Only")
    response = client.get(NOTES, query_string={"page": 10**30})
    assert response.status_code == 200
    assert response.get_json()["items"] == [] and response.get_json()["count"] == 1


@pytest.mark.parametrize(
    ("query", "field"),
    [({"page": 0}, "page"), ({"page_size": 101}, "page_size"), ({"page": "x"}, "page")],
)
def test_pagination_limits(client, query, field):
    body = assert_error(client.get(NOTES, query_string=query), 422)
    assert body["errors"] == {"query": {field: body["errors"]["query"][field]}}


def test_detail(app, client):
    (note_id,) = add_notes(app, "Hello")
    response = client.get(f"{NOTES}/{note_id}")
    assert response.status_code == 200
    note = response.get_json()
    assert set(note) == {"id", "title", "body", "created_at"}
    assert (note["id"], note["title"], note["body"]) == (note_id, "Hello", "Text.")
    assert ISO_UTC.match(note["created_at"]), note["created_at"]


@pytest.mark.parametrize("note_id", ["999", "abc", "-1", "1.5", str(2**31), str(2**70)])
def test_missing_notes_are_404(client, note_id):
    assert_error(client.get(f"{NOTES}/{note_id}"), 404)


def test_create_with_a_token(app, client, bearer):
    response = client.post(NOTES, json={"title": "  Hi ", "body": " There. "}, headers=bearer)
    assert response.status_code == 201
    note = response.get_json()
    assert (note["title"], note["body"]) == ("Hi", "There.")
    assert stored(app) == [("Hi", "There.")]
    created_at = datetime.fromisoformat(note["created_at"])
    assert abs(datetime.now(UTC) - created_at).total_seconds() < 60
    assert client.get(f"{NOTES}/{note['id']}").get_json() == note


def test_replace_and_delete_with_a_token(app, client, bearer):
    (note_id,) = add_notes(app, "Old")
    before = client.get(f"{NOTES}/{note_id}").get_json()
    data = {"title": "New", "body": "New."}
    response = client.put(f"{NOTES}/{note_id}", json=data, headers=bearer)
    assert response.status_code == 200
    assert response.get_json() == {**before, "title": "New", "body": "New."}
    assert stored(app) == [("New", "New.")]

    response = client.delete(f"{NOTES}/{note_id}", headers=bearer)
    assert response.status_code == 204
    assert response.data == b""
    assert stored(app) == []
    assert_error(client.delete(f"{NOTES}/{note_id}", headers=bearer), 404)


@pytest.mark.parametrize("method", ["post", "put", "delete"])
@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token", "Basic YTpi"])
def test_writing_needs_a_token_or_a_session(app, client, method, authorization):
    (note_id,) = add_notes(app, "Kept")
    path = NOTES if method == "post" else f"{NOTES}/{note_id}"
    headers = {"Authorization": authorization} if authorization else {}
    response = getattr(client, method)(path, json={"title": "T", "body": "B"}, headers=headers)
    assert_error(response, 401)
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert stored(app) == [("Kept", "Text.")]


def test_a_revoked_token_is_refused(app, client, bearer):
    with app.app_context():
        db.session.execute(db.delete(Token))
        db.session.commit()
    assert_error(client.post(NOTES, json={"title": "T", "body": "B"}, headers=bearer), 401)


def test_an_inactive_users_token_is_refused(app, client, bearer):
    with app.app_context():
        user_datastore.deactivate_user(user_datastore.find_user(email="api@example.com"))
        db.session.commit()
    assert_error(client.post(NOTES, json={"title": "T", "body": "B"}, headers=bearer), 401)


def test_a_session_writes_with_its_csrf_token(app, client, make_user, login, csrf_token):
    make_user("ada@example.com")
    login("ada@example.com")
    data = {"title": "From the browser", "body": "Text."}
    assert_error(client.post(NOTES, json=data), 403)
    assert_error(client.post(NOTES, json=data, headers={"X-CSRFToken": "forged"}), 403)
    token = csrf_token("/tokens")
    response = client.post(NOTES, json=data, headers={"X-CSRFToken": token})
    assert response.status_code == 201
    assert stored(app) == [("From the browser", "Text.")]


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"body": "B"}, {"title"}),
        ({"title": "", "body": "B"}, {"title"}),
        ({"title": "   ", "body": "B"}, {"title"}),
        ({"title": "x" * 201, "body": "B"}, {"title"}),
        ({"title": "T", "body": False}, {"body"}),
        ({"title": 12, "body": "B"}, {"title"}),
        ({"title": "T", "body": "a\x00b"}, {"body"}),
        ({"title": "T", "body": "B", "owner": "me"}, {"owner"}),
        ([], {"_schema"}),
    ],
)
def test_invalid_notes_get_field_errors(app, client, bearer, data, fields):
    body = assert_error(client.post(NOTES, json=data, headers=bearer), 422)
    assert set(body["errors"]) == {"json"}
    assert set(body["errors"]["json"]) == fields
    assert all(body["errors"]["json"][field] for field in fields)
    assert stored(app) == []


def test_a_lone_surrogate_is_refused(client, bearer):
    data = b'{"title": "T", "body": "\\ud800"}'
    headers = {**bearer, "Content-Type": "application/json"}
    body = assert_error(client.post(NOTES, data=data, headers=headers), 422)
    assert set(body["errors"]["json"]) == {"body"}


def test_malformed_json_is_400(client, bearer):
    headers = {**bearer, "Content-Type": "application/json"}
    assert_error(client.post(NOTES, data="{not json", headers=headers), 400)


def test_a_body_over_the_limit_is_413(app, client, bearer):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post(NOTES, json={"title": "T", "body": "x" * 2048}, headers=bearer)
    assert_error(response, 413)
    assert stored(app) == []


def test_an_unknown_method_is_405_with_allow(app, client, bearer):
    (note_id,) = add_notes(app, "Kept")
    response = client.patch(f"{NOTES}/{note_id}", json={"title": "T"}, headers=bearer)
    assert_error(response, 405)
    allowed = set(response.headers["Allow"].split(", "))
    assert {"GET", "PUT", "DELETE"} <= allowed and "PATCH" not in allowed


def test_an_unknown_path_is_404(client):
    assert_error(client.get("/api/nothing-here"), 404)


def test_a_user_issues_a_token_on_the_tokens_page_and_revokes_it(
    app, client, make_user, login, csrf_token
):
    make_user("ada@example.com")
    login("ada@example.com")
    page = client.post("/tokens", data={"name": "laptop", "csrf_token": csrf_token("/tokens")})
    assert page.status_code == 200
    secret = re.search(r"<pre><code>([^<]+)</code></pre>", page.text).group(1)
    bearer = {"Authorization": f"Bearer {secret}"}
    assert client.post(NOTES, json={"title": "T", "body": "B"}, headers=bearer).status_code == 201
    listing = client.get("/tokens").text
    assert "laptop" in listing and secret not in listing
    with app.app_context():
        (token,) = db.session.scalars(db.select(Token)).all()
        assert token.digest != secret and len(token.digest) == 64
        token_id = token.id

    response = client.post(f"/tokens/{token_id}/revoke", data={"csrf_token": csrf_token("/tokens")})
    assert response.status_code == 302
    assert_error(client.post(NOTES, json={"title": "T", "body": "B"}, headers=bearer), 401)


def test_nobody_revokes_another_users_token(app, client, bearer, make_user, login, csrf_token):
    make_user("eve@example.com")
    login("eve@example.com")
    with app.app_context():
        token_id = db.session.scalars(db.select(Token.id)).one()
    response = client.post(f"/tokens/{token_id}/revoke", data={"csrf_token": csrf_token("/tokens")})
    assert response.status_code == 404
    assert client.post(NOTES, json={"title": "T", "body": "B"}, headers=bearer).status_code == 201


def test_the_tokens_page_needs_a_signed_in_user(client):
    response = client.get("/tokens")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_issue_token_prints_a_secret_that_writes(app, client, make_user):
    make_user("ada@example.com")
    runner = app.test_cli_runner()
    result = runner.invoke(issue_token, ["ada@example.com", "script"])
    assert result.exit_code == 0, result.output
    bearer = {"Authorization": f"Bearer {result.output.strip()}"}
    assert client.post(NOTES, json={"title": "T", "body": "B"}, headers=bearer).status_code == 201
    assert runner.invoke(issue_token, ["nobody@example.com", "script"]).exit_code == 2


def test_staff_issue_a_token_in_the_admin_and_see_its_secret_once(
    app, client, make_user, login, csrf_token
):
    make_user("staff@example.com", "admin")
    login("staff@example.com")
    with app.app_context():
        user_id = user_datastore.find_user(email="staff@example.com").id
    form = {"user": str(user_id), "name": "admin", "csrf_token": csrf_token("/admin/token/new/")}
    response = client.post("/admin/token/new/", data=form, follow_redirects=True)
    secret = re.search(r"shown only this once: ([\w-]+)", response.text).group(1)
    bearer = {"Authorization": f"Bearer {secret}"}
    assert client.post(NOTES, json={"title": "T", "body": "B"}, headers=bearer).status_code == 201
    assert secret not in client.get("/admin/token/").text


@pytest.mark.parametrize("path", ["/api/docs", "/api/openapi.json"])
def test_docs_and_schema_are_for_admins(client, make_user, login, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    make_user("ada@example.com")
    login("ada@example.com")
    assert_error(client.get(path), 403)


def test_admins_read_the_docs_from_the_sites_own_files(client, make_user, login):
    make_user("staff@example.com", "admin")
    login("staff@example.com")
    assert client.get("/api/openapi.json").get_json()["paths"]
    response = client.get("/api/docs")
    assert response.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', response.text)
    assert sources and all(source.startswith("/") for source in sources), sources
    assert "<script>" not in response.text  # no inline script: the policy allows none
    assert "img-src 'self' data:" in response.headers["Content-Security-Policy"]
    for source in sources:
        with client.get(source) as file:
            assert file.status_code == 200, source


def test_docs_are_open_while_debugging(app):
    client = create_app({**app.config, "DEBUG": True}).test_client()
    assert client.get("/api/docs").status_code == 200
