"""The background task: a note's word count, queued once the note's transaction commits.

The tests run tasks eagerly, in the test's own process (`task_always_eager` in
database_fixtures.py).
"""

import pytest
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from shop.accounts import user_datastore
from shop.extensions import db
from shop.models import Note
from shop.tasks import SETTINGS, count_words, requeue_uncounted


@pytest.fixture
def queued(monkeypatch) -> list[int]:
    """The ids of the notes whose count is queued, in order; the counts are not run."""
    ids: list[int] = []
    monkeypatch.setattr(count_words, "delay", ids.append)
    return ids


def add_note(app, body: str) -> int:
    with app.app_context():
        note = Note(title="A note", body=body)
        db.session.add(note)
        db.session.commit()
        return note.id


def word_count(app, note_id: int) -> int | None:
    with app.app_context():
        return db.session.get(Note, note_id).word_count


def test_a_note_added_through_the_page_gets_its_word_count(client, csrf_token, make_user, login):
    make_user("ada@example.com")
    login("ada@example.com")
    data = {"csrf_token": csrf_token("/notes/"), "title": "Counted", "body": "three short words"}
    assert client.post("/notes/", data=data).status_code == 302
    assert "3 words" in client.get("/notes/").text


def test_the_count_is_queued_after_the_commit_only(app, queued):
    with app.app_context():
        note = Note(title="Pending", body="one two")
        db.session.add(note)
        db.session.flush()
        assert queued == [], "nothing is queued before the commit"
        db.session.commit()
        assert queued == [note.id]


def test_a_rolled_back_note_is_never_counted(app, queued):
    with app.app_context():
        db.session.add(Note(title="Undone", body="one"))
        db.session.flush()
        db.session.rollback()
        db.session.add(Note(title="Kept", body="two"))
        db.session.commit()
        assert len(queued) == 1
        assert db.session.get(Note, queued[0]).title == "Kept"


def test_the_list_says_when_words_are_not_counted_yet(app, client, queued, make_user, login):
    make_user("ada@example.com")
    login("ada@example.com")
    with app.app_context():
        owner = user_datastore.find_user(email="ada@example.com")
        db.session.add(Note(title="A note", body="Not yet.", owner=owner))
        db.session.commit()
    assert "Words not counted yet." in client.get("/notes/").text


def test_an_edit_of_the_body_counts_again_and_the_tasks_own_write_queues_nothing(app):
    note_id = add_note(app, "one")
    assert word_count(app, note_id) == 1
    with app.app_context():
        db.session.get(Note, note_id).body = "one two"
        db.session.commit()
    assert word_count(app, note_id) == 2


def test_an_edit_of_the_body_forgets_the_count_in_the_same_write(app, queued):
    note_id = add_note(app, "one")
    with app.app_context():
        db.session.execute(db.update(Note).values(word_count=1))
        db.session.commit()
        note = db.session.get(Note, note_id)
        note.title = "Renamed"
        db.session.commit()
        assert note.word_count == 1, "a new title keeps the count"
        note.body = "one two"
        db.session.flush()
        assert note.word_count is None
        db.session.commit()
    assert word_count(app, note_id) is None
    assert queued == [note_id, note_id]


def test_the_periodic_requeue_queues_the_uncounted_notes_oldest_first(app, queued, monkeypatch):
    schedule = SETTINGS["beat_schedule"]["requeue-uncounted-notes"]
    assert schedule == {"task": requeue_uncounted.name, "schedule": 30}
    first, second, third = (add_note(app, "x") for _ in range(3))
    queued.clear()
    monkeypatch.setattr("shop.tasks.REQUEUE_BATCH", 2)
    requeued = []
    monkeypatch.setattr(count_words, "apply_async", lambda args, **options: requeued.append(args))
    with app.app_context():
        assert requeue_uncounted() == 2
    assert requeued == [(first,), (second,)]


def test_the_task_is_idempotent(app, queued):
    note_id = add_note(app, "a b c d")
    assert count_words(note_id) == count_words(note_id) == 4
    assert word_count(app, note_id) == 4


def test_a_deleted_note_is_skipped(app, queued):
    note_id = add_note(app, "x")
    with app.app_context():
        db.session.delete(db.session.get(Note, note_id))
        db.session.commit()
    assert count_words(note_id) is None


def test_a_database_error_is_retried(app, queued, monkeypatch):
    assert count_words.retry_backoff and count_words.max_retries == 5
    note_id = add_note(app, "a b")
    calls = []
    real_commit = Session.commit

    def commit_that_fails_once(session):
        calls.append(session)
        if len(calls) == 1:
            raise OperationalError("COMMIT", {}, ConnectionError("the database went away"))
        return real_commit(session)

    monkeypatch.setattr(Session, "commit", commit_that_fails_once)
    # Eagerly, a retry runs at once, without its backoff delay.
    result = count_words.apply(args=[note_id], throw=False)
    assert result.get() == 2 and len(calls) == 2
    assert word_count(app, note_id) == 2
