"""Error reporting (sentry.py in the package): what an unhandled exception sends to Sentry, read
from the SDK's client as create_app sets it up, with its transport replaced by one that keeps the
events instead of sending them; and that nothing is sent without SENTRY_DSN."""

import json

import pytest
import sentry_sdk
from flask import Flask, request
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport

from shop.extensions import csrf

# Nothing listens there: every event must reach the Kept transport instead.
DSN = "http://public@127.0.0.1:9/1"


class Kept(Transport):
    """A transport that keeps each event it is given."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[dict] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        event = envelope.get_event()
        if event is not None:
            self.events.append(event)


def add_broken_view(app: Flask) -> None:
    """POST /broken raises, with the form's note in a local variable."""
    app.config["PROPAGATE_EXCEPTIONS"] = False  # TESTING re-raises otherwise

    @app.post("/broken")
    @csrf.exempt
    def broken():
        note = request.form.get("note")  # noqa: F841
        raise RuntimeError("something broke")


@pytest.fixture
def reported(monkeypatch, request):
    """The events that the tests' app (the `app` fixture, made here with SENTRY_DSN set, before
    the test's other fixtures use it) sends during the test."""
    monkeypatch.setenv("SENTRY_DSN", DSN)
    monkeypatch.setenv("SENTRY_ENVIRONMENT", "test")
    add_broken_view(request.getfixturevalue("app"))
    assert sentry_sdk.get_client().is_active()
    kept = Kept()
    sentry_sdk.get_client().transport = kept
    yield kept.events
    sentry_sdk.get_client().close()
    sentry_sdk.get_global_scope().set_client(None)


def test_an_error_is_sent_once_with_the_request_id_and_no_personal_data(reported, client):
    client.set_cookie("theme", "cookie-value")
    response = client.post(
        "/broken?token=query-value",
        data={"note": "body-value", "password": "password-value"},
        headers={"X-Request-ID": "abc-123", "X-Forwarded-For": "203.0.113.9"},
    )
    assert response.status_code == 500
    (event,) = reported
    (exception,) = event["exception"]["values"]
    assert (exception["type"], exception["value"]) == ("RuntimeError", "something broke")
    assert event["tags"]["request_id"] == "abc-123"
    assert event["environment"] == "test"
    assert event["release"] == "shop@0.1.0"
    assert event["request"]["url"].endswith("/broken")
    assert "user" not in event
    sent = json.dumps(event)
    for private in ("cookie-value", "query-value", "body-value", "password-value", "203.0.113.9"):
        assert private not in sent
    assert all("vars" not in frame for frame in exception["stacktrace"]["frames"])


def test_the_signed_in_user_is_not_sent(reported, client, make_user, login):
    email = make_user("ada@example.com")
    login(email)
    assert client.post("/broken", headers={"X-Request-ID": "abc-123"}).status_code == 500
    (event,) = reported
    assert event["tags"]["request_id"] == "abc-123"
    assert "user" not in event
    assert email not in json.dumps(event)


def test_nothing_is_sent_without_a_dsn(app, client):
    # The tests' app, made without SENTRY_DSN.
    add_broken_view(app)
    assert client.post("/broken").status_code == 500
    assert not sentry_sdk.get_client().is_active()
