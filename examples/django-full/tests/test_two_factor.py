"""Two-factor sign-in (django-two-factor-auth): a code from an authenticator app after the
password, each code once, wrong codes throttled, backup codes, the admin closed to staff without
it, and shorter sessions."""

import pytest
from django.contrib.auth import get_user
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice

pytestmark = pytest.mark.django_db

TOKEN_STEP = "login_view-current_step"


def code(device) -> str:
    """The authenticator app's current code for `device` (a TOTPDevice), six digits."""
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"


@pytest.fixture
def enrolled(user):
    """`user` with a confirmed authenticator app."""
    return user.totpdevice_set.create(name="default", confirmed=True)


def is_verified(client) -> bool:
    """Whether `client` is signed in with a second factor."""
    return client.get(reverse("profile")).wsgi_request.user.is_verified()


def sign_in_password(client, email, password, login_form):
    return client.post(reverse("login"), login_form(email, password))


def test_with_an_app_the_password_alone_does_not_sign_in(
    client, user, password, enrolled, login_form
):
    response = sign_in_password(client, user.email, password, login_form)
    assert response.status_code == 200
    assert 'name="token-otp_token"' in response.text
    assert not get_user(client).is_authenticated

    response = client.post(
        reverse("login"), {TOKEN_STEP: "token", "token-otp_token": code(enrolled)}
    )
    assert response.status_code == 302
    assert is_verified(client)


def test_a_wrong_code_is_refused(client, user, password, enrolled, login_form):
    sign_in_password(client, user.email, password, login_form)
    wrong = f"{(int(code(enrolled)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("login"), {TOKEN_STEP: "token", "token-otp_token": wrong})
    assert response.status_code == 200
    assert not get_user(client).is_authenticated


def send_code(client, token: str):
    return client.post(reverse("login"), {TOKEN_STEP: "token", "token-otp_token": token})


def test_a_code_is_accepted_once(client, user, password, enrolled, login_form, clock):
    sign_in_password(client, user.email, password, login_form)
    used = code(enrolled)
    assert send_code(client, used).status_code == 302
    client.logout()

    # Within the code's 30 s, on another sign-in, the same code is refused.
    clock.shift(5)
    sign_in_password(client, user.email, password, login_form)
    response = send_code(client, used)
    assert response.status_code == 200
    assert "Invalid token" in response.text
    assert not get_user(client).is_authenticated

    # The next code works.
    clock.shift(30)
    assert send_code(client, code(enrolled)).status_code == 302
    assert is_verified(client)


def test_after_five_wrong_codes_the_sixth_try_is_refused_even_the_right_code(
    client, user, password, enrolled, login_form, clock
):
    sign_in_password(client, user.email, password, login_form)
    for failures in range(1, 6):
        wrong = f"{(int(code(enrolled)) + 1) % 1_000_000:06d}"
        response = send_code(client, wrong)
        assert "Invalid token" in response.text
        enrolled.refresh_from_db()
        assert enrolled.throttling_failure_count == failures
        # Past the wait that each failure sets (1, 2, 4, 8, 16 s): up to the 5th, the next code
        # is checked.
        if failures < 5:
            clock.shift(2 ** (failures - 1))

    # Within the 16 s that the 5th failure set, the right code is not even checked.
    clock.shift(15)
    response = send_code(client, code(enrolled))
    assert response.status_code == 200
    assert "Verification temporarily disabled because of 5 failed attempts" in response.text
    assert not get_user(client).is_authenticated

    clock.shift(1)
    assert send_code(client, code(enrolled)).status_code == 302
    assert is_verified(client)
    enrolled.refresh_from_db()
    assert enrolled.throttling_failure_count == 0


def test_a_backup_code_signs_in_once(client, user, password, enrolled, login_form):
    backup = StaticDevice.objects.create(user=user, name="backup")
    backup.token_set.create(token="abcd1234")
    sign_in_password(client, user.email, password, login_form)
    response = client.post(reverse("login"), {TOKEN_STEP: "backup", "backup-otp_token": "abcd1234"})
    assert response.status_code == 302
    assert is_verified(client)
    assert not backup.token_set.exists(), "used up"


def test_without_an_app_the_password_signs_in_and_the_profile_offers_one(
    client, user, password, login_form
):
    response = sign_in_password(client, user.email, password, login_form)
    assert response.status_code == 302
    profile = client.get(reverse("profile"))
    assert reverse("two_factor:profile") in profile.text
    assert client.get(reverse("two_factor:setup")).status_code == 200


def test_staff_without_an_app_are_sent_to_set_one_up_before_the_admin(
    client, staff_user, password, login_form
):
    response = client.get(reverse("admin:index"), follow=True)
    assert response.request["PATH_INFO"] == reverse("login")
    login_url = response.redirect_chain[-1][0]
    response = client.post(login_url, login_form(staff_user.email, password))
    assert response["Location"] == reverse("two_factor:setup")
    # Signed in with the password alone, the admin stays closed.
    assert client.get(reverse("admin:index")).status_code == 302


def test_staff_signed_in_with_their_app_reach_the_admin(client, staff_user, sign_in):
    sign_in(client, staff_user)
    assert client.get(reverse("admin:notes_note_changelist")).status_code == 200


def test_sessions_last_hours_not_weeks(client, user, password, login_form, settings):
    assert settings.SESSION_COOKIE_AGE == 4 * 60 * 60
    sign_in_password(client, user.email, password, login_form)
    assert client.cookies["sessionid"]["max-age"] == 4 * 60 * 60


def test_setup_pages_load_nothing_from_elsewhere(client, user):
    client.force_login(user)
    page = client.get(reverse("two_factor:setup")).text
    assert "//cdn" not in page and "<header" in page


def test_a_new_browser_needs_the_code_again(user, password, enrolled, login_form):
    response = sign_in_password(Client(), user.email, password, login_form)
    assert 'name="token-otp_token"' in response.text
