"""Load the Celery app whenever Django starts, so that `@shared_task` tasks bind to it."""

from .celery_app import app as celery_app

__all__ = ("celery_app",)
