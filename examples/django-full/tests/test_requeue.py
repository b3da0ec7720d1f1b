"""Word counts that a broker outage kept from the queue are queued again, by Celery beat."""

import pytest

from shop.notes import tasks
from shop.notes.models import Note

pytestmark = pytest.mark.django_db


def test_uncounted_notes_are_queued_again():
    # Written without signals (as a lost task leaves them): nothing queued their counts.
    Note.objects.bulk_create(
        [Note(title="One", body="a"), Note(title="Two", body="a b"), Note(title="Three", body="c")]
    )
    Note.objects.filter(title="Three").update(word_count=1)
    # The test settings run each queued count at once.
    assert tasks.requeue_uncounted() == 2
    assert dict(Note.objects.values_list("title", "word_count")) == {
        "One": 1,
        "Two": 2,
        "Three": 1,
    }
    assert tasks.requeue_uncounted() == 0


def test_requeueing_is_bounded(monkeypatch):
    monkeypatch.setattr(tasks, "REQUEUE_BATCH", 2)
    Note.objects.bulk_create([Note(title=str(number), body="x") for number in range(3)])
    assert tasks.requeue_uncounted() == 2
    assert Note.objects.filter(word_count__isnull=True).count() == 1


def test_an_edit_empties_the_count_until_it_is_counted_again(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        note = Note.objects.create(title="Edited", body="one")
    note.refresh_from_db()
    assert note.word_count == 1
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        note.body = "one two"
        note.save(update_fields=["body"])
    note.refresh_from_db()
    assert note.word_count is None, "a count of the old body is not kept"
    for callback in callbacks:
        callback()
    note.refresh_from_db()
    assert note.word_count == 2


def test_celery_beat_queues_them_again_every_30_seconds(settings):
    (entry,) = settings.CELERY_BEAT_SCHEDULE.values()
    assert entry["task"] == tasks.requeue_uncounted.name
    assert entry["schedule"] == 30
