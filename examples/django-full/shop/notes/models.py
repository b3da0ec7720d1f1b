from django.conf import settings
from django.db import models


class Note(models.Model):
    """A short text, seen and changed by its owner alone (and by staff, in the admin)."""

    # The author; their notes go when their account is deleted. Null only for notes written before
    # notes had owners (migration 0004): no one's pages or API show those; staff give them an owner
    # in the admin, or delete them.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="notes"
    )
    title = models.CharField(max_length=200)
    # The database does not limit a TextField; forms (the admin's too) hold it to max_length.
    body = models.TextField(max_length=10_000)
    created_at = models.DateTimeField(auto_now_add=True)
    # Counted by a background task (tasks.py) after each save; empty (NULL) until it has run, which
    # is how tasks.requeue_uncounted finds the counts that were never queued or got lost.
    word_count = models.PositiveIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def save(self, **kwargs) -> None:
        # Every save queues a new count (signals.py): until it has run, the old one may be wrong.
        self.word_count = None
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "word_count"}
        super().save(**kwargs)
