"""Logging: records reach the stdout handler of settings.LOGGING, a line each, with tracebacks,
DEBUG off as in production."""

import io
import logging
import os
import re
import socket
import subprocess
import sys

import pytest
from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse


def broken_view(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("something broke")


# The URLconf of the test marked @pytest.mark.urls(__name__).
urlpatterns = [path("broken", broken_view)]


def has_line(log: str, level: str, logger: str, message: str) -> bool:
    """Whether `log` has the line "<date> <time> LEVEL [logger] message", as settings.LOGGING
    formats a record."""
    line = rf"^\S+ \S+ {level} \[{re.escape(logger)}\] {re.escape(message)}$"
    return re.search(line, log, re.MULTILINE) is not None


@pytest.fixture
def log_output():
    """What the stdout handler of settings.LOGGING writes during the test."""
    (handler,) = [handler for handler in logging.getLogger().handlers if handler.name == "stdout"]
    output = io.StringIO()
    stream = handler.setStream(output)
    yield output
    handler.setStream(stream)


@pytest.mark.urls(__name__)
def test_a_view_that_raises_leaves_its_traceback_in_the_log(client, settings, log_output):
    assert not settings.DEBUG
    client.raise_request_exception = False  # answer 500, as in production
    response = client.get("/broken")
    assert response.status_code == 500
    log = log_output.getvalue()
    assert has_line(log, "ERROR", "django.request", "Internal Server Error: /broken")
    assert "Traceback (most recent call last)" in log
    assert "RuntimeError: something broke" in log


@pytest.mark.django_db
def test_a_password_reset_mail_that_cannot_be_sent_is_logged(client, user, settings, log_output):
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
    log = log_output.getvalue()
    message = f"Failed to send password reset email to {user.pk}"
    assert has_line(log, "ERROR", "django.contrib.auth", message)
    assert "ConnectionRefusedError" in log


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
