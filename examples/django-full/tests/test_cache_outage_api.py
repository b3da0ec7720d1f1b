"""While the cache's Redis is down (the dead_cache fixture), the API works: its rate limit lets
requests through."""

import pytest

from shop.api.models import Token
from shop.notes.models import Note

pytestmark = pytest.mark.django_db


def test_the_api_works_while_the_cache_is_down(
    dead_cache, client, user, settings, django_capture_on_commit_callbacks
):
    settings.API_RATE = "2/m"
    _, secret = Token.objects.issue(user, "tests")
    headers = {"Authorization": f"Bearer {secret}"}
    Note.objects.create(owner=user, title="Kept", body="in the database")
    # More requests than API_RATE: the limit cannot count without Redis, and fails open.
    for _ in range(3):
        response = client.get("/api/notes", headers=headers)
        assert response.status_code == 200
        assert [note["title"] for note in response.json()["items"]] == ["Kept"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/notes",
            {"title": "Written", "body": "while down"},
            content_type="application/json",
            headers=headers,
        )
    assert response.status_code == 201, response.content
    assert Note.objects.filter(title="Written").exists()
