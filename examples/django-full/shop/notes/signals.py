"""What follows a write to a note. Receivers of Django's model signals, so that every way of saving
or deleting one (pages, admin, shell) is covered; apps.py connects them. Their work waits for the
transaction to commit."""

from functools import partial

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .caching import invalidate_list
from .models import Note
from .tasks import queue_count


@receiver(post_save, sender=Note, dispatch_uid="notes_saved")
def note_saved(sender, instance: Note, **kwargs) -> None:
    """Queue the count of its words, and give the cached list a new version."""
    # After the commit, or the worker could look for the note before it exists.
    transaction.on_commit(partial(queue_count, instance.pk))
    transaction.on_commit(invalidate_list)


@receiver(post_delete, sender=Note, dispatch_uid="notes_deleted")
def note_deleted(sender, instance: Note, **kwargs) -> None:
    """Give the cached list a new version."""
    transaction.on_commit(invalidate_list)
