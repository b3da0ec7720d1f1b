"""API tokens, stored as hashes: the secret is shown once, when the token is issued, and never kept.

A SHA-256 digest is enough, unlike for passwords: the secret is 256 random bits, so there is nothing
to guess, and a lookup by digest costs one indexed query per request.
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models


def digest(secret: str) -> str:
    """The SHA-256 of `secret` (UTF-8, invalid code points replaced), as 64 hexadecimal digits."""
    return hashlib.sha256(secret.encode(errors="replace")).hexdigest()


class TokenManager(models.Manager):
    def issue(self, user, name: str) -> tuple["Token", str]:
        """Create a token for `user`; return it and its secret, which cannot be read again."""
        token = self.model(user=user, name=name)
        secret = token.new_secret()
        token.save(using=self._db)
        return token, secret

    def user_for(self, secret: str):
        """The active user whose token has `secret`, or None (unknown or revoked token)."""
        tokens = self.select_related("user").filter(user__is_active=True)
        token = tokens.filter(digest=digest(secret)).first()
        return token.user if token else None


class Token(models.Model):
    """A bearer token for the API. Revoking it deletes it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What it is for, e.g. a script's name.")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

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
