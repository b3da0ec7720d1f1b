"""While the cache's Redis is down (the dead_cache fixture), the pages and sign-in work, and the
rate limits let requests through."""

import pytest
from django.urls import reverse

from shop.notes.models import Note

pytestmark = pytest.mark.django_db


def test_pages_and_sign_in_work_while_the_cache_is_down(
    dead_cache, client, user, password, login_form, django_capture_on_commit_callbacks
):
    Note.objects.create(owner=user, title="Kept", body="in the database")
    assert client.get(reverse("login")).status_code == 200
    # Sessions are written to the database too: signing in needs no cache.
    response = client.post(reverse("login"), login_form(user.email, password))
    assert response.status_code == 302, response.content
    listing = client.get(reverse("notes:list"))
    assert listing.status_code == 200 and "Kept" in listing.text
    assert client.get(reverse("profile")).status_code == 200
    # The write's invalidation of the cached list, after the commit, fails quietly too.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("notes:create"), {"title": "Written", "body": "while down"})
    assert response.status_code == 302
    assert "Written" in client.get(reverse("notes:list")).text


def test_rate_limits_let_requests_through_while_the_cache_is_down(dead_cache, client, settings):
    # They cannot count without Redis: they fail open (RATELIMIT_FAIL_OPEN), not shut.
    settings.SIGN_UP_RATE = "1/h"
    for _ in range(3):
        assert client.get(reverse("sign_up")).status_code == 200
