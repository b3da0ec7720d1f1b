"""Background tasks (Celery, config/celery_app.py), queued in Redis: config/settings.py imports
this module at its end.

A task runs after the response, in a worker process: `celery --app config.celery_app worker`. Tasks
write their results to the database, so there is no result backend.
"""

import environ

from config.settings_redis import REDIS_URL

env = environ.Env()

CELERY_BROKER_URL = REDIS_URL
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task is taken off the queue once it has run, not when a worker receives it: the task of a
# worker that dies mid-run goes back to the queue (with Redis, once its visibility timeout, an hour
# by default, has passed), so a task may run twice and each must be idempotent. One task reserved
# at a time, so that a busy worker does not hold queued ones back.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Seconds: a stuck task is stopped (soft limit, an exception it can handle), then killed.
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
# Periodic tasks, which one Celery beat process sends to the queue on time:
# `celery --app config.celery_app beat`. Exactly one must run, or each task is sent once per beat.
# Every 30 s, the word counts that a broker outage kept from the queue are queued again (see
# requeue_uncounted in notes/tasks.py); a run that waited in the queue longer than that is
# dropped, as the next one does its work.
CELERY_BEAT_SCHEDULE = {
    "requeue-uncounted-notes": {
        "task": "shop.notes.tasks.requeue_uncounted",
        "schedule": 30.0,
        "options": {"expires": 30.0},
    },
}
# Run tasks in the process that queues them, without a worker or Redis (config/test_settings.py).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
