"""The user manager: creates users from an email address and a password, as there is no username."""

from typing import Any

from django.contrib.auth.models import BaseUserManager


class UserManager(BaseUserManager):
    """`User.objects`: create_user, create_superuser (for `manage.py createsuperuser`), lookups."""

    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra_fields: Any):
        """Create and return a user; with no password, the user cannot sign in until one is set."""
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields: Any):
        """Create and return a user with every permission; ValueError if told it is not staff."""
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if extra_fields["is_staff"] is not True or extra_fields["is_superuser"] is not True:
            raise ValueError("A superuser must have is_staff=True and is_superuser=True.")
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, email: str):
        """Find a user by email address, however it is capitalised (login uses this)."""
        return self.get(email=self.model.normalize_username(email))

    def _create_user(self, email: str, password: str | None, **extra_fields: Any):
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.model.normalize_username(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user
