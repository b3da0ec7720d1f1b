"""While two-factor sign-in is required of staff, a staff user signed in with a password alone gets
neither the API's docs and schema nor its tokens: they are sent to set up an authenticator app."""

from urllib.parse import quote

import pytest
from django.urls import reverse

from shop.api.models import Token

pytestmark = pytest.mark.django_db

STAFF_ONLY = ["/api/docs", "/api/openapi.json"]


@pytest.mark.parametrize("path", [*STAFF_ONLY, "/accounts/tokens/"])
def test_staff_without_a_second_factor_are_sent_to_set_one_up(client, staff_user, path):
    client.force_login(staff_user)  # as the password alone signs them in
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('two_factor:setup')}?next={quote(path)}"


def test_staff_without_a_second_factor_cannot_issue_or_revoke_a_token(client, staff_user):
    token, _ = Token.objects.issue(staff_user, "from the command")
    client.force_login(staff_user)
    response = client.post(reverse("tokens:list"), {"name": "with a password alone"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor:setup"))
    assert client.post(reverse("tokens:revoke", args=[token.pk])).status_code == 302
    assert list(Token.objects.all()) == [token]


def test_staff_with_an_app_who_signed_in_without_it_are_asked_for_its_code(client, staff_user):
    staff_user.totpdevice_set.create(name="default")
    client.force_login(staff_user)
    response = client.get("/api/docs")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={quote('/api/docs')}"


@pytest.mark.parametrize("path", STAFF_ONLY)
def test_staff_signed_in_with_their_app_get_the_docs(client, staff_user, sign_in, path):
    sign_in(client, staff_user)
    assert client.get(path).status_code == 200


def test_staff_signed_in_with_their_app_issue_tokens(client, staff_user, sign_in):
    sign_in(client, staff_user)
    assert client.post(reverse("tokens:list"), {"name": "deploy"}).status_code == 200
    assert staff_user.api_tokens.get().name == "deploy"


def test_everyone_else_issues_tokens_with_a_password_alone(client, user):
    client.force_login(user)
    assert client.post(reverse("tokens:list"), {"name": "laptop"}).status_code == 200
    assert user.api_tokens.get().name == "laptop"
