"""Sign-in fixtures for sign-in with a password alone (a pytest plugin, named in conftest.py's
pytest_plugins)."""

import pytest


@pytest.fixture
def login_form():
    """`login_form(email, password)`: what the login page's form posts."""

    def form(email: str, password: str) -> dict[str, str]:
        return {"username": email, "password": password}

    return form


@pytest.fixture
def sign_in():
    """`sign_in(client, user)`: sign `user` in without the login form."""

    def sign_in(client, user) -> None:
        client.force_login(user)

    return sign_in
