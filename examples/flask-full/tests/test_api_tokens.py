"""The API with user accounts: each user reads and writes their own notes, with a bearer token
or a signed-in session (and its CSRF token); requests read strictly; tokens expire, are issued
and revoked on the tokens page or by a command; rate limits per token and per address."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from api_fixtures import assert_error
from api_notes_fixtures import NOTES, stored
from api_tokens_fixtures import OWNER, bearer_of

from shop.accounts import user_datastore
from shop.api.tokens import Token, issue, issue_token
from shop.extensions import db


def test_create_with_a_token(app, client, bearer):
    response = client.post(NOTES, json={"title": "  Hi ", "body": " There. "}, headers=bearer)
    assert response.status_code == 201
    note = response.get_json()
    assert (note["title"], note["body"]) == ("Hi", "There.")
    assert stored(app) == [("Hi", "There.")]
    created_at = datetime.fromisoformat(note["created_at"])
    assert abs(datetime.now(UTC) - created_at).total_seconds() < 60
    assert client.get(f"{NOTES}/{note['id']}", headers=bearer).get_json() == note


def test_replace_and_delete_with_a_token(app, add_notes, client, bearer):
    (note_id,) = add_notes("Old")
    before = client.get(f"{NOTES}/{note_id}", headers=bearer).get_json()
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


def test_update_changes_only_the_fields_sent(app, add_notes, client, bearer):
    (note_id,) = add_notes("Old")
    before = client.get(f"{NOTES}/{note_id}", headers=bearer).get_json()
    response = client.patch(f"{NOTES}/{note_id}", json={"title": " New "}, headers=bearer)
    assert response.status_code == 200
    assert response.get_json() == {**before, "title": "New"}
    response = client.patch(f"{NOTES}/{note_id}", json={"body": "New."}, headers=bearer)
    assert response.get_json() == {**before, "title": "New", "body": "New."}
    assert client.patch(f"{NOTES}/{note_id}", json={}, headers=bearer).status_code == 200
    assert stored(app) == [("New", "New.")]


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"title": ""}, {"title"}),
        ({"body": "   "}, {"body"}),
        ({"title": "x" * 201}, {"title"}),
        ({"body": 12}, {"body"}),
        ({"title": "T", "owner": "eve@example.com"}, {"owner"}),
        ({"id": 2}, {"id"}),
        ([], {"_schema"}),
    ],
)
def test_an_invalid_update_gets_field_errors_and_changes_nothing(
    app, add_notes, client, bearer, data, fields
):
    (note_id,) = add_notes("Kept")
    body = assert_error(client.patch(f"{NOTES}/{note_id}", json=data, headers=bearer), 422)
    assert set(body["errors"]["json"]) == fields
    assert stored(app) == [("Kept", "Text.")]


@pytest.mark.parametrize("path", [NOTES, f"{NOTES}/1"])
@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token", "Basic YTpi"])
def test_reading_needs_a_token_or_a_session(add_notes, client, path, authorization):
    add_notes("Private", owner=None)
    headers = {"Authorization": authorization} if authorization else {}
    response = client.get(path, headers=headers)
    assert_error(response, 401)
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_a_session_reads_its_users_notes_without_a_csrf_token(add_notes, client, make_user, login):
    make_user("ada@example.com")
    add_notes("Ada's", owner="ada@example.com")
    login("ada@example.com")
    assert [note["title"] for note in client.get(NOTES).get_json()["items"]] == ["Ada's"]


def test_the_list_holds_the_users_own_notes_only(app, add_notes, client, bearer, make_user):
    other = bearer_of(app, make_user("eve@example.com"))
    add_notes("Mine", "Mine too")
    add_notes("Eve's", owner="eve@example.com")
    add_notes("Written before notes had owners", owner=None)
    mine = client.get(NOTES, headers=bearer).get_json()
    assert [note["title"] for note in mine["items"]] == ["Mine too", "Mine"]
    assert mine["count"] == 2
    eves = client.get(NOTES, headers=other).get_json()
    assert ([note["title"] for note in eves["items"]], eves["count"]) == (["Eve's"], 1)


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_another_users_note_is_404_and_stays_unchanged(
    app, add_notes, client, bearer, make_user, method
):
    other = bearer_of(app, make_user("eve@example.com"))
    (note_id,) = add_notes("Kept")
    path = f"{NOTES}/{note_id}"
    before = client.get(path, headers=bearer).get_json()
    response = getattr(client, method)(path, json={"title": "T", "body": "B"}, headers=other)
    assert_error(response, 404)
    assert stored(app) == [("Kept", "Text.")]
    assert client.get(path, headers=bearer).get_json() == before


def test_a_users_notes_are_deleted_with_the_user(app, add_notes, bearer):
    add_notes("Gone")
    with app.app_context():
        db.session.delete(user_datastore.find_user(email=OWNER))
        db.session.commit()
    assert stored(app) == []


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token", "Basic YTpi"])
def test_writing_needs_a_token_or_a_session(app, add_notes, client, method, authorization):
    (note_id,) = add_notes("Kept", owner=None)
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


@pytest.mark.parametrize(
    "authorization", ["bearer {}", "BEARER {}", "Bearer    {}", "  Bearer {}  ", "Bearer\t{}"]
)
def test_the_scheme_is_read_in_any_case_and_spaces_do_not_matter(client, bearer, authorization):
    secret = bearer["Authorization"].removeprefix("Bearer ")
    headers = {"Authorization": authorization.format(secret)}
    assert client.post(NOTES, json={"title": "T", "body": "B"}, headers=headers).status_code == 201


@pytest.mark.parametrize("authorization", ["Bearer", "Bearer {} {}", "Token {}", "{}"])
def test_a_header_that_is_not_one_bearer_token_is_401(app, client, bearer, authorization):
    secret = bearer["Authorization"].removeprefix("Bearer ")
    headers = {"Authorization": authorization.format(secret, secret)}
    response = client.post(NOTES, json={"title": "T", "body": "B"}, headers=headers)
    assert_error(response, 401)
    assert stored(app) == []


def test_a_bad_token_beside_a_signed_in_session_is_401(app, client, make_user, login, csrf_token):
    make_user("ada@example.com")
    login("ada@example.com")
    headers = {"Authorization": "Bearer not-a-token", "X-CSRFToken": csrf_token("/tokens")}
    assert_error(client.post(NOTES, json={"title": "T", "body": "B"}, headers=headers), 401)
    assert stored(app) == []


@pytest.mark.parametrize(
    "body",
    [
        {"data": {"title": "T", "body": "B"}},  # form-encoded
        {"data": '{"title": "T", "body": "B"}'},  # no Content-Type
        {"data": '{"title": "T", "body": "B"}', "content_type": "text/plain"},
    ],
)
@pytest.mark.parametrize("method", ["post", "put"])
def test_a_body_that_is_not_json_is_415(app, add_notes, client, bearer, method, body):
    (note_id,) = add_notes("Kept")
    path = NOTES if method == "post" else f"{NOTES}/{note_id}"
    assert_error(getattr(client, method)(path, headers=bearer, **body), 415)
    assert stored(app) == [("Kept", "Text.")]


@pytest.mark.parametrize("content_type", [None, "application/json", "text/plain"])
@pytest.mark.parametrize("method", ["post", "put", "patch"])
def test_a_write_without_a_body_is_422(app, add_notes, client, bearer, method, content_type):
    (note_id,) = add_notes("Kept")
    path = NOTES if method == "post" else f"{NOTES}/{note_id}"
    headers = bearer if content_type is None else {**bearer, "Content-Type": content_type}
    response = getattr(client, method)(path, headers=headers)
    assert set(assert_error(response, 422)["errors"]) == {"json"}
    assert stored(app) == [("Kept", "Text.")]


def test_an_expired_token_is_refused_like_an_unknown_one(app, clock, client, make_user):
    make_user("ada@example.com")
    app.config["API_TOKEN_DAYS"] = 7
    with app.app_context():
        token, secret = issue(user_datastore.find_user(email="ada@example.com"), "week")
        assert token.expires_at.replace(tzinfo=UTC) == datetime.now(UTC) + timedelta(days=7)
    data, headers = {"title": "T", "body": "B"}, {"Authorization": f"Bearer {secret}"}
    clock.shift(timedelta(days=7) - timedelta(seconds=1))
    assert client.post(NOTES, json=data, headers=headers).status_code == 201
    clock.shift(1)
    expired = client.post(NOTES, json=data, headers=headers)
    unknown = client.post(NOTES, json=data, headers={"Authorization": "Bearer unknown"})
    assert assert_error(expired, 401) == assert_error(unknown, 401)
    assert expired.headers["WWW-Authenticate"] == unknown.headers["WWW-Authenticate"] == "Bearer"


def test_a_token_lasts_90_days_by_default(app, clock, make_user):
    make_user("ada@example.com")
    with app.app_context():
        token, _ = issue(user_datastore.find_user(email="ada@example.com"), "default")
        assert token.expires_at.replace(tzinfo=UTC) == datetime.now(UTC) + timedelta(days=90)


def test_a_token_records_its_last_use_once_a_minute_at_most(app, clock, client, bearer):
    def last_used() -> datetime | None:
        with app.app_context():
            when = db.session.scalars(db.select(Token.last_used_at)).one()
            return when and when.replace(tzinfo=UTC)

    assert last_used() is None
    first = datetime.now(UTC)
    for seconds, expected in [(0, first), (59, first), (1, first + timedelta(seconds=60))]:
        clock.shift(seconds)
        client.post(NOTES, json={"title": "T", "body": "B"}, headers=bearer)
        assert last_used() == expected


def test_past_the_rate_the_api_answers_429_with_retry_after(app, clock, reader):
    # 100 requests at once: the clock stands still, however long they take.
    responses = [reader.get(NOTES) for _ in range(100)]
    statuses = [response.status_code for response in responses]
    assert statuses == [200] * 60 + [429] * 40  # API_RATE, by default "60 per minute"
    body = assert_error(responses[-1], 429)
    assert body["message"] == "Too many requests: try again after the time in Retry-After."
    seconds = int(responses[-1].headers["Retry-After"])
    assert 1 <= seconds <= 61  # the minute's window, rounded up
    clock.shift(seconds)
    assert reader.get(NOTES).status_code == 200


def test_the_rate_holds_per_token_across_addresses_and_per_address_across_tokens(
    app, clock, make_user
):
    app.config["API_RATE"] = "3 per minute"
    make_user("ada@example.com")
    with app.app_context():
        ada = user_datastore.find_user(email="ada@example.com")
        secrets = [issue(ada, f"token {number}")[1] for number in range(4)]

    def get(secret: str, address: str) -> int:
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = address
        return client.get(NOTES, headers={"Authorization": f"Bearer {secret}"}).status_code

    one_token = [get(secrets[0], f"203.0.113.{number}") for number in range(4)]
    assert one_token == [200, 200, 200, 429]
    one_address = [get(secret, "198.51.100.1") for secret in secrets[1:]] + [
        get(secrets[0], "198.51.100.1")
    ]
    assert one_address == [200, 200, 200, 429]


class TestWithRateLimitsSwitchedOff:
    @pytest.fixture
    def app_config(self, app_config):
        # Flask-Limiter's own switch (FLASK_RATELIMIT_ENABLED in the environment).
        return {**app_config, "RATELIMIT_ENABLED": False}

    def test_the_api_starts_and_counts_nothing(self, reader):
        assert {reader.get(NOTES).status_code for _ in range(70)} == {200}


def test_error_bodies_have_these_statuses_and_messages(app, add_notes, client, bearer, reader):
    (note_id,) = add_notes("Kept")
    app.config["MAX_CONTENT_LENGTH"] = 1024
    json_body = {**bearer, "Content-Type": "application/json"}
    responses = {
        400: client.post(NOTES, data="{not json", headers=json_body),
        401: client.post(NOTES, json={"title": "T", "body": "B"}),
        404: reader.get(f"{NOTES}/{note_id + 1}"),
        405: client.post(f"{NOTES}/{note_id}", json={"title": "T", "body": "B"}, headers=bearer),
        413: client.post(NOTES, json={"title": "T", "body": "x" * 2048}, headers=bearer),
        415: client.post(NOTES, data={"title": "T", "body": "B"}, headers=bearer),
        422: client.post(NOTES, json={"title": ""}, headers=bearer),
    }
    app.config["API_RATE"] = "1 per minute"
    reader.get(NOTES)
    responses[429] = reader.get(NOTES)
    expected = {
        400: ("Bad Request", "The request could not be read."),
        401: ("Unauthorized", "Sign in, or send a token: Authorization: Bearer <token>."),
        404: ("Not Found", "Nothing here."),
        405: ("Method Not Allowed", "This method is not allowed here: see the Allow header."),
        413: ("Request Entity Too Large", "The request body is too large."),
        415: ("Unsupported Media Type", "Send the body as JSON: Content-Type: application/json."),
        422: ("Unprocessable Entity", "The request's data is not valid: see errors."),
        429: ("Too Many Requests", "Too many requests: try again after the time in Retry-After."),
    }
    for status, response in responses.items():
        body = assert_error(response, status)
        assert (body["status"], body["message"]) == expected[status]


def test_an_unknown_method_is_405_with_allow(app, add_notes, client, bearer):
    (note_id,) = add_notes("Kept")
    response = client.post(f"{NOTES}/{note_id}", json={"title": "T"}, headers=bearer)
    assert_error(response, 405)
    allowed = set(response.headers["Allow"].split(", "))
    assert {"GET", "PUT", "PATCH", "DELETE"} <= allowed and "POST" not in allowed
    assert stored(app) == [("Kept", "Text.")]


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
    assert re.search(r"laptop: issued <time [^>]+>[^<]+</time>,\s+last used <time", listing)
    assert re.search(r"expires <time datetime=\"[^\"]+\">[^<]+</time>", listing)
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
