"""Sign-up, login by email, logout, password change and reset, and the profile page."""

import re

import pytest
from django.contrib.auth import get_user
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_sign_up_creates_an_account_and_signs_in(client, django_user_model, password):
    response = client.post(
        reverse("sign_up"),
        {"email": "Lin@Example.com", "password1": password, "password2": password},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("profile")
    user = django_user_model.objects.get()
    assert user.email == "lin@example.com"
    assert get_user(client).pk == user.pk


def test_sign_up_rejects_a_taken_email_in_any_case(client, user, password):
    response = client.post(
        reverse("sign_up"),
        {"email": user.email.upper(), "password1": password, "password2": password},
    )
    assert response.status_code == 200
    assert "already exists" in response.text


def test_sign_up_rejects_a_weak_password(client, django_user_model):
    response = client.post(
        reverse("sign_up"), {"email": "lin@example.com", "password1": "123", "password2": "123"}
    )
    assert response.status_code == 200
    assert "too short" in response.text
    assert not django_user_model.objects.exists()


def test_login_by_email_in_any_case(client, user, password, login_form):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    response = client.post(reverse("login"), login_form("ADA@example.com", password))
    assert response.status_code == 302
    assert response["Location"] == reverse("profile")
    assert get_user(client).pk == user.pk


def test_login_rejects_a_wrong_password(client, user, login_form):
    response = client.post(reverse("login"), login_form(user.email, "wrong"))
    assert response.status_code == 200
    assert not get_user(client).is_authenticated


def test_logout_takes_a_post(client, user):
    client.force_login(user)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert not get_user(client).is_authenticated


def test_password_change(client, user, password):
    client.force_login(user)
    assert client.get(reverse("password_change")).status_code == 200
    new_password = "a different long passphrase"
    response = client.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": new_password, "new_password2": new_password},
    )
    assert response["Location"] == reverse("password_change_done")
    user.refresh_from_db()
    assert user.check_password(new_password)


def test_password_reset_by_email(client, user, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": user.email})
    assert response["Location"] == reverse("password_reset_done")
    assert [message.to for message in mailoutbox] == [[user.email]]
    link = re.search(r"http://testserver(/\S+)", mailoutbox[0].body).group(1)

    response = client.get(link, follow=True)
    new_password = "a different long passphrase"
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert response["Location"] == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(new_password)


def test_profile_needs_login(client):
    response = client.get(reverse("profile"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse('profile')}"


def test_profile_updates_the_name(client, user):
    client.force_login(user)
    assert user.email in client.get(reverse("profile")).text
    response = client.post(reverse("profile"), {"first_name": "Ada", "last_name": "Lovelace"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.get_full_name() == "Ada Lovelace"


def test_createsuperuser_from_the_environment(monkeypatch, django_user_model):
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "root@example.com")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a long superuser passphrase")
    call_command("createsuperuser", interactive=False, verbosity=0)
    superuser = django_user_model.objects.get()
    assert superuser.is_superuser and superuser.is_staff
    assert superuser.check_password("a long superuser passphrase")
