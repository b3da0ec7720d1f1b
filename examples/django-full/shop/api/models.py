"""API tokens, stored as hashes: the secret is shown once, when the token is issued, and never kept.
And the idempotency keys of creating requests, with the answer each was given (idempotency.py).

A SHA-256 digest is enough, unlike for passwords: the secret is 256 random bits, so there is nothing
to guess, and a lookup by digest costs one indexed query per request.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone

# How stale a token's last_used_at may grow before a request writes it again: at most one write a
# minute per token, instead of one per request.
LAST_USED_PRECISION = timedelta(minutes=1)


def digest(secret: str) -> str:
    """The SHA-256 of `secret` (UTF-8, invalid code points replaced), as 64 hexadecimal digits."""
    return hashlib.sha256(secret.encode(errors="replace")).hexdigest()


def default_expiry() -> datetime:
    """When a token issued now expires: API_TOKEN_DAYS days from now."""
    return timezone.now() + timedelta(days=settings.API_TOKEN_DAYS)


class TokenManager(models.Manager):
    def issue(self, user, name: str) -> tuple["Token", str]:
        """Create a token for `user`; return it and its secret, which cannot be read again."""
        token = self.model(user=user, name=name)
        secret = token.new_secret()
        token.save(using=self._db)
        return token, secret

    def user_for(self, secret: str):
        """The active user whose token has `secret`, or None (unknown, revoked or expired token).
        Records the use in the token's last_used_at, to the minute."""
        now = timezone.now()
        tokens = self.select_related("user").filter(user__is_active=True, expires_at__gt=now)
        token = tokens.filter(digest=digest(secret)).first()
        if token is None:
            return None
        stale_before = now - LAST_USED_PRECISION
        if token.last_used_at is None or token.last_used_at <= stale_before:
            # Conditional, so that of concurrent requests only the first writes.
            stale = Q(last_used_at__isnull=True) | Q(last_used_at__lte=stale_before)
            self.filter(pk=token.pk).filter(stale).update(last_used_at=now)
        return token.user


class Token(models.Model):
    """A bearer token for the API, until it expires (API_TOKEN_DAYS after it is issued). Revoking it
    deletes it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What it is for, e.g. a script's name.")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=default_expiry, editable=False)
    last_used_at = models.DateTimeField(
        null=True, editable=False, help_text="To the minute; empty if it was never used."
    )

    objects = TokenManager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    def new_secret(self) -> str:
        """Give the token a fresh random secret: keep its digest, return the secret to show once."""
        secret = secrets.token_urlsafe(32)
        self.digest = digest(secret)
        return secret


class IdempotencyKey(models.Model):
    """A creating request that sent `Idempotency-Key: <key>`, and the answer it got: a retry with
    the same key (from the same user, within API_IDEMPOTENCY_HOURS) gets this answer again instead
    of creating anything twice (idempotency.py).

    A row is written in the transaction that creates the resource, or not at all: a request that
    failed, or a worker killed mid-request, leaves no key behind, and its retry does the work. Keys
    are the user's own: (owner, key) is unique, and another user's same key is another row.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # The SHA-256, in hexadecimal, of the request's method, path and body (idempotency.fingerprint).
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    # The answer's body as the API rendered it: times as ISO 8601 text, to the millisecond.
    body = models.JSONField(encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="api_idempotency_key_owner_key")
        ]

    def __str__(self) -> str:
        return self.key
