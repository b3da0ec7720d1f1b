"""Error reporting (config/sentry.py): what an unhandled exception sends to Sentry, read from the
SDK's client as config/sentry.py sets it up, with its transport replaced by one that keeps the
events instead of sending them; and that nothing is sent without SENTRY_DSN."""

import json
import os
import subprocess
import sys

import pytest
import sentry_sdk
from django.http import HttpRequest, HttpResponse
from django.urls import path
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport

from config import sentry

# Nothing listens there: every event must reach the Kept transport instead.
DSN = "http://public@127.0.0.1:9/1"


def broken_view(request: HttpRequest) -> HttpResponse:
    owner = request.user.email if request.user.is_authenticated else "nobody"  # noqa: F841
    note = request.POST.get("note")  # noqa: F841
    raise RuntimeError("something broke")


# The URLconf of the tests marked @pytest.mark.urls(__name__).
urlpatterns = [path("broken", broken_view)]


class Kept(Transport):
    """A transport that keeps each event it is given."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[dict] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        event = envelope.get_event()
        if event is not None:
            self.events.append(event)


@pytest.fixture
def reported():
    """The events that config/sentry.py's client sends during the test."""
    sentry.init(DSN, "test")
    kept = Kept()
    sentry_sdk.get_client().transport = kept
    yield kept.events
    sentry_sdk.get_client().close()
    sentry_sdk.get_global_scope().set_client(None)


@pytest.mark.urls(__name__)
def test_an_error_is_sent_once_with_the_request_id_and_no_personal_data(client, user, reported):
    client.force_login(user)
    client.raise_request_exception = False
    client.cookies["theme"] = "cookie-value"
    response = client.post(
        "/broken?token=query-value",
        {"note": "body-value", "password": "password-value"},
        headers={"X-Request-ID": "abc-123", "X-Forwarded-For": "203.0.113.9"},
    )
    assert response.status_code == 500
    (event,) = reported
    (exception,) = event["exception"]["values"]
    assert (exception["type"], exception["value"]) == ("RuntimeError", "something broke")
    assert event["tags"]["request_id"] == "abc-123"
    assert event["environment"] == "test"
    assert event["release"] == "shop@0.1.0"
    assert "user" not in event
    sent = json.dumps(event)
    for private in (user.email, "cookie-value", "query-value", "body-value", "password-value"):
        assert private not in sent
    assert "203.0.113.9" not in sent
    assert all("vars" not in frame for frame in exception["stacktrace"]["frames"])


def test_the_tests_send_nothing():
    assert not sentry_sdk.get_client().is_active()


@pytest.mark.parametrize("dsn", [DSN, ""])
def test_the_settings_report_only_with_a_dsn(dsn):
    script = (
        "import django, sentry_sdk; django.setup(); client = sentry_sdk.get_client(); "
        "print(client.is_active(), client.options['release'], client.options['environment'])"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_SECRET_KEY": "test-only-not-secret",
        "SENTRY_DSN": dsn,
        "SENTRY_ENVIRONMENT": "staging",
    }
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    if dsn:
        release = "shop@0.1.0"
        assert result.stdout.split() == ["True", release, "staging"]
    else:
        assert result.stdout.split()[0] == "False"
