import os
import re

import pytest
from flask_security import hash_password

from shop import create_app
from shop.accounts import user_datastore
from shop.extensions import db

CSRF_TOKEN = re.compile(r'name="csrf_token"[^>]* value="([^"]+)"')
PASSWORD = "correct horse battery staple"

# The configuration of every test app; tests/test_api_schema.py builds its app from it too.
TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test",
    # A database the tests may empty (CI sets it); else SQLite in memory. Not
    # DATABASE_URL, so that the tests never drop the tables of a development database.
    "SQLALCHEMY_DATABASE_URI": os.environ.get("TEST_DATABASE_URL", "sqlite://"),
    "SECURITY_PASSWORD_SALT": "test",
    # Cheap hashes keep the tests fast; production keeps argon2's defaults.
    "SECURITY_PASSWORD_HASH_PASSLIB_OPTIONS": {
        "argon2__rounds": 1,
        "argon2__memory_cost": 512,
    },
}


@pytest.fixture
def app():
    app = create_app(TEST_CONFIG)
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def csrf_token(client):
    """`csrf_token(path, **get_options)`: the CSRF token of the form on the page at `path`."""

    def _csrf_token(path: str, **get_options) -> str:
        response = client.get(path, **get_options)
        match = CSRF_TOKEN.search(response.text)
        assert match, f"no CSRF token on {path} ({response.status_code})"
        return match.group(1)

    return _csrf_token


@pytest.fixture
def make_user(app):
    """`make_user(email, *roles)`: an active, confirmed user with the password PASSWORD."""

    def _make_user(email: str, *roles: str):
        with app.app_context():
            user = user_datastore.create_user(
                email=email,
                password=hash_password(PASSWORD),
                active=True,
                confirmed_at=app.extensions["security"].datetime_factory(),
                roles=[user_datastore.find_or_create_role(role) for role in roles],
            )
            db.session.commit()
            return user.email

    return _make_user


@pytest.fixture
def login(client, csrf_token):
    """`login(email, password=PASSWORD)`: sign in through the login form; return the response."""

    def _login(email: str, password: str = PASSWORD):
        token = csrf_token("/login")
        return client.post(
            "/login", data={"email": email, "password": password, "csrf_token": token}
        )

    return _login
