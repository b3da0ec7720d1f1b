"""API tokens: issued and revoked by their users on a page or with a command, and by staff in the
admin; only a digest is stored, and the secret works as a bearer token until it is revoked or
expires. Each records when it was last used, to the minute."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

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


def test_a_token_expires_after_the_configured_days(client, user, clock, settings):
    assert settings.API_TOKEN_DAYS == 90
    token, secret = Token.objects.issue(user, "laptop")
    assert token.expires_at == timezone.now() + timedelta(days=90)
    clock.shift(timedelta(days=90) - timedelta(seconds=1))
    assert create_note(client, secret).status_code == 201

    clock.shift(timedelta(seconds=1))
    expired = create_note(client, secret)
    unknown = create_note(client, "no-such-token")
    assert expired.status_code == unknown.status_code == 401
    assert expired.json() == unknown.json()
    assert expired["WWW-Authenticate"] == unknown["WWW-Authenticate"] == "Bearer"


def test_the_days_are_a_setting(user, clock, settings):
    settings.API_TOKEN_DAYS = 7
    token, _ = Token.objects.issue(user, "short-lived")
    assert token.expires_at == timezone.now() + timedelta(days=7)


def token_writes(client, secret: str) -> int:
    """How many UPDATEs of the token table one request with `secret` makes."""
    with CaptureQueriesContext(connection) as queries:
        assert create_note(client, secret).status_code == 201
    return sum('UPDATE "api_token"' in query["sql"] for query in queries.captured_queries)


def test_last_use_is_recorded_at_most_once_a_minute(client, user, clock):
    token, secret = Token.objects.issue(user, "laptop")
    assert token.last_used_at is None
    first_use = timezone.now()
    assert token_writes(client, secret) == 1
    clock.shift(59)
    assert token_writes(client, secret) == 0
    token.refresh_from_db()
    assert token.last_used_at == first_use

    clock.shift(1)
    assert token_writes(client, secret) == 1
    token.refresh_from_db()
    assert token.last_used_at == timezone.now()


def test_the_page_lists_each_tokens_name_and_dates(client, user, clock):
    used, secret = Token.objects.issue(user, "deploy script")
    unused, _ = Token.objects.issue(user, "spare")
    create_note(client, secret)
    used.refresh_from_db()
    client.force_login(user)
    page = client.get(reverse("tokens:list")).text
    assert "deploy script" in page and "spare" in page
    for moment in (used.created_at, used.last_used_at, used.expires_at, unused.expires_at):
        assert f'<time datetime="{moment.isoformat()}">' in page
    assert "Never" in page  # the spare one's last use
    assert page.count(">Revoke</button>") == 2


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_existing_tokens_90_days_from_when_it_runs(clock):
    from django.db.migrations.executor import MigrationExecutor

    before, after = [("api", "0001_initial")], [("api", "0002_token_expiry")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    owner = old_apps.get_model("users", "User").objects.create(email="old@example.com")
    old_apps.get_model("api", "Token").objects.create(user=owner, name="old", digest="0" * 64)

    executor = MigrationExecutor(connection)
    executor.migrate(after)
    token = Token.objects.get()
    assert token.expires_at == timezone.now() + timedelta(days=90)
    assert token.last_used_at is None
