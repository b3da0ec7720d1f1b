"""Sign-in fixtures for two-factor sign-in (a pytest plugin, named in conftest.py's
pytest_plugins)."""

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY


@pytest.fixture
def login_form():
    """`login_form(email, password)`: what the login page's form posts."""

    def form(email: str, password: str) -> dict[str, str]:
        # The first step of django-two-factor-auth's login wizard.
        return {
            "login_view-current_step": "auth",
            "auth-username": email,
            "auth-password": password,
        }

    return form


@pytest.fixture
def sign_in():
    """`sign_in(client, user)`: sign `user` in without the login form, as if with their
    authenticator app (a device is set up for them if they have none)."""

    def sign_in(client, user) -> None:
        client.force_login(user)
        device = user.totpdevice_set.first() or user.totpdevice_set.create(name="default")
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()

    return sign_in


@pytest.fixture
def admin_client(admin_user, sign_in):
    """pytest-django's admin_client, signed in with the second factor that the admin requires: a
    client of its own, so that a test's `client` stays anonymous."""
    admin = Client()
    sign_in(admin, admin_user)
    return admin
