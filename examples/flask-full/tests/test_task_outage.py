"""While Redis does not answer, a write is saved though its word count cannot be queued; once Redis
is back, the periodic task queues the count, once."""

import pytest

from shop import tasks
from shop.extensions import db
from shop.models import Note

pytestmark = pytest.mark.redis_down


def word_counts(app) -> list[int | None]:
    with app.app_context():
        return db.session.scalars(db.select(Note.word_count)).all()


def test_a_write_while_the_queue_is_down_is_saved_then_counted_once_requeued(app, caplog):
    with app.app_context():
        db.session.add(Note(title="Saved", body="one two three"))
        db.session.commit()
    assert "not queued" in caplog.text
    assert word_counts(app) == [None]
    # Redis is back: the periodic task queues the count (run here, eagerly).
    app.extensions["celery"].conf.task_always_eager = True
    with app.app_context():
        assert tasks.requeue_uncounted() == 1
        assert tasks.requeue_uncounted() == 0
    assert word_counts(app) == [3]
