"""Logging as in production (DEBUG off): a JSON object per record on the stdout handler of
settings.LOGGING, tracebacks included, each with the id of its request
(shop/request_id.py), which the response carries back."""

import json
import os
import re
import socket
import subprocess
import sys

import pytest
from django.http import HttpRequest, HttpResponse, HttpResponseGone
from django.urls import path, reverse

NEW_ID = re.compile(r"[0-9a-f]{32}")


def broken_view(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("something broke")


def gone_view(request: HttpRequest) -> HttpResponse:
    return HttpResponseGone()


# The URLconf of the tests marked @pytest.mark.urls(__name__).
urlpatterns = [
    path("broken", broken_view),
    path("gone", gone_view),
]


def request_line(records: list[dict], path: str) -> dict:
    """The one request line for `path` (the only records with a path)."""
    (line,) = [r for r in records if r.get("path") == path]
    return line


def test_a_request_keeps_its_id_in_the_response_and_every_line(client, log_records):
    response = client.get("/health", headers={"X-Request-ID": "abc-123"})
    assert response["X-Request-ID"] == "abc-123"
    line = request_line(log_records(), "/health")
    assert line["request_id"] == "abc-123"
    assert line["level"] == "INFO"
    assert (line["method"], line["status"], line["user_id"]) == ("GET", 200, None)
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["message"] == f"GET /health 200 {line['duration_ms']} ms"


@pytest.mark.urls(__name__)
def test_an_error_response_is_logged_with_the_id(client, log_records):
    # Django logs the line of an error response that a view returns once the middleware is done.
    response = client.get("/gone", headers={"X-Request-ID": "abc-123"})
    assert response.status_code == 410
    assert response["X-Request-ID"] == "abc-123"
    records = log_records()
    assert [r["message"] for r in records if r["logger"] == "django.request"] == ["Gone: /gone"]
    assert {r["request_id"] for r in records} == {"abc-123"}


def test_a_request_without_an_id_gets_a_new_one(client, log_records):
    first = client.get("/health")["X-Request-ID"]
    second = client.get("/health")["X-Request-ID"]
    assert NEW_ID.fullmatch(first) and NEW_ID.fullmatch(second) and first != second
    assert [r["request_id"] for r in log_records()] == [first, second]


@pytest.mark.parametrize("sent", ["a" * 10_000, "abc-123\nforged line", "abc 123", ""])
def test_an_insane_id_is_replaced_not_echoed(client, log_records, sent):
    response = client.get("/health", headers={"X-Request-ID": sent})
    assert NEW_ID.fullmatch(response["X-Request-ID"])
    assert request_line(log_records(), "/health")["request_id"] == response["X-Request-ID"]


@pytest.mark.urls(__name__)
def test_a_view_that_raises_leaves_its_traceback_in_one_record_with_the_id(
    client, settings, log_records
):
    assert not settings.DEBUG
    client.raise_request_exception = False  # answer 500, as in production
    response = client.get("/broken", headers={"X-Request-ID": "abc-123"})
    assert response.status_code == 500
    assert response["X-Request-ID"] == "abc-123"
    records = log_records()
    assert {r["request_id"] for r in records} == {"abc-123"}
    (failure,) = [r for r in records if r["level"] == "ERROR"]
    assert failure["logger"] == "django.request"
    assert failure["message"] == "Internal Server Error: /broken"
    assert failure["traceback"].startswith("Traceback (most recent call last):")
    assert failure["traceback"].endswith("RuntimeError: something broke")
    assert request_line(records, "/broken")["status"] == 500


@pytest.mark.django_db
def test_the_request_line_names_the_signed_in_user_by_id_only(client, user, sign_in, log_records):
    sign_in(client, user)
    client.get(reverse("profile"), headers={"X-Request-ID": "abc-123"})
    records = log_records()
    assert request_line(records, reverse("profile"))["user_id"] == user.pk
    assert user.email not in json.dumps(records)


@pytest.mark.django_db
def test_a_token_in_the_path_is_logged_as_secret(client, log_records):
    path = reverse("password_reset_confirm", kwargs={"uidb64": "MQ", "token": "a-secret-token"})
    assert client.get(path).status_code == 200
    records = log_records()
    assert request_line(records, path.replace("a-secret-token", "[secret]"))["status"] == 200
    assert "a-secret-token" not in json.dumps(records)


@pytest.mark.django_db
def test_a_password_reset_mail_that_cannot_be_sent_is_logged(client, user, settings, log_records):
    with socket.socket() as mail_server:  # bound but not listening: connections are refused
        mail_server.bind(("127.0.0.1", 0))
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": mail_server.getsockname()[1]},
            },
        }
        response = client.post(reverse("password_reset"), {"email": user.email})
    # The visitor sees the usual page: it tells nobody whether an address has an account.
    assert response["Location"] == reverse("password_reset_done")
    (failure,) = [r for r in log_records() if r["level"] == "ERROR"]
    assert failure["logger"] == "django.contrib.auth"
    assert failure["message"] == f"Failed to send password reset email to {user.pk}"
    assert "ConnectionRefusedError" in failure["traceback"]


def test_the_log_level_comes_from_the_environment():
    # A fresh process, because the settings read DJANGO_LOG_LEVEL once.
    script = (
        "import django, logging; django.setup(); "
        "print(logging.getLogger().level, logging.getLogger('django.request').getEffectiveLevel())"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.test_settings"}
    for level, expected in [(None, "20 20"), ("warning", "30 30")]:
        env.pop("DJANGO_LOG_LEVEL", None)
        if level:
            env["DJANGO_LOG_LEVEL"] = level
        result = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        )
        assert result.stdout.strip() == expected, level


def test_lines_are_text_while_debug_is_on():
    script = "import django, logging; django.setup(); logging.getLogger('tests').warning('written')"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.test_settings", "DJANGO_DEBUG": "true"}
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert re.fullmatch(r"\S+ \S+ WARNING \[tests\] written\n", result.stdout)
