"""Protections against abuse: sign-in lockout (django-axes), rate limits on sign-up and password
reset, the request body limit, NUL bytes in forms, and sessions that end for good."""

from datetime import timedelta
from unittest import mock

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user
from django.contrib.auth.backends import ModelBackend
from django.test import Client
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_the_sixth_sign_in_is_refused_unchecked_even_with_the_right_password(
    client, user, password, login_form, settings, caplog
):
    assert settings.AXES_FAILURE_LIMIT == 5
    statuses = [
        client.post(reverse("login"), login_form(user.email, "wrong guess")).status_code
        for _ in range(5)
    ]
    # The fifth failure reaches the limit: its answer is already the lockout page.
    assert statuses == [200, 200, 200, 200, 429]
    assert "AXES: Locking out" in caplog.text

    with mock.patch.object(ModelBackend, "authenticate", autospec=True) as authenticate:
        response = client.post(reverse("login"), login_form(user.email, password))
    assert authenticate.call_count == 0, "the password was not even checked"
    assert response.status_code == 429
    assert "Sign-in locked" in response.text and "15 minutes" in response.text
    assert "<header" in response.text, "the lockout page has the site's layout"
    assert not get_user(client).is_authenticated


def test_the_lockout_is_kept_in_the_database_and_ends_after_the_cool_off(
    user, password, login_form, settings
):
    first = Client()
    for _ in range(5):
        first.post(reverse("login"), login_form(user.email, "wrong guess"))
    # Another client from the same address (another worker, or the app after a restart) sees it.
    assert AccessAttempt.objects.get().failures_since_start == 5
    later = Client()
    assert later.post(reverse("login"), login_form(user.email, password)).status_code == 429

    ended = timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    AccessAttempt.objects.update(attempt_time=ended)
    response = later.post(reverse("login"), login_form(user.email, password))
    assert response.status_code == 302
    assert get_user(later).pk == user.pk


def test_the_owner_signs_in_from_another_address_during_a_lockout(
    client, user, password, login_form
):
    for _ in range(5):
        client.post(reverse("login"), login_form(user.email, "wrong guess"))
    elsewhere = Client(REMOTE_ADDR="198.51.100.20")
    assert elsewhere.post(reverse("login"), login_form(user.email, password)).status_code == 302


def test_one_address_trying_many_accounts_is_throttled(client, settings, login_form):
    """Password spraying: one password against many accounts, from one address. No account comes
    near its lockout; the address is refused past SIGN_IN_RATE, the window's clock held still."""
    assert settings.SIGN_IN_RATE == "20/m"
    forms = [login_form(f"user{n}@example.com", "Winter2026!") for n in range(21)]
    with mock.patch("django_ratelimit.core.time.time", return_value=1_800_000_000):
        statuses = [client.post(reverse("login"), form).status_code for form in forms]
        assert statuses == [200] * 20 + [429]
        elsewhere = Client(REMOTE_ADDR="198.51.100.20")
        form = login_form("user0@example.com", "Winter2026!")
        assert elsewhere.post(reverse("login"), form).status_code == 200, "other addresses go on"


def test_sign_up_is_rate_limited_per_address(client, settings, password):
    settings.SIGN_UP_RATE = "2/h"
    statuses = []
    for number in range(3):
        form = {"email": f"new{number}@example.com", "password1": password, "password2": password}
        statuses.append(Client().post(reverse("sign_up"), form).status_code)
    assert statuses == [302, 302, 429]
    assert "Too many requests" in Client().post(reverse("sign_up"), {}).text
    assert Client().get(reverse("sign_up")).status_code == 200, "the form itself stays open"


def test_password_reset_is_rate_limited_per_email_address(client, user, settings, mailoutbox):
    settings.PASSWORD_RESET_RATE = "2/h"
    statuses = [
        Client(REMOTE_ADDR=f"198.51.100.{number}")
        .post(reverse("password_reset"), {"email": user.email})
        .status_code
        for number in range(3)
    ]
    assert statuses == [302, 302, 429]
    assert len(mailoutbox) == 2


def test_a_body_over_the_limit_gets_413_before_it_is_read(client, settings):
    body = "title=" + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.post(
        reverse("sign_up"), body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert "Too large" in response.text and "<header" in response.text


def test_nul_bytes_in_a_form_are_a_form_error(client):
    response = client.post(
        reverse("sign_up"),
        {"email": "nul\x00@example.com", "password1": "x\x00", "password2": "x\x00"},
    )
    assert response.status_code == 200
    assert "Null characters are not allowed" in response.text


def test_passwords_need_fifteen_characters(client, django_user_model):
    short = "fourteen chars"
    form = {"email": "lin@example.com", "password1": short, "password2": short}
    response = client.post(reverse("sign_up"), form)
    assert "at least 15 characters" in response.text
    assert not django_user_model.objects.exists()


@pytest.mark.parametrize(
    "weak", ["aaaaaaaaaaaaaaaa", "passwordpassword", "1234567890123456", "qwertyuiopasdfgh"]
)
def test_passwords_long_enough_but_easily_guessed_are_refused(client, django_user_model, weak):
    form = {"email": "lin@example.com", "password1": weak, "password2": weak}
    response = client.post(reverse("sign_up"), form)
    assert response.status_code == 200
    assert "Your password is too guessable" in response.text
    assert not django_user_model.objects.exists()


def test_a_session_cookie_captured_before_logout_is_refused_after_it(
    client, user, password, login_form
):
    client.post(reverse("login"), login_form(user.email, password))
    captured = client.cookies["sessionid"].value
    assert client.get(reverse("profile")).status_code == 200
    client.post(reverse("logout"))

    replay = Client()
    replay.cookies["sessionid"] = captured
    response = replay.get(reverse("profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_password_change_ends_the_other_sessions(client, user, password, login_form):
    other = Client()
    other.post(reverse("login"), login_form(user.email, password))
    assert other.get(reverse("profile")).status_code == 200

    client.post(reverse("login"), login_form(user.email, password))
    new_password = "a different long passphrase"
    client.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": new_password, "new_password2": new_password},
    )
    assert client.get(reverse("profile")).status_code == 200, "this session goes on"
    assert other.get(reverse("profile")).status_code == 302


def test_a_password_set_by_an_admin_ends_the_users_sessions(
    admin_client, user, password, login_form
):
    member = Client()
    member.post(reverse("login"), login_form(user.email, password))
    assert member.get(reverse("profile")).status_code == 200

    new_password = "set by the administrator"
    response = admin_client.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"password1": new_password, "password2": new_password},
    )
    assert response.status_code == 302
    assert member.get(reverse("profile")).status_code == 302
