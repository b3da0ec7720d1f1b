"""The API contract both flavours keep (README, "The API contract"), as HTTP requests against a served project.

`check_contract(base_url, clients)` runs every request of the contract with urllib and asserts each answer;
`check_rate_limit(base_url, headers, limit)` then spends a client's rate limit and checks the 429. They write notes
through the API (and delete some), so point them at a disposable database. The caller brings what each flavour does
differently: how a user gets a token (a valid, an expired one), a signed-in session, and a staff session for the docs.
"""

from __future__ import annotations

import http.client
import json
import re
import secrets
import sqlite3
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
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
    409: "Conflict",
    413: "Request Entity Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
}
# The messages of the errors the frameworks raise, fixed by the contract too (a 403's says what was refused).
MESSAGES = {
    400: "The request could not be read.",
    401: "Sign in, or send a token: Authorization: Bearer <token>.",
    404: "Nothing here.",
    405: "This method is not allowed here: see the Allow header.",
    413: "The request body is too large.",
    415: "Send the body as JSON: Content-Type: application/json.",
    422: "The request's data is not valid: see errors.",
    429: "Too many requests: try again after the time in Retry-After.",
    500: "Something went wrong on our side; it has been logged.",
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
    assert body["message"] == MESSAGES.get(status, body["message"]), body
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


def expire_token(database: Path, name: str) -> None:
    """Move the expiry of the token called `name` (both flavours' table `api_token`) into the past, in the SQLite
    file `database`: the clock a served project reads is the machine's, so the token is aged instead."""
    with sqlite3.connect(database) as connection:
        changed = connection.execute(
            "UPDATE api_token SET expires_at = '2001-01-01 00:00:00' WHERE name = ?", (name,)
        ).rowcount
    connection.close()
    assert changed == 1, f"no token named {name!r}"


@dataclass
class Clients:
    """The headers of each kind of client the contract needs, made by the flavour's adapter.

    `owner` and `other` are bearer headers of two different users; `expired` a bearer token of `owner`'s past its
    expiry; `session` a signed-in browser's cookie (no bearer); `staff`, if given, a staff member's session, for the
    docs and the schema.
    """

    owner: dict[str, str]
    other: dict[str, str]
    expired: dict[str, str]
    session: dict[str, str]
    staff: dict[str, str] | None = None


def check_contract(base_url: str, clients: Clients) -> None:
    """Run the contract's requests against the project served at `base_url` (no trailing slash).

    Raises AssertionError at the first answer that breaks the contract.
    """

    def call(method: str, path: str, data=None, headers: dict[str, str] | None = None) -> Answer:
        return request(base_url, method, path, data, headers)

    owner, other = clients.owner, clients.other
    # Notes belong to their author: nothing is read or written without credentials, and nothing changes.
    refused = call("GET", NOTES)
    assert_error(refused, 401)
    assert refused.headers.get("WWW-Authenticate", "").lower().startswith("bearer"), refused.headers
    before = assert_page(call("GET", NOTES, headers=owner), 1, DEFAULT_PAGE_SIZE)
    assert_error(call("POST", NOTES, {"title": "Anonymous", "body": "Refused."}), 401)
    assert assert_page(call("GET", NOTES, headers=owner), 1, DEFAULT_PAGE_SIZE)["count"] == before["count"]

    # Credentials: a bearer token, with any spacing and the scheme in any case, or a session; credentials that do not
    # work are refused, even beside a session that would (the client meant them); an expired token is unknown.
    token = owner["Authorization"].split()[-1]
    assert_page(call("GET", NOTES, headers={"Authorization": f"bearer    {token}"}), 1, DEFAULT_PAGE_SIZE)
    assert_page(call("GET", NOTES, headers=clients.session), 1, DEFAULT_PAGE_SIZE)
    for headers in [
        {"Authorization": "Bearer not-a-token"},
        {"Authorization": f"Basic {token}"},
        {**clients.session, "Authorization": "Bearer not-a-token"},
        clients.expired,
        {**clients.session, **clients.expired},
    ]:
        refused = call("POST", NOTES, {"title": "Bad token", "body": "Refused."}, headers)
        assert_error(refused, 401)
        assert refused.headers.get("WWW-Authenticate", "").lower().startswith("bearer"), refused.headers
        assert_error(call("GET", NOTES, headers=headers), 401)

    # Create, read, replace, patch, delete.
    created = call("POST", NOTES, {"title": "  Contract  ", "body": "Written by the contract suite."}, owner)
    assert created.status == 201, (created.status, created.body[:500])
    note = created.json()
    assert_note(note, "Contract", "Written by the contract suite.")
    one = f"{NOTES}/{note['id']}"
    read = call("GET", one, headers=owner)
    assert read.status == 200 and read.json() == note, (read.status, read.body[:500])
    assert_error(call("GET", one), 401)
    replaced = call("PUT", one, {"title": "Replaced", "body": "New text."}, owner)
    assert replaced.status == 200, (replaced.status, replaced.body[:500])
    assert_note(replaced.json(), "Replaced", "New text.")
    assert replaced.json()["id"] == note["id"] and replaced.json()["created_at"] == note["created_at"]
    assert_error(call("PUT", one, {"title": "Half"}, owner), 422)
    patched = call("PATCH", one, {"title": "  Patched "}, owner)
    assert patched.status == 200, (patched.status, patched.body[:500])
    assert_note(patched.json(), "Patched", "New text.")
    for data, fields in [({"title": ""}, {"title"}), ({"body": 12}, {"body"}), ({"owner": 1}, {"owner"})]:
        errors = assert_error(call("PATCH", one, data, owner), 422)["errors"]
        assert set(errors) == {"json"} and set(errors["json"]) == fields, errors
    assert call("GET", one, headers=owner).json() == patched.json()
    assert_error(call("PUT", one, {"title": "No", "body": "Auth."}), 401)
    assert_error(call("PATCH", one, {"title": "No"}), 401)
    assert_error(call("DELETE", one), 401)

    # Another user's note does not exist for them (404, not 403), and stays as it was.
    theirs = call("POST", NOTES, {"title": "Theirs", "body": "Another user's."}, other)
    assert theirs.status == 201, (theirs.status, theirs.body[:500])
    listing = assert_page(call("GET", NOTES, headers=other), 1, DEFAULT_PAGE_SIZE)
    assert [item["id"] for item in listing["items"]] == [theirs.json()["id"]] and listing["count"] == 1, listing
    assert theirs.json()["id"] not in [item["id"] for item in call("GET", NOTES, headers=owner).json()["items"]]
    assert_error(call("GET", one, headers=other), 404)
    assert_error(call("PUT", one, {"title": "Mine", "body": "Now."}, other), 404)
    assert_error(call("PATCH", one, {"title": "Mine"}, other), 404)
    assert_error(call("DELETE", one, headers=other), 404)
    assert call("GET", one, headers=owner).json() == patched.json()

    check_idempotency_keys(call, owner, other)

    # Pagination: newest first, the total count, limits on page and page_size.
    titles = [f"Page note {number}" for number in range(3)]
    for title in titles:
        assert call("POST", NOTES, {"title": title, "body": "For pagination."}, owner).status == 201
    first = assert_page(call("GET", f"{NOTES}?page=1&page_size=2", headers=owner), 1, 2)
    assert [item["title"] for item in first["items"]] == titles[::-1][:2], first
    second = assert_page(call("GET", f"{NOTES}?page=2&page_size=2", headers=owner), 2, 2)
    assert second["items"][0]["title"] == titles[0] and second["count"] == first["count"] >= 4, second
    past = call("GET", f"{NOTES}?page=100000&page_size={MAX_PAGE_SIZE}", headers=owner)
    past = assert_page(past, 100000, MAX_PAGE_SIZE)
    assert past["items"] == [] and past["count"] == first["count"], past
    for query, field in [("page=0", "page"), (f"page_size={MAX_PAGE_SIZE + 1}", "page_size"), ("page=x", "page")]:
        errors = assert_error(call("GET", f"{NOTES}?{query}", headers=owner), 422)["errors"]
        assert set(errors["query"]) == {field}, errors

    # Invalid bodies: field errors under "json", by field; JSON only.
    for data, fields in [
        ({"body": "No title."}, {"title"}),
        ({"title": "   ", "body": "Blank title."}, {"title"}),
        ({"title": "x" * 201, "body": "Long title."}, {"title"}),
        ({"title": "Typed", "body": 12}, {"body"}),
        ({"title": "Extra", "body": "Field.", "owner": "me"}, {"owner"}),
    ]:
        errors = assert_error(call("POST", NOTES, data, owner), 422)["errors"]
        assert set(errors) == {"json"} and set(errors["json"]) == fields, errors
    assert_error(call("POST", NOTES, b"{not json", owner), 400)
    # A write without a body: 422 whatever its Content-Type (none, JSON, another), never a PATCH that changes nothing.
    for method, path in [("POST", NOTES), ("PUT", one), ("PATCH", one)]:
        for data, headers in [(None, owner), (b"", owner), (b"", {**owner, "Content-Type": "text/plain"})]:
            errors = assert_error(call(method, path, data, headers), 422)["errors"]
            assert set(errors) == {"json"}, (method, headers, errors)
    for content_type in ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x"]:
        form = {**owner, "Content-Type": content_type}
        assert_error(call("POST", NOTES, "title=Form&body=Encoded", form), 415)
        assert_error(call("PUT", one, "title=Form&body=Encoded", form), 415)
    assert_error(oversized_post(base_url, NOTES, owner), 413)
    assert call("GET", one, headers=owner).json() == patched.json()

    # Unknown ids and paths, and methods a path does not allow.
    for path in [f"{NOTES}/999999999", f"{NOTES}/{2**70}", f"{NOTES}/abc", "/api/no-such-thing"]:
        assert_error(call("GET", path, headers=owner), 404)
    not_allowed = call("POST", one, {"title": "Post", "body": "To a note."}, owner)
    assert_error(not_allowed, 405)
    allowed = {method.strip() for method in not_allowed.headers.get("Allow", "").split(",")}
    assert {"GET", "PUT", "PATCH", "DELETE"} <= allowed and "POST" not in allowed, not_allowed.headers

    deleted = call("DELETE", one, headers=owner)
    assert (deleted.status, deleted.body) == (204, b""), (deleted.status, deleted.body[:500])
    assert_error(call("GET", one, headers=owner), 404)
    assert_error(call("DELETE", one, headers=owner), 404)

    # The schema and the docs: for staff only, never to an anonymous client.
    for path in ["/api/openapi.json", "/api/docs"]:
        anonymous = call("GET", path)
        assert anonymous.status in {302, 401, 403}, (path, anonymous.status)
    if clients.staff is not None:
        schema = call("GET", "/api/openapi.json", headers=clients.staff)
        assert schema.status == 200, schema.status
        document = schema.json()
        assert document["openapi"].startswith("3."), document.get("openapi")
        paths = set(document["paths"])
        assert NOTES in paths and any(re.fullmatch(rf"{NOTES}/\{{\w+\}}", path) for path in paths), paths
        docs = call("GET", "/api/docs", headers=clients.staff)
        assert docs.status == 200 and b"swagger-ui" in docs.body.lower(), docs.status


def check_idempotency_keys(call, owner: dict[str, str], other: dict[str, str]) -> None:
    """`POST /api/notes` with an `Idempotency-Key`: the same key and body create one note and get the same status and
    body twice; another body with the key is 422, writing nothing; a malformed key is 400; another user's same key is
    theirs alone. Each run uses keys of its own (random), so that a rerun on the same database starts afresh."""

    def count(headers: dict[str, str]) -> int:
        return assert_page(call("GET", f"{NOTES}?page_size=1", headers=headers), 1, 1)["count"]

    key = f'"contract-{secrets.token_hex(8)}"'
    note = {"title": "Once", "body": "Sent twice, created once."}
    before, others_before = count(owner), count(other)
    first = call("POST", NOTES, note, {**owner, "Idempotency-Key": key})
    assert first.status == 201, (first.status, first.body[:500])
    assert_note(first.json(), "Once", "Sent twice, created once.")
    again = call("POST", NOTES, note, {**owner, "Idempotency-Key": key})
    assert (again.status, again.json()) == (first.status, first.json()), (again.status, again.body[:500])
    assert count(owner) == before + 1
    errors = assert_error(
        call("POST", NOTES, {**note, "body": "Another body."}, {**owner, "Idempotency-Key": key}), 422
    )
    assert set(errors["errors"]) == {"json"}, errors
    for malformed in ["", '""', "x" * 256, "caf\u00e9", '"unclosed']:
        assert_error(call("POST", NOTES, note, {**owner, "Idempotency-Key": malformed}), 400)
    assert count(owner) == before + 1
    theirs = call("POST", NOTES, note, {**other, "Idempotency-Key": key})
    assert theirs.status == 201 and theirs.json()["id"] != first.json()["id"], (theirs.status, theirs.body[:500])
    assert count(other) == others_before + 1 and count(owner) == before + 1
    # Without a key, each request creates.
    for _ in range(2):
        assert call("POST", NOTES, note, owner).status == 201
    assert count(owner) == before + 3


def check_rate_limit(base_url: str, headers: dict[str, str], limit: int) -> None:
    """Send reads with `headers` until the API answers 429, at most three times `limit` (the client's limit per
    window): the 429 has the error shape and a `Retry-After` of whole seconds. Spends the client's limit, and the
    client address's: run it last."""
    for _ in range(3 * limit):
        answer = request(base_url, "GET", f"{NOTES}?page_size=1", headers=headers)
        if answer.status != 200:
            break
    assert_error(answer, 429)
    assert re.fullmatch(r"[1-9]\d*", answer.headers.get("Retry-After", "")), answer.headers
