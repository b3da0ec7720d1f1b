"""Background tasks, run by Celery workers (`celery --app make_celery worker`), with Redis as
their queue.

celery_init_app() gives the Flask app a Celery app, as Flask's documentation shows
(https://flask.palletsprojects.com/en/stable/patterns/celery/): each task runs inside the Flask
app's context, so it uses the database as a view does. Tasks are `@shared_task`s, bound to the
Celery app of whichever Flask app created one last: the worker's (make_celery.py) or the tests'.

No task is lost to a queue that does not answer: a note's `word_count` stays None until it is
counted, and `requeue_uncounted`, which Celery beat runs every REQUEUE_INTERVAL seconds
(`celery --app make_celery beat`; exactly one beat for the whole deployment), queues the counts
that are still missing: those whose queueing failed and those lost with the queue.

A note's count is queued once the transaction that writes its body commits: SQLAlchemy's session
events see every note written through `db.session`, whoever writes it; before the commit, a
worker could look for a note that is not there yet. Statements that bypass the session's objects
(`update()`, `delete()`, raw SQL) must set `word_count` to NULL where they change a body
themselves. A count that cannot be queued (Redis does not answer) leaves the write as it is,
saved, for requeue_uncounted.

A task's log lines carry the id of the request that queued it (request_id.py), sent along in the
task message's headers. The worker logs as the app does (configure_logging), not as Celery would.
"""

import logging

from celery import Celery, Task, shared_task
from celery.signals import before_task_publish, setup_logging, task_postrun, task_prerun
from flask import Flask
from kombu.exceptions import OperationalError as QueueUnavailable
from sqlalchemy import event, inspect, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, UOWTransaction

from . import task_metrics  # noqa: F401 (its signal receivers count the worker's tasks)
from .extensions import db
from .models import Note
from .request_id import current_request_id

logger = logging.getLogger(__name__)

# Seconds between two runs of requeue_uncounted, and how many notes each run queues at most.
REQUEUE_INTERVAL = 30
REQUEUE_BATCH = 500
# The key of `session.info` that holds the ids of the notes the transaction wrote a body to.
TO_COUNT = "notes_to_count"

# Celery's settings (https://docs.celeryq.dev/en/stable/userguide/configuration.html); each can be
# set in the `CELERY` dict of the configuration, or from the environment, e.g.
# FLASK_CELERY__task_always_eager=true.
SETTINGS = {
    "broker_connection_retry_on_startup": True,
    # Tasks write their results to the database: no result backend.
    "task_ignore_result": True,
    # A task is taken off the queue once it has run, not when a worker receives it: the task of a
    # worker that dies mid-run goes back to the queue (with Redis, once its visibility timeout, an
    # hour by default, has passed), so a task may run twice and each must be idempotent. One task
    # reserved at a time, so that a busy worker does not hold queued ones back.
    "task_acks_late": True,
    "task_reject_on_worker_lost": True,
    "worker_prefetch_multiplier": 1,
    # Seconds: a stuck task is stopped (soft limit, an exception it can handle), then killed.
    "task_soft_time_limit": 60,
    "task_time_limit": 90,
    # In the tests: tasks run where they are queued, at once, and their errors reach the test.
    "task_eager_propagates": True,
    # A request that queues a task while Redis does not answer waits at most about 2 s (two tries,
    # 1 s to connect each, 0.2 s apart) before it goes on without it (transaction_committed).
    "broker_transport_options": {"socket_connect_timeout": 1},
    "task_publish_retry_policy": {"max_retries": 1, "interval_start": 0.2},
    # Run by `celery --app make_celery beat`: the counts that are still missing.
    "beat_schedule": {
        "requeue-uncounted-notes": {
            "task": f"{__name__}.requeue_uncounted",
            "schedule": REQUEUE_INTERVAL,
        },
    },
}


def celery_init_app(app: Flask) -> Celery:
    """Create the Celery app of `app`, its broker `REDIS_URL`, and keep it in
    `app.extensions["celery"]`; return it."""

    class FlaskTask(Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(
        {**SETTINGS, "broker_url": app.config["REDIS_URL"], **app.config.get("CELERY", {})}
    )
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app


@setup_logging.connect
def keep_the_apps_logging(**kwargs: object) -> None:
    """The worker's records go where create_app's configure_logging sends them: with a receiver
    of this signal, Celery leaves logging alone instead of replacing its handlers."""


@before_task_publish.connect
def send_request_id(headers: dict[str, object], **kwargs: object) -> None:
    """Queue each task with the id of the request that queues it (None outside a request)."""
    headers["request_id"] = current_request_id.get()


@task_prerun.connect
def take_request_id(task: Task, **kwargs: object) -> None:
    """Log a task's lines with the id it was queued with. A task run eagerly (in the tests) runs
    in the request that queued it, and has its id already."""
    if not task.request.is_eager:
        current_request_id.set(task.request.get("request_id"))


@task_postrun.connect
def drop_request_id(task: Task, **kwargs: object) -> None:
    if not task.request.is_eager:
        current_request_id.set(None)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def count_words(note_id: int) -> int | None:
    """Count the words of note `note_id` (whitespace-separated) and store them in its `word_count`.

    Returns the count, or None when the note is gone. Idempotent: it counts the body as it is now,
    so a second run (a redelivered task, an older save's task) stores the same number. The note's
    row is locked from the read to the commit (SELECT ... FOR UPDATE, on PostgreSQL), so an edit
    saved meanwhile waits, then empties the count and queues its own. A database that cannot be
    reached or is busy (OperationalError) is retried up to 5 times, after 1, 2, 4, ... seconds
    (with jitter).
    """
    note = db.session.get(Note, note_id, with_for_update=True)
    if note is None:
        logger.info("Note %s is gone: no words to count", note_id)
        return None
    note.word_count = len(note.body.split())
    db.session.commit()
    logger.info("Note %s has %s words", note_id, note.word_count)
    return note.word_count


@shared_task
def requeue_uncounted() -> int:
    """Queue `count_words` for the notes whose words are not counted (`word_count` None), the
    oldest first, at most REQUEUE_BATCH; return how many were queued.

    Idempotent, as count_words is: a note whose count is queued already is counted twice, to the
    same number. Each count it queues expires after REQUEUE_INTERVAL seconds, when the next run
    queues it again if it is still missing, so that a queue that no worker empties does not fill
    up with copies.
    """
    uncounted = select(Note.id).where(Note.word_count.is_(None)).order_by(Note.id)
    note_ids = db.session.scalars(uncounted.limit(REQUEUE_BATCH)).all()
    # End the read: queueing needs no transaction, and an eager count (in the tests) opens its own.
    db.session.close()
    for note_id in note_ids:
        count_words.apply_async((note_id,), expires=REQUEUE_INTERVAL)
    if note_ids:
        logger.info("Queued the word counts of %s notes", len(note_ids))
    return len(note_ids)


@event.listens_for(db.session, "before_flush")
def body_changed(session: Session, flush_context: UOWTransaction, instances: object) -> None:
    """Forget the word count of a note whose body changes, in the same write: a note without one
    (None) is one whose words are not counted yet, which requeue_uncounted looks for."""
    for note in session.dirty:
        if isinstance(note, Note) and inspect(note).attrs.body.history.has_changes():
            note.word_count = None


@event.listens_for(db.session, "after_flush")
def note_flushed(session: Session, flush_context: UOWTransaction) -> None:
    """Remember the notes whose body is new or changed."""
    for note in session.new:
        if isinstance(note, Note):
            session.info.setdefault(TO_COUNT, set()).add(note.id)
    for note in session.dirty:
        # Only a new body needs a new count: the task's own write, of word_count, does not.
        if isinstance(note, Note) and inspect(note).attrs.body.history.has_changes():
            session.info.setdefault(TO_COUNT, set()).add(note.id)


@event.listens_for(db.session, "after_commit")
def transaction_committed(session: Session) -> None:
    """Queue the counts."""
    for note_id in sorted(session.info.pop(TO_COUNT, ())):
        try:
            count_words.delay(note_id)
        except QueueUnavailable as error:
            # The note is saved: the write succeeded, and requeue_uncounted queues the count once
            # the queue answers again.
            logger.warning("Count of note %s not queued: %s", note_id, error)


@event.listens_for(db.session, "after_rollback")
def transaction_rolled_back(session: Session) -> None:
    """Forget what the transaction wrote: none of it happened."""
    session.info.pop(TO_COUNT, None)
