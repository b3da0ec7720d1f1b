"""The Celery app of the background workers: `celery --app config.celery_app worker`.

Its settings are Django's `CELERY_*` ones (see config/settings_tasks.py); it finds the tasks in each
installed app's `tasks.py`. Reference: https://docs.celeryq.dev/en/stable/django/

A task's log lines carry the id of the request that queued it (see request_id.py beside the
project's views.py), sent along in the task message's headers. The worker logs as the web app
does (settings.LOGGING). Each worker process sends its traces as config/tracing.py says.
"""

import os
from logging.config import dictConfig

from celery import Celery, Task
from celery.signals import (
    before_task_publish,
    setup_logging,
    task_postrun,
    task_prerun,
    worker_process_init,
)
from django.conf import settings

from config import tracing
from shop.request_id import current_request_id

from . import task_metrics  # noqa: F401 (its signal receivers count the worker's tasks)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def configure_logging(**kwargs: object) -> None:
    """Log as settings.LOGGING says: with a receiver of this signal, Celery leaves logging to it
    instead of replacing the handlers."""
    dictConfig(settings.LOGGING)


@worker_process_init.connect
def start_tracing(**kwargs: object) -> None:
    """Trace in each worker process, once it is forked from the main one (see config/tracing.py)."""
    tracing.init()


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
