"""The project's user model, there from the first migration so that it can grow without pain."""

from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """A person who can sign in. Add profile fields here, then run `makemigrations`."""
