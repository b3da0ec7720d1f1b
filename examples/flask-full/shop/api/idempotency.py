"""Idempotency keys for creating requests, as the IETF's draft "The Idempotency-Key HTTP Header
Field" (draft-ietf-httpapi-idempotency-key-header) describes them: a client that sends
`Idempotency-Key: "<key>"` with a POST may send the same request again, after a timeout or a
dropped connection, and nothing is created twice.

- The same key with the same request (method, path and body, byte for byte) gets the first answer
  again, its status and body, without a second write.
- The same key with another request: 422, nothing written.
- The same key while its first request is still running: on PostgreSQL, 409, to retry later. On
  SQLite a write waits for the one before it (extensions.begin_sqlite), so the second finds the
  first's answer, or, if the first failed, does the work.
- A key that is empty, longer than 255 characters or holds anything but printable ASCII: 400.
- No key: the request is served as it comes, and a retry creates again.

The key is a Structured Field string (`"..."`, RFC 8941), as the draft asks; a bare key is taken as
it is. Keys are each user's own, and last `API_IDEMPOTENCY_HOURS` (24) hours from their first
request: after that the key is free, and the same request creates again. A user's expired keys
are deleted at their next keyed request.
"""

import hashlib
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import abort, current_app, g, request
from flask_smorest import abort as abort_with_messages
from sqlalchemy import JSON, DateTime, ForeignKey, String, UniqueConstraint, delete, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

HEADER = "Idempotency-Key"
# A key: 1 to 255 printable ASCII characters, as RFC 8941's sf-string (between quotes, with " and
# \ escaped by a backslash), or bare, starting with neither a quote nor a space. An ECMAScript
# regular expression too, for the OpenAPI document.
KEY_PATTERN = r'^(?:[!#-~][ -~]{0,254}|"(?:[ !#-\[\]-~]|\\["\\]){1,255}")$'
OTHER_REQUEST = "This Idempotency-Key was sent before with another request: use a new key."
IN_FLIGHT = "A request with this Idempotency-Key is still being processed: retry it later."
# How the OpenAPI document describes the header.
PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "schema": {"type": "string", "pattern": KEY_PATTERN},
    "description": (
        'Optional: e.g. "8e03978e-40d5-43e8-bc93-6894a57f9324", 1 to 255 printable ASCII '
        "characters, quoted or bare. A retry with the same key and body gets the first answer and "
        "creates nothing; with another body, 422; while the first still runs, 409 on PostgreSQL "
        "(elsewhere it waits for the first). A key lasts API_IDEMPOTENCY_HOURS hours (24)."
    ),
}


def now() -> datetime:
    return datetime.now(UTC)


class IdempotencyKey(db.Model):
    """A creating request that sent `Idempotency-Key: <key>`, and the answer it got: a retry with
    the same key (from the same user, within `API_IDEMPOTENCY_HOURS`) gets this answer again.

    A row is written in the transaction that creates the resource, or not at all: a request that
    failed, or a worker killed mid-request, leaves no key behind, and its retry does the work. Keys
    are the user's own: (owner_id, key) is unique, and another user's same key is another row.
    """

    __tablename__ = "idempotency_key"
    __table_args__ = (UniqueConstraint("owner_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    # The SHA-256, in hexadecimal, of the request's method, path and body (fingerprint()).
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[int]
    # The answer's body as the API sent it.
    body: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


def parse_key(value: str) -> str:
    """The key in an Idempotency-Key header's `value`: the text of its sf-string, unescaped, or
    the bare value. Aborts with 400 when the value does not match KEY_PATTERN."""
    if not re.fullmatch(KEY_PATTERN, value):
        abort(400)
    if value.startswith('"'):
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def fingerprint() -> str:
    """The SHA-256, in hexadecimal, of the request's method, path and body."""
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    digest.update(request.get_data())
    return digest.hexdigest()


def find(owner_id: int, key: str, expired_before: datetime) -> IdempotencyKey | None:
    """The user's row for `key`, unless it was created at `expired_before` or earlier."""
    return db.session.scalar(
        select(IdempotencyKey).filter(
            IdempotencyKey.owner_id == owner_id,
            IdempotencyKey.key == key,
            IdempotencyKey.created_at > expired_before,
        )
    )


def replay(stored: IdempotencyKey, request_fingerprint: str) -> tuple[int, dict]:
    """The stored answer, as (status, body); aborts with 422 if it answered another request."""
    if stored.fingerprint != request_fingerprint:
        abort_with_messages(422, messages={"json": {"_schema": [OTHER_REQUEST]}})
    return stored.status, stored.body


def idempotent(create: Callable[[], tuple[int, dict]]) -> tuple[int, dict]:
    """Answer the current creating request once per Idempotency-Key, for `g.user`: `create()`
    adds the resource to the session and returns (status, body) as the API sends them; this
    commits it. Returns `create()`'s answer, or the one stored for the key; aborts with 400, 409
    or 422 as the module says.

    The key is stored with the answer in the transaction that creates the resource: a duplicate
    sent meanwhile fails its insert on the (owner_id, key) unique index once the first commits,
    and is answered from the row the first left.
    """
    header = request.headers.get(HEADER)
    if header is None:
        answer = create()
        db.session.commit()
        return answer
    key = parse_key(header)
    request_fingerprint = fingerprint()
    owner_id = g.user.id
    hours = current_app.config["API_IDEMPOTENCY_HOURS"]
    expired_before = now() - timedelta(hours=hours)
    if stored := find(owner_id, key, expired_before):
        return replay(stored, request_fingerprint)
    try:
        if db.session.get_bind().dialect.name == "postgresql":
            claim(owner_id, key)
        db.session.execute(
            delete(IdempotencyKey).where(
                IdempotencyKey.owner_id == owner_id, IdempotencyKey.created_at <= expired_before
            )
        )
        status, body = create()
        db.session.add(
            IdempotencyKey(
                owner_id=owner_id,
                key=key,
                fingerprint=request_fingerprint,
                status=status,
                body=body,
            )
        )
        db.session.commit()
    except IntegrityError:
        # Another request with this key committed first: its answer, or 422 for another request.
        db.session.rollback()
        if stored := find(owner_id, key, expired_before):
            return replay(stored, request_fingerprint)
        raise
    return status, body


def lock_number(owner_id: int, key: str) -> int:
    """The PostgreSQL advisory lock of `owner_id`'s `key`: a signed 64-bit number."""
    return int.from_bytes(hashlib.sha256(f"{owner_id}:{key}".encode()).digest()[:8], signed=True)


def claim(owner_id: int, key: str) -> None:
    """On PostgreSQL, take the transaction-level advisory lock of (owner_id, key), released when
    the transaction ends; abort with 409 if a request still running holds it."""
    locked = text("SELECT pg_try_advisory_xact_lock(:number)")
    if not db.session.scalar(locked, {"number": lock_number(owner_id, key)}):
        db.session.rollback()
        abort(409, description=IN_FLIGHT)
