"""The database of the tests: empty tables for each test's app, and the CSRF token of a form."""

import os
import re

import pytest
from conftest import PRODUCTION_ENV, TEST_CONFIG

from shop.extensions import db

CSRF_TOKEN = re.compile(r'name="csrf_token"[^>]* value="([^"]+)"')

TEST_CONFIG.update(
    {
        # A database the tests may empty (CI sets it); else SQLite in memory. Not
        # DATABASE_URL, so that the tests never drop the tables of a development database.
        "SQLALCHEMY_DATABASE_URI": os.environ.get("TEST_DATABASE_URL", "sqlite://"),
    }
)
PRODUCTION_ENV["DATABASE_URL"] = "sqlite://"


@pytest.fixture
def app(app):
    """The app, with its tables created empty before the test and dropped after it."""
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def csrf_token(client):
    """`csrf_token(path, **get_options)`: the CSRF token of the form on the page at `path`."""

    def _csrf_token(path: str, **get_options) -> str:
        response = client.get(path, **get_options)
        match = CSRF_TOKEN.search(response.text)
        assert match, f"no CSRF token on {path} ({response.status_code})"
        return match.group(1)

    return _csrf_token
