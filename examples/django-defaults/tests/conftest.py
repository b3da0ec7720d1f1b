"""Fixtures every test may use. Those of the project's optional parts are pytest plugins of their
own, beside this file: `pytest_plugins` names them."""

import io
import json
import logging

import pytest
from django.contrib.auth.models import Permission

pytest_plugins = [
    "fixtures_clock",
    "fixtures_sign_in",
]


@pytest.fixture
def password() -> str:
    return "correct horse battery staple"


@pytest.fixture
def user(django_user_model, password):
    return django_user_model.objects.create_user(email="ada@example.com", password=password)


@pytest.fixture
def staff_user(django_user_model, password):
    """Staff with the notes permissions only, as a team would grant them: not a superuser."""
    staff = django_user_model.objects.create_user(
        email="grace@example.com", password=password, is_staff=True
    )
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="notes"))
    return staff


@pytest.fixture
def log_records():
    """`log_records()`: what the stdout handler of settings.LOGGING has written during the test,
    each line parsed as JSON."""
    (handler,) = [handler for handler in logging.getLogger().handlers if handler.name == "stdout"]
    output = io.StringIO()
    stream = handler.setStream(output)
    yield lambda: [json.loads(line) for line in output.getvalue().splitlines()]
    handler.setStream(stream)
