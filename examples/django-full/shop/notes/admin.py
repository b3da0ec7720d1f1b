from django.contrib import admin

from .models import Note


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    """Every note, whoever owns it, for staff with the notes permissions (and superusers). A note
    with no owner was written before notes had one: give it one, or delete it."""

    list_display = ("title", "owner", "created_at")
    # The owners of notes only, and "-" for the notes that have none.
    list_filter = ("created_at", ("owner", admin.RelatedOnlyFieldListFilter))
    search_fields = ("title", "body", "owner__email")
    date_hierarchy = "created_at"
    list_select_related = ("owner",)
