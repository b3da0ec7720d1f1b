"""The background task's word count, for a note added through the API.

The test settings run tasks eagerly, in the test's own process (CELERY_TASK_ALWAYS_EAGER).
"""

import pytest

from shop.api.models import Token
from shop.notes.models import Note

pytestmark = pytest.mark.django_db


def test_a_note_added_through_the_api_gets_its_word_count(
    client, user, django_capture_on_commit_callbacks
):
    _, secret = Token.objects.issue(user, "tests")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/notes",
            {"title": "Counted", "body": "three short words"},
            content_type="application/json",
            headers={"Authorization": f"Bearer {secret}"},
        )
    assert response.status_code == 201, response.content
    assert Note.objects.get(pk=response.json()["id"]).word_count == 3
