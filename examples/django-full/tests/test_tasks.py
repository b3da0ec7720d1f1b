"""The background task: a note's word count, queued once the note's transaction commits.

The test settings run tasks eagerly, in the test's own process (CELERY_TASK_ALWAYS_EAGER).
"""

import pytest
from django.db import OperationalError
from django.db.models import QuerySet

from shop.notes.models import Note
from shop.notes.tasks import count_words

pytestmark = pytest.mark.django_db


def test_a_new_note_gets_its_word_count_after_the_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        note = Note.objects.create(title="Counted", body="three short words")
    note.refresh_from_db()
    assert note.word_count is None, "nothing is queued before the commit"
    for callback in callbacks:
        callback()
    note.refresh_from_db()
    assert note.word_count == 3


def test_an_edit_counts_again(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        note = Note.objects.create(title="Edited", body="one")
    with django_capture_on_commit_callbacks(execute=True):
        note.body = "one two"
        note.save()
    note.refresh_from_db()
    assert note.word_count == 2


def test_the_task_is_idempotent():
    note = Note.objects.create(title="Twice", body="a b c d")
    assert count_words(note.pk) == count_words(note.pk) == 4
    note.refresh_from_db()
    assert note.word_count == 4


def test_a_count_of_a_body_edited_meanwhile_is_not_stored(monkeypatch):
    note = Note.objects.create(title="Raced", body="one two three")
    # The task read the body as it was before an edit that was saved while it counted.
    monkeypatch.setattr(QuerySet, "first", lambda queryset: "one")
    assert count_words(note.pk) == 1
    note.refresh_from_db()
    # The edit's own count, or the periodic requeue, stores it.
    assert note.word_count is None


def test_a_deleted_note_is_skipped():
    note = Note.objects.create(title="Gone", body="x")
    note.delete()
    assert count_words(note.pk) is None


def test_a_database_error_is_retried(monkeypatch):
    assert count_words.retry_backoff and count_words.max_retries == 5
    note = Note.objects.create(title="Flaky", body="a b")
    calls = []
    real_update = QuerySet.update

    def update_that_fails_once(queryset, **fields):
        calls.append(fields)
        if len(calls) == 1:
            raise OperationalError("the database went away")
        return real_update(queryset, **fields)

    monkeypatch.setattr(QuerySet, "update", update_that_fails_once)
    # Eagerly, a retry runs at once, without its backoff delay.
    result = count_words.apply(args=[note.pk], throw=False)
    assert result.get() == 2 and len(calls) == 2
    note.refresh_from_db()
    assert note.word_count == 2
