import pytest
from django.contrib.auth.models import Permission


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
