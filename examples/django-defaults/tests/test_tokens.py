"""API tokens: issued and revoked by their users on a page or with a command, and by staff in the
admin; only a digest is stored, and the secret works as a bearer token until it is revoked."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from shop.api.models import Token, digest

pytestmark = pytest.mark.django_db


def create_note(client, secret: str):
    return client.post(
        "/api/notes",
        {"title": "By token", "body": "Text."},
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )


def test_only_the_digest_is_stored(user):
    token, secret = Token.objects.issue(user, "laptop")
    assert len(secret) >= 40
    assert token.digest == digest(secret) and secret not in token.digest
    assert Token.objects.user_for(secret) == user
    assert Token.objects.user_for(secret + "x") is None


def test_the_page_needs_login(client):
    response = client.get(reverse("tokens:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_user_issues_a_token_uses_it_and_revokes_it(client, user):
    client.force_login(user)
    response = client.post(reverse("tokens:list"), {"name": "deploy script"})
    assert response.status_code == 200
    secret = re.search(r"<pre><code>([^<]+)</code></pre>", response.text).group(1)
    token = user.api_tokens.get()
    assert token.name == "deploy script"

    client.logout()
    assert create_note(client, secret).status_code == 201

    client.force_login(user)
    page = client.get(reverse("tokens:list")).text
    assert "deploy script" in page and secret not in page  # shown once
    response = client.post(reverse("tokens:revoke", args=[token.pk]))
    assert response["Location"] == reverse("tokens:list")
    client.logout()
    assert create_note(client, secret).status_code == 401


def test_nobody_revokes_someone_elses_token(client, user, django_user_model):
    other = django_user_model.objects.create_user(email="eve@example.com", password="x" * 20)
    token, _ = Token.objects.issue(user, "mine")
    client.force_login(other)
    assert client.post(reverse("tokens:revoke", args=[token.pk])).status_code == 404
    assert Token.objects.filter(pk=token.pk).exists()


def test_the_command_issues_a_token(user, client):
    output = StringIO()
    call_command("issue_token", user.email.upper(), "cron job", stdout=output)
    secret = output.getvalue().strip()
    assert Token.objects.get().name == "cron job"
    assert create_note(client, secret).status_code == 201


def test_the_command_names_an_unknown_user():
    with pytest.raises(CommandError, match="nobody@example.com"):
        call_command("issue_token", "nobody@example.com", "x")


def test_staff_issue_a_token_in_the_admin_and_see_its_secret_once(admin_client, user, client):
    response = admin_client.post(
        reverse("admin:api_token_add"), {"user": user.pk, "name": "for Ada"}, follow=True
    )
    assert response.status_code == 200
    secret = re.search(r"shown only this once: ([\w-]+)", response.text).group(1)
    token = Token.objects.get()
    assert (token.user, token.name, token.digest) == (user, "for Ada", digest(secret))
    assert create_note(client, secret).status_code == 201

    admin_client.post(reverse("admin:api_token_delete", args=[token.pk]), {"post": "yes"})
    assert create_note(client, secret).status_code == 401
