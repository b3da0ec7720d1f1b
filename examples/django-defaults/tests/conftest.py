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
