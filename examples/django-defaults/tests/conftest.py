from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Permission


@pytest.fixture
def clock(time_machine):
    """The test's clock (time-machine), stopped at the current second: `time.time()` and
    `timezone.now()` move only when the test moves them, `clock.shift(seconds)`. Rate windows,
    token lifetimes, authenticator codes and their throttling then take no real time, so no test
    depends on how fast the machine is."""
    time_machine.move_to(datetime.now(UTC).replace(microsecond=0), tick=False)
    return time_machine


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
