"""Idempotency keys for creating requests, as the IETF's draft "The Idempotency-Key HTTP Header
Field" (draft-ietf-httpapi-idempotency-key-header) describes them: a client that sends
`Idempotency-Key: "<key>"` with a POST may send the same request again, after a timeout or a
dropped connection, and nothing is created twice.

- The same key with the same request (method, path and body, byte for byte) gets the first answer
  again, its status and body, without a second write.
- The same key with another request: 422, nothing written.
- The same key while its first request is still running: on PostgreSQL, 409, to retry later. On
  SQLite a write waits for the one before it (the IMMEDIATE transactions of settings.DATABASES),
  so the second finds the first's answer, or, if the first failed, does the work.
- A key that is empty, longer than 255 characters or holds anything but printable ASCII: 400.
- No key: the request is served as it comes, and a retry creates again.

The key is a Structured Field string (`"..."`, RFC 8941), as the draft asks; a bare key is taken as
it is. Keys are the user's own, and last API_IDEMPOTENCY_HOURS (24) hours from their first
request: after that the key is free, and the same request creates again. A user's expired keys are
deleted at their next keyed request.
"""

import hashlib
import re
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from .errors import ApiError
from .models import IdempotencyKey

HEADER = "Idempotency-Key"
# A key: 1 to 255 printable ASCII characters, as RFC 8941's sf-string (between quotes, with " and
# \ escaped by a backslash), or bare, starting with neither a quote nor a space. An ECMAScript
# regular expression too, for the OpenAPI schema.
KEY_PATTERN = r'^(?:[!#-~][ -~]{0,254}|"(?:[ !#-\[\]-~]|\\["\\]){1,255}")$'
OTHER_REQUEST = "This Idempotency-Key was sent before with another request: use a new key."
IN_FLIGHT = "A request with this Idempotency-Key is still being processed: retry it later."


def parse_key(value: str) -> str:
    """The key in an Idempotency-Key header's `value`: the text of its sf-string, unescaped, or
    the bare value. ApiError(400) when the value does not match KEY_PATTERN."""
    if not re.fullmatch(KEY_PATTERN, value):
        raise ApiError(400)
    if value.startswith('"'):
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def fingerprint(request: HttpRequest) -> str:
    """The SHA-256, in hexadecimal, of the request's method, path and body."""
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    digest.update(request.body)
    return digest.hexdigest()


def find(owner, key: str, expired_before: datetime) -> IdempotencyKey | None:
    """`owner`'s row for `key`, unless it was created at `expired_before` or earlier."""
    return IdempotencyKey.objects.filter(
        owner=owner, key=key, created_at__gt=expired_before
    ).first()


def replay(stored: IdempotencyKey, request_fingerprint: str) -> tuple[int, dict]:
    """The stored answer, as (status, body); ApiError(422) if it answered another request."""
    if stored.fingerprint != request_fingerprint:
        raise ApiError(422, errors={"json": {"_schema": [OTHER_REQUEST]}})
    return stored.status, stored.body


def idempotent(
    request: HttpRequest, header: str | None, create: Callable[[], tuple[int, dict]]
) -> tuple[int, dict]:
    """Answer a creating request once per Idempotency-Key: `create()` makes the resource and
    returns (status, body) as the API renders them; `header` is the request's Idempotency-Key,
    or None. Returns `create()`'s answer, or the one stored for the key; raises ApiError (400,
    409, 422) as the module says.

    The key is stored with the answer in the transaction that creates the resource: a duplicate
    sent meanwhile waits on the (owner, key) unique index, fails its insert when the first
    commits, and is answered from the row the first left.
    """
    if header is None:
        return create()
    key = parse_key(header)
    request_fingerprint = fingerprint(request)
    owner = request.auth
    expired_before = timezone.now() - timedelta(hours=settings.API_IDEMPOTENCY_HOURS)
    if stored := find(owner, key, expired_before):
        return replay(stored, request_fingerprint)
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                claim(owner.pk, key)
            IdempotencyKey.objects.filter(owner=owner, created_at__lte=expired_before).delete()
            status, body = create()
            IdempotencyKey.objects.create(
                owner=owner, key=key, fingerprint=request_fingerprint, status=status, body=body
            )
    except IntegrityError:
        # Another request with this key committed first: its answer, or 422 for another request.
        if stored := find(owner, key, expired_before):
            return replay(stored, request_fingerprint)
        raise
    return status, body


def lock_number(owner_id: int, key: str) -> int:
    """The PostgreSQL advisory lock of `owner_id`'s `key`: a signed 64-bit number."""
    return int.from_bytes(hashlib.sha256(f"{owner_id}:{key}".encode()).digest()[:8], signed=True)


def claim(owner_id: int, key: str) -> None:
    """On PostgreSQL, take the transaction-level advisory lock of (owner, key), released when the
    transaction ends; ApiError(409) if a request still running holds it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [lock_number(owner_id, key)])
        if not cursor.fetchone()[0]:
            raise ApiError(409, IN_FLIGHT)
