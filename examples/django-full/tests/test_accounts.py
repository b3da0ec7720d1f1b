"""Sign-up, login by email, logout, password change and reset, and the profile page."""

import re

import pytest
from django.contrib.auth import get_user
from django.core.management import call_command
from django.db.models import QuerySet
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def sign_up(client, email: str, password: str):
    return client.post(
        reverse("sign_up"), {"email": email, "password1": password, "password2": password}
    )


def mailed_link(message) -> str:
    return re.search(r"http://testserver(/\S+)", message.body).group(1)


def test_sign_up_mails_a_link_that_opens_the_account_and_signs_in(
    client, django_user_model, password, mailoutbox
):
    response = sign_up(client, "Lin@Example.com", password)
    assert response.status_code == 302
    assert response["Location"] == reverse("sign_up_done")
    user = django_user_model.objects.get()
    assert user.email == "lin@example.com"
    assert not user.is_active, "no account before its address is confirmed"
    assert not get_user(client).is_authenticated
    assert [message.to for message in mailoutbox] == [["lin@example.com"]]

    link = mailed_link(mailoutbox[0])
    response = client.get(link)
    assert response.status_code == 302
    assert response["Location"] == reverse("profile")
    assert get_user(client).pk == user.pk
    user.refresh_from_db()
    assert user.is_active and user.check_password(password)

    assert client.get(link).status_code == 404, "a link works once"


def test_sign_up_answers_alike_for_a_taken_address_and_mails_its_owner(
    client, user, password, mailoutbox
):
    new = sign_up(Client(), "new@example.com", "another long passphrase 77")
    taken = sign_up(client, user.email.upper(), "another long passphrase 77")
    assert (taken.status_code, taken["Location"]) == (new.status_code, new["Location"])
    assert Client().get(taken["Location"]).text == Client().get(new["Location"]).text

    assert [message.to for message in mailoutbox] == [["new@example.com"], [user.email]]
    assert mailoutbox[0].subject == mailoutbox[1].subject
    assert "already has an account" in mailoutbox[1].body
    assert reverse("password_reset") in mailoutbox[1].body
    user.refresh_from_db()
    assert user.check_password(password), "the account is unchanged"


def test_a_second_sign_up_before_confirming_replaces_the_password(
    client, django_user_model, password, mailoutbox
):
    sign_up(Client(), "lin@example.com", "someone else's passphrase 1")
    sign_up(client, "lin@example.com", password)
    first, second = (mailed_link(message) for message in mailoutbox)
    assert Client().get(first).status_code == 404, "the earlier link no longer works"
    assert client.get(second).status_code == 302
    user = django_user_model.objects.get()
    assert user.is_active and user.check_password(password)


def test_two_sign_ups_at_once_for_one_new_address_make_one_account(
    client, django_user_model, password, mailoutbox, monkeypatch
):
    sign_up(Client(), "lin@example.com", "someone else's passphrase 1")
    # The second looks the address up before the first has written its account, as a concurrent
    # sign-up may, and then meets the unique email address.
    first = QuerySet.first
    monkeypatch.setattr(
        QuerySet, "first", lambda self: None if self.model is django_user_model else first(self)
    )
    response = sign_up(client, "lin@example.com", password)
    assert (response.status_code, response["Location"]) == (302, reverse("sign_up_done"))
    assert django_user_model.objects.count() == 1
    assert len(mailoutbox) == 1


def test_a_deactivated_account_is_not_reopened_by_signing_up(client, user, password, mailoutbox):
    client.force_login(user)
    client.logout()
    user.refresh_from_db()
    user.is_active = False
    user.save()
    sign_up(Client(), user.email, "another long passphrase 77")
    assert "already has an account" in mailoutbox[0].body
    user.refresh_from_db()
    assert not user.is_active and user.check_password(password)


def test_a_forged_confirmation_link_is_refused(client, user):
    response = client.get(reverse("sign_up_confirm", args=["MQ", "forged-token"]))
    assert response.status_code == 404
    assert "Link not valid" in response.text
    assert not get_user(client).is_authenticated


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
