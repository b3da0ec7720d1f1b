"""The API's rate limits: API_RATE per client address and per token or signed-in user, 429 in the
error shape with Retry-After past either."""

import pytest
from django.urls import reverse

from shop.api.models import Token

pytestmark = pytest.mark.django_db

NOTES = "/api/notes"
TOO_MANY = {
    "code": 429,
    "status": "Too Many Requests",
    "message": "Too many requests: try again after the time in Retry-After.",
}


@pytest.fixture(autouse=True)
def default_rate(settings):
    """The default rate, whatever the environment sets."""
    settings.API_RATE = "60/m"


def note(client, secret: str, address: str = "127.0.0.1"):
    return client.post(
        NOTES,
        {"title": "T", "body": "B"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
        REMOTE_ADDR=address,
    )


def test_a_hundred_quick_requests_get_429_with_retry_after(client, user, clock):
    _, secret = Token.objects.issue(user, "busy script")
    responses = [note(client, secret) for _ in range(100)]
    assert [response.status_code for response in responses] == [201] * 60 + [429] * 40
    limited = responses[-1]
    assert limited.json() == TOO_MANY
    wait = int(limited["Retry-After"])
    assert 1 <= wait <= 60

    clock.shift(wait - 1)
    assert note(client, secret).status_code == 429
    clock.shift(1)
    assert note(client, secret).status_code == 201


def test_each_token_has_its_own_limit_whatever_the_address(client, user, clock):
    _, secret = Token.objects.issue(user, "spread out")
    _, other = Token.objects.issue(user, "another")
    statuses = [note(client, secret, f"10.0.0.{number}").status_code for number in range(61)]
    assert statuses == [201] * 60 + [429]
    assert note(client, other, "10.0.1.1").status_code == 201


def test_each_address_has_its_own_limit_whatever_the_tokens(client, user, clock):
    secrets = [Token.objects.issue(user, f"token {number}")[1] for number in range(61)]
    statuses = [note(client, secret, "10.0.0.1").status_code for secret in secrets]
    assert statuses == [201] * 60 + [429]
    # Unknown tokens count too: guessing them meets the same limit.
    assert note(client, "guess", "10.0.0.1").status_code == 429
    assert note(client, secrets[0], "10.0.0.2").status_code == 201


def test_a_signed_in_user_has_a_limit_too(client, user, sign_in, clock):
    sign_in(client, user)
    statuses = [
        client.get(NOTES, REMOTE_ADDR=f"10.0.0.{number}").status_code for number in range(61)
    ]
    assert statuses == [200] * 60 + [429]


def test_the_rest_of_the_site_is_not_counted(client, user, clock):
    _, secret = Token.objects.issue(user, "busy script")
    for _ in range(60):
        note(client, secret)
    assert note(client, secret).status_code == 429
    assert client.get(reverse("login")).status_code == 200
