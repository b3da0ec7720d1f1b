import io
import json
import logging
import secrets
import sys
from http.cookies import SimpleCookie

import pytest
from flask import abort

from shop import configure_logging

# The fixtures every test may use (the app and its client) are in app_fixtures; each pack's are in
# a module of its own, which adds the pack's settings to TEST_CONFIG and PRODUCTION_ENV, and may
# extend a fixture of a module before it.
pytest_plugins = [
    "app_fixtures",
    "sentry_fixtures",
    "redis_fixtures",
    "database_fixtures",
    "accounts_fixtures",
    "two_factor_fixtures",
    "api_fixtures",
    "api_notes_fixtures",
    "api_tokens_fixtures",
]

# The configuration of every test app.
TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test",
}
# The environment a production app needs beside FLASK_SECRET_KEY and FLASK_TRUSTED_HOSTS.
PRODUCTION_ENV: dict[str, str] = {}
# Errors a client meets most, and their status names.
ERRORS = [
    (400, "Bad Request"),
    (403, "Forbidden"),
    (404, "Not Found"),
    (422, "Unprocessable Entity"),
]


@pytest.fixture
def log_records(monkeypatch):
    """`log_records()`: the records written to stdout so far, as configure_logging sets it up in
    production (under pytest, create_app leaves logging alone), each line parsed as JSON."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    root.handlers.clear()
    output = io.StringIO()
    monkeypatch.setattr(sys, "stdout", output)
    configure_logging("INFO")
    yield lambda: [json.loads(line) for line in output.getvalue().splitlines()]
    root.handlers[:] = handlers
    root.setLevel(level)


def request_line(records: list[dict], path: str) -> dict:
    """The one request line for `path` (the only records with a path)."""
    (line,) = [r for r in records if r.get("path") == path]
    return line


@pytest.fixture
def production_config(app, monkeypatch):
    """The test configuration with TESTING and DEBUG off, a generated secret key, and the test
    client's host, `localhost`, as the site's. The cookie flags are left out: hardening.py keeps
    those it finds, and it set these for testing."""
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    config = {key: value for key, value in app.config.items() if "_COOKIE_" not in key}
    return {
        **config,
        "TESTING": False,
        "DEBUG": False,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "TRUSTED_HOSTS": ["localhost"],
        "SERVER_NAME": "localhost",
    }


@pytest.fixture
def aborting(app):
    """The app with GET /abort/<code> and GET /api/abort/<code>, which abort with that status."""

    @app.get("/abort/<int:code>", endpoint="abort_page")
    @app.get("/api/abort/<int:code>", endpoint="abort_api")
    def abort_with(code: int):
        abort(code)

    return app


def assert_error(response, code: int, status: str) -> dict:
    """Assert that `response` is the JSON error shape for `code`; return its body."""
    assert response.status_code == code
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"code", "status", "message"}
    assert (body["code"], body["status"]) == (code, status)
    assert body["message"]
    return body


def cookies(response) -> dict:
    """The cookies that `response` sets, by name, as http.cookies morsels (flags included)."""
    jar = SimpleCookie()
    for header in response.headers.getlist("Set-Cookie"):
        jar.load(header)
    return dict(jar)
