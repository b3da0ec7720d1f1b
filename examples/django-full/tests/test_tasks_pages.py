"""The background task's word count, on the notes' pages.

The test settings run tasks eagerly, in the test's own process (CELERY_TASK_ALWAYS_EAGER).
"""

import pytest
from django.urls import reverse

from shop.notes.models import Note

pytestmark = pytest.mark.django_db


def test_a_note_added_through_the_page_gets_its_word_count(
    client, user, django_capture_on_commit_callbacks
):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("notes:create"), {"title": "Counted", "body": "three short words"})
    note = Note.objects.get()
    assert "3 words" in client.get(reverse("notes:detail", args=[note.pk])).text


def test_the_note_page_says_when_words_are_not_counted_yet(client, user):
    note = Note.objects.create(owner=user, title="Fresh", body="Not yet.")
    client.force_login(user)
    assert "Words not counted yet." in client.get(reverse("notes:detail", args=[note.pk])).text
