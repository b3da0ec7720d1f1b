"""Background tasks of the notes app, run by Celery workers (config/celery_app.py).

No count is lost to a broker outage: a note's word_count stays empty (NULL) until count_words has
stored it, and requeue_uncounted, which Celery beat runs every CELERY_BEAT_SCHEDULE interval
(config/settings.py), queues it again for every note still without one.
"""

import logging

from celery import shared_task
from django.db import DatabaseError
from kombu.exceptions import OperationalError

from .models import Note

logger = logging.getLogger(__name__)

# Notes that one run of requeue_uncounted queues at most: a bound on what it adds to the queue.
REQUEUE_BATCH = 500


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=5)
def count_words(note_id: int) -> int | None:
    """Count the words of note `note_id` (whitespace-separated) and store them in its `word_count`.

    Returns the count, or None when the note is gone. Idempotent: it counts the body as it is now,
    so a second run (a redelivered or re-queued task, an older save's task) stores the same number.
    The count is stored only while the body is still the one counted: an edit saved meanwhile has
    emptied the count, and its own count (or requeue_uncounted) follows. A database error is
    retried up to 5 times, after 1, 2, 4, ... seconds (with jitter).
    """
    body = Note.objects.filter(pk=note_id).values_list("body", flat=True).first()
    if body is None:
        logger.info("Note %s is gone: no words to count", note_id)
        return None
    count = len(body.split())
    Note.objects.filter(pk=note_id, body=body).update(word_count=count)
    logger.info("Note %s has %s words", note_id, count)
    return count


def queue_count(note_id: int) -> None:
    """Queue count_words for note `note_id`. While the broker (Redis) cannot take it, log a warning
    and return: the note keeps an empty word_count, and requeue_uncounted queues it later, so that
    a saved note is not answered with an error."""
    try:
        count_words.delay(note_id)
    except OperationalError as error:
        logger.warning(
            "Could not queue the word count of note %s (%s); it is queued again once the broker "
            "is back",
            note_id,
            error,
        )


@shared_task
def requeue_uncounted() -> int:
    """Queue count_words again for the notes whose word_count is empty, oldest first, at most
    REQUEUE_BATCH of them; return how many.

    It finds the counts lost to a broker outage, and those of notes written without signals
    (`bulk_create`, `update`). It waits in the same queue as the counts, so those queued before it
    have mostly run when it does; a count it queues twice is stored twice, the same.
    """
    note_ids = list(
        Note.objects.filter(word_count__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:REQUEUE_BATCH]
    )
    for note_id in note_ids:
        count_words.delay(note_id)
    if note_ids:
        logger.info("Word counts queued again: %s", len(note_ids))
    return len(note_ids)
