"""The API contract both flavours keep (README, "The API contract"), as HTTP requests against a served project.

`check_contract(base_url, auth_headers, docs_headers)` runs every request of the contract with urllib and asserts
each answer. It writes notes through the API (and deletes the one it reads, updates and deletes), so point it at a
disposable database. The caller brings what each flavour does differently: how a client gets a token, and a staff
session for the docs.
"""

from __future__ import annotations

import http.client
import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

NOTES = "/api/notes"
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
# UTC with Z; fractional seconds, when there are any, to the millisecond.
CREATED_AT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$")
# The reason phrases of the error shape, fixed by the contract (not the server's Python's http.HTTPStatus).
PHRASES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Request Entity Too Large",
    422: "Unprocessable Entity",
    500: "Internal Server Error",
}
# Declared, not sent: above any body limit the contract allows (Django's default is 2.5 MiB).
OVERSIZED_BODY = 64 * 1024 * 1024


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self):
        assert self.headers.get("Content-Type", "").startswith("application/json"), self.headers
        return json.loads(self.body)


def request(base_url: str, method: str, path: str, data=None, headers: dict[str, str] | None = None) -> Answer:
    """One request, redirects not followed; `data` is sent as JSON unless it is bytes or str (sent as is)."""
    headers = dict(headers or {})
    if data is not None and not isinstance(data, (bytes, str)):
        data = json.dumps(data)
    if isinstance(data, str):
        data = data.encode()
    if data is not None:
        headers.setdefault("Content-Type", "application/json")

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    call = urllib.request.Request(base_url + path, data=data, headers=headers, method=method)
    try:
        with opener.open(call, timeout=15) as response:
            return Answer(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.headers, error.read())


def assert_error(answer: Answer, status: int) -> dict:
    """Assert that `answer` has HTTP `status` and the contract's error shape; return its JSON."""
    assert answer.status == status, (answer.status, answer.body[:500])
    body = answer.json()
    assert set(body) <= {"code", "status", "message", "errors"}, body
    assert body["code"] == status and body["status"] == PHRASES[status], body
    assert isinstance(body["message"], str) and body["message"], body
    if status == 422:
        errors = body["errors"]
        assert errors and set(errors) <= {"json", "query", "path"}, body
        for fields in errors.values():
            assert all(isinstance(messages, list) and messages for messages in fields.values()), body
            assert all(isinstance(message, str) for messages in fields.values() for message in messages), body
    else:
        assert "errors" not in body, body
    return body


def assert_note(note: dict, title: str | None = None, body: str | None = None) -> None:
    assert set(note) == {"id", "title", "body", "created_at"}, note
    assert isinstance(note["id"], int) and note["id"] > 0, note
    assert CREATED_AT.match(note["created_at"]), note["created_at"]
    assert datetime.fromisoformat(note["created_at"]).utcoffset().total_seconds() == 0
    if title is not None:
        assert note["title"] == title, note
    if body is not None:
        assert note["body"] == body, note


def assert_page(answer: Answer, page: int, page_size: int) -> dict:
    assert answer.status == 200, (answer.status, answer.body[:500])
    listing = answer.json()
    assert set(listing) == {"items", "count", "page", "page_size"}, listing
    assert (listing["page"], listing["page_size"]) == (page, page_size), listing
    assert isinstance(listing["count"], int) and len(listing["items"]) <= page_size, listing
    for note in listing["items"]:
        assert_note(note)
    return listing


def oversized_post(base_url: str, path: str, headers: dict[str, str]) -> Answer:
    """POST that declares a body of OVERSIZED_BODY bytes and sends a few: the server must refuse it from the
    declared length, before it reads the body (urllib would not send a Content-Length that lies)."""
    url = urlsplit(base_url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=15)
    try:
        connection.putrequest("POST", path)
        for name, value in {**headers, "Content-Type": "application/json"}.items():
            connection.putheader(name, value)
        connection.putheader("Content-Length", str(OVERSIZED_BODY))
        connection.endheaders(b'{"title": "')
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read())
    finally:
        connection.close()


def check_contract(base_url: str, auth_headers: dict[str, str], docs_headers: dict[str, str] | None = None) -> None:
    """Run the contract's requests against the project served at `base_url` (no trailing slash).

    `auth_headers` authenticate writes (e.g. `{"Authorization": "Bearer <token>"}`); `docs_headers`, if given,
    are a staff member's (e.g. a session cookie), for the docs and the schema. Raises AssertionError at the first
    answer that breaks the contract.
    """

    def call(method: str, path: str, data=None, headers: dict[str, str] | None = None) -> Answer:
        return request(base_url, method, path, data, headers)

    # Reading is public; writing without credentials is refused and changes nothing.
    before = assert_page(call("GET", NOTES), 1, DEFAULT_PAGE_SIZE)
    refused = call("POST", NOTES, {"title": "Anonymous", "body": "Refused."})
    assert_error(refused, 401)
    assert refused.headers.get("WWW-Authenticate", "").lower().startswith("bearer"), refused.headers
    assert assert_page(call("GET", NOTES), 1, DEFAULT_PAGE_SIZE)["count"] == before["count"]
    refused = call("POST", NOTES, {"title": "Bad token", "body": "Refused."}, {"Authorization": "Bearer not-a-token"})
    assert_error(refused, 401)

    # Create, read, replace, delete.
    created = call("POST", NOTES, {"title": "  Contract  ", "body": "Written by the contract suite."}, auth_headers)
    assert created.status == 201, (created.status, created.body[:500])
    note = created.json()
    assert_note(note, "Contract", "Written by the contract suite.")
    one = f"{NOTES}/{note['id']}"
    read = call("GET", one)
    assert read.status == 200 and read.json() == note, (read.status, read.body[:500])
    replaced = call("PUT", one, {"title": "Replaced", "body": "New text."}, auth_headers)
    assert replaced.status == 200, (replaced.status, replaced.body[:500])
    assert_note(replaced.json(), "Replaced", "New text.")
    assert replaced.json()["id"] == note["id"] and replaced.json()["created_at"] == note["created_at"]
    assert call("GET", one).json()["title"] == "Replaced"
    assert_error(call("PUT", one, {"title": "No", "body": "Auth."}), 401)
    assert_error(call("DELETE", one), 401)

    # Pagination: newest first, the total count, limits on page and page_size.
    titles = [f"Page note {number}" for number in range(3)]
    for title in titles:
        assert call("POST", NOTES, {"title": title, "body": "For pagination."}, auth_headers).status == 201
    first = assert_page(call("GET", f"{NOTES}?page=1&page_size=2"), 1, 2)
    assert [item["title"] for item in first["items"]] == titles[::-1][:2], first
    second = assert_page(call("GET", f"{NOTES}?page=2&page_size=2"), 2, 2)
    assert second["items"][0]["title"] == titles[0] and second["count"] == first["count"] >= 4, second
    past = assert_page(call("GET", f"{NOTES}?page=100000&page_size={MAX_PAGE_SIZE}"), 100000, MAX_PAGE_SIZE)
    assert past["items"] == [] and past["count"] == first["count"], past
    assert set(assert_error(call("GET", f"{NOTES}?page=0"), 422)["errors"]["query"]) == {"page"}
    too_big = call("GET", f"{NOTES}?page_size={MAX_PAGE_SIZE + 1}")
    assert set(assert_error(too_big, 422)["errors"]["query"]) == {"page_size"}
    assert set(assert_error(call("GET", f"{NOTES}?page=x"), 422)["errors"]["query"]) == {"page"}

    # Invalid bodies: field errors under "json", by field.
    for data, fields in [
        ({"body": "No title."}, {"title"}),
        ({"title": "   ", "body": "Blank title."}, {"title"}),
        ({"title": "x" * 201, "body": "Long title."}, {"title"}),
        ({"title": "Typed", "body": 12}, {"body"}),
        ({"title": "Extra", "body": "Field.", "owner": "me"}, {"owner"}),
    ]:
        errors = assert_error(call("POST", NOTES, data, auth_headers), 422)["errors"]
        assert set(errors) == {"json"} and set(errors["json"]) == fields, errors
    assert_error(call("POST", NOTES, b"{not json", auth_headers), 400)
    assert_error(oversized_post(base_url, NOTES, auth_headers), 413)

    # Unknown ids and paths, and methods a path does not allow.
    for path in [f"{NOTES}/999999999", f"{NOTES}/{2**70}", f"{NOTES}/abc", "/api/no-such-thing"]:
        assert_error(call("GET", path), 404)
    not_allowed = call("PATCH", one, {"title": "Patch"}, auth_headers)
    assert_error(not_allowed, 405)
    allowed = {method.strip() for method in not_allowed.headers.get("Allow", "").split(",")}
    assert {"GET", "PUT", "DELETE"} <= allowed and "PATCH" not in allowed, not_allowed.headers

    deleted = call("DELETE", one, headers=auth_headers)
    assert (deleted.status, deleted.body) == (204, b""), (deleted.status, deleted.body[:500])
    assert_error(call("GET", one), 404)
    assert_error(call("DELETE", one, headers=auth_headers), 404)

    # The schema and the docs: for staff only, never to an anonymous client.
    for path in ["/api/openapi.json", "/api/docs"]:
        anonymous = call("GET", path)
        assert anonymous.status in {302, 401, 403}, (path, anonymous.status)
    if docs_headers is not None:
        schema = call("GET", "/api/openapi.json", headers=docs_headers)
        assert schema.status == 200, schema.status
        document = schema.json()
        assert document["openapi"].startswith("3."), document.get("openapi")
        paths = set(document["paths"])
        assert NOTES in paths and any(re.fullmatch(rf"{NOTES}/\{{\w+\}}", path) for path in paths), paths
        docs = call("GET", "/api/docs", headers=docs_headers)
        assert docs.status == 200 and b"swagger-ui" in docs.body.lower(), docs.status
