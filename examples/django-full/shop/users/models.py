"""The project's user model, there from the first migration so that it can grow without pain.

People sign in with their email address, not a username: one less thing to remember, and the
address is needed for password reset anyway. Addresses are stored in lower case, so that
`Ada@Example.com` and `ada@example.com` are one account.
"""

from django.contrib.auth.models import AbstractUser
from django.db import models

from .managers import UserManager


class User(AbstractUser):
    """A person who can sign in. Add profile fields here, then run `makemigrations`."""

    username = None
    email = models.EmailField("email address", unique=True)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    def __str__(self) -> str:
        return self.email

    @classmethod
    def normalize_username(cls, username: str) -> str:
        """Return the email address as stored: Unicode-normalized (NFKC), then lower-cased."""
        return super().normalize_username(username).lower()
