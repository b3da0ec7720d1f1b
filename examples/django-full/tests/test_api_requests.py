"""What the API makes of a request's credentials and body: an Authorization header is judged alone,
even beside a session; bodies are JSON only; each error status has its one message."""

import pytest

from shop.api.models import Token
from shop.notes.models import Note

pytestmark = pytest.mark.django_db

NOTES = "/api/notes"
NOTE = b'{"title": "T", "body": "B"}'
UNAUTHORIZED = {
    "code": 401,
    "status": "Unauthorized",
    "message": "Sign in, or send a token: Authorization: Bearer <token>.",
}
UNSUPPORTED = {
    "code": 415,
    "status": "Unsupported Media Type",
    "message": "Send the body as JSON: Content-Type: application/json.",
}


@pytest.fixture
def secret(user) -> str:
    return Token.objects.issue(user, "tests")[1]


def post(client, authorization: str | None = None, content_type="application/json", data=NOTE):
    headers = {"Authorization": authorization} if authorization is not None else {}
    return client.generic("POST", NOTES, data, content_type=content_type, headers=headers)


@pytest.mark.parametrize(
    "authorization", ["Bearer not-a-token", "Basic YWRhOnNlY3JldA==", "", "Bearer"]
)
def test_an_invalid_authorization_header_is_401_even_with_a_session(
    client, user, sign_in, authorization
):
    sign_in(client, user)
    response = post(client, authorization)
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    assert response["WWW-Authenticate"] == "Bearer"
    assert not Note.objects.exists()
    assert post(client).status_code == 201  # the session alone still writes


@pytest.mark.parametrize(
    "form", ["Bearer {}", "bearer {}", "BEARER {}", "Bearer    {}", "  bearer \t {}  "]
)
def test_the_scheme_is_case_insensitive_and_spaces_do_not_matter(client, secret, form):
    assert post(client, form.format(secret)).status_code == 201


@pytest.mark.parametrize("form", ["Bearer{}", "Token {}", "{}", "Bearer {} extra"])
def test_other_header_forms_are_refused(client, secret, form):
    assert post(client, form.format(secret)).status_code == 401


@pytest.mark.parametrize(
    ("content_type", "data"),
    [
        ("application/x-www-form-urlencoded", b"title=T&body=B"),
        ("multipart/form-data; boundary=x", b"--x--"),
        ("text/plain", NOTE),
        ("", NOTE),
    ],
)
@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_a_body_that_is_not_json_is_415(client, secret, content_type, data, method):
    kept = Note.objects.create(title="Kept", body="Kept.")
    path = NOTES if method == "POST" else f"{NOTES}/{kept.pk}"
    headers = {"Authorization": f"Bearer {secret}"}
    response = client.generic(method, path, data, content_type=content_type, headers=headers)
    assert response.status_code == 415
    assert response.json() == UNSUPPORTED
    assert list(Note.objects.values_list("title", flat=True)) == ["Kept"]


@pytest.mark.parametrize("content_type", ["", "application/json", "text/plain"])
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
def test_a_write_without_a_body_is_422(client, user, secret, content_type, method):
    kept = Note.objects.create(owner=user, title="Kept", body="Kept.")
    path = NOTES if method == "POST" else f"{NOTES}/{kept.pk}"
    headers = {"Authorization": f"Bearer {secret}"}
    response = client.generic(method, path, b"", content_type=content_type, headers=headers)
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"json"}
    assert list(Note.objects.values_list("title", "body")) == [("Kept", "Kept.")]


def test_json_with_a_charset_is_json(client, secret):
    response = post(client, f"Bearer {secret}", "application/json; charset=utf-8")
    assert response.status_code == 201


# Each error status's phrase and message, fixed so that clients may rely on them.
TEXTS = {
    400: ("Bad Request", "The request could not be read."),
    401: ("Unauthorized", "Sign in, or send a token: Authorization: Bearer <token>."),
    404: ("Not Found", "Nothing here."),
    405: ("Method Not Allowed", "This method is not allowed here: see the Allow header."),
    413: ("Request Entity Too Large", "The request body is too large."),
    415: ("Unsupported Media Type", "Send the body as JSON: Content-Type: application/json."),
    422: ("Unprocessable Entity", "The request's data is not valid: see errors."),
}
# A request that gets each.
REQUESTS = {
    400: lambda client, secret: post(client, f"Bearer {secret}", data=b"{not json"),
    401: lambda client, secret: post(client),
    404: lambda client, secret: client.get("/api/nothing-here"),
    405: lambda client, secret: client.post(f"{NOTES}/1", NOTE, content_type="application/json"),
    413: lambda client, secret: post(client, f"Bearer {secret}", data=b" " * (1024 * 1024 + 1)),
    415: lambda client, secret: post(client, f"Bearer {secret}", "text/plain"),
    422: lambda client, secret: post(client, f"Bearer {secret}", data=b"{}"),
}


@pytest.mark.parametrize("status", sorted(TEXTS))
def test_each_error_has_its_status_phrase_and_message(client, secret, status):
    body = REQUESTS[status](client, secret).json()
    assert body["code"] == status
    assert (body["status"], body["message"]) == TEXTS[status]
