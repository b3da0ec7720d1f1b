"""No error reports from the tests."""

import pytest


@pytest.fixture(autouse=True)
def no_error_reports(monkeypatch):
    """No error reports from the tests, whatever the environment's SENTRY_DSN (see sentry.py)."""
    monkeypatch.delenv("SENTRY_DSN", raising=False)
