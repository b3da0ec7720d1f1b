from django.db import models


class Note(models.Model):
    """A short text that anyone can read and signed-in people can write."""

    title = models.CharField(max_length=200)
    # The database does not limit a TextField; forms (the admin's too) hold it to max_length.
    body = models.TextField(max_length=10_000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title
