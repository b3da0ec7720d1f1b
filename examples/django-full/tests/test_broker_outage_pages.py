"""While the task queue's Redis is down (the broker_down fixture), a note written on a page is
saved, and counted once Redis is back."""

import pytest
from django.urls import reverse

from shop.notes import tasks
from shop.notes.models import Note

pytestmark = pytest.mark.django_db


def test_a_note_written_while_the_broker_is_down_is_saved(
    client, user, broker_down, django_capture_on_commit_callbacks, caplog
):
    # The count cannot be queued: the write is answered as saved, and the note waits, uncounted.
    client.force_login(user)
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("notes:create"), {"title": "Saved", "body": "while down"})
    assert response.status_code == 302
    note = Note.objects.get(title="Saved")
    assert note.word_count is None
    assert f"Could not queue the word count of note {note.pk}" in caplog.text
    # The broker is back (with the test settings' eager tasks): beat's next task counts it.
    assert tasks.requeue_uncounted() == 1
    note.refresh_from_db()
    assert note.word_count == 2
