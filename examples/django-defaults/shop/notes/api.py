"""The notes API: list (paginated), detail, create, update, delete. Reading is public; writing
needs a bearer token or a signed-in browser session (with its CSRF token)."""

from datetime import datetime
from typing import Annotated

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from pydantic import AfterValidator, ConfigDict, StringConstraints

from shop.api.auth import write_auth
from shop.api.errors import Error

from .models import Note

# The largest id a BigAutoField holds: a larger one cannot name a note, and would overflow SQL.
MAX_ID = 2**63 - 1
MAX_PAGE_SIZE = 100


def storable(text: str) -> str:
    """`text` without the white space around it; ValueError for what databases refuse: NUL
    (PostgreSQL) and lone surrogates (not UTF-8), which JSON can carry."""
    if "\x00" in text:
        raise ValueError("must not contain NUL characters")
    try:
        text.encode()
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return text.strip()


# Text with something besides white space in it and no NUL, as the schema says, so that a
# client can tell from it that "   " is refused. The limits hold for the text as sent; it is
# stored trimmed.
TEXT = r"^[^\x00]*[^\s\x00][^\x00]*$"
Title = Annotated[
    str,
    StringConstraints(
        min_length=1,
        max_length=Note._meta.get_field("title").max_length,
        pattern=TEXT,
    ),
    AfterValidator(storable),
]
Body = Annotated[
    str,
    StringConstraints(
        min_length=1,
        max_length=Note._meta.get_field("body").max_length,
        pattern=TEXT,
    ),
    AfterValidator(storable),
]


class NoteIn(Schema):
    """What a client sends to create or replace a note."""

    # Strict: no coercion, so that `false` or `1` is not taken for text.
    model_config = ConfigDict(strict=True, extra="forbid")

    title: Title
    body: Body


class NoteOut(Schema):
    id: int
    title: str
    body: str
    created_at: datetime = Field(description="When the note was created: ISO 8601, in UTC.")


class NotePage(Schema):
    items: list[NoteOut]
    count: int = Field(description="How many notes there are in all.")
    page: int
    page_size: int


class PageQuery(Schema):
    page: int = Field(1, ge=1, description="The page, from 1.")
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE, description="Notes per page.")


router = Router(tags=["notes"])
WRITE_ERRORS = {400: Error, 401: Error, 403: Error, 413: Error, 422: Error}


def page_of_notes(page: int, page_size: int) -> dict[str, object]:
    """Page `page` (from 1) of the notes, newest first, `page_size` a page, with their count."""
    notes = Note.objects.all()
    count = notes.count()
    start = (page - 1) * page_size
    items = notes[start : start + page_size] if start < count else []
    return {"items": items, "count": count, "page": page, "page_size": page_size}


@router.get("", response={200: NotePage, 422: Error})
def list_notes(request, query: Query[PageQuery]):
    """The notes, newest first, a page at a time. A page past the last one is empty."""
    return page_of_notes(query.page, query.page_size)


@router.post("", response={201: NoteOut, **WRITE_ERRORS}, auth=write_auth)
def create_note(request, payload: NoteIn):
    """Add a note; the answer is the note, with its id and creation time."""
    return Status(201, Note.objects.create(**payload.model_dump()))


def note_or_404(note_id: int) -> Note:
    if note_id > MAX_ID:
        return get_object_or_404(Note.objects.none())
    return get_object_or_404(Note, pk=note_id)


@router.get("/{int:note_id}", response={200: NoteOut, 404: Error})
def get_note(request, note_id: int):
    """One note; 404 if there is none with this id."""
    return note_or_404(note_id)


@router.put("/{int:note_id}", response={200: NoteOut, 404: Error, **WRITE_ERRORS}, auth=write_auth)
def update_note(request, note_id: int, payload: NoteIn):
    """Replace a note's title and body."""
    note = note_or_404(note_id)
    for field, value in payload.model_dump().items():
        setattr(note, field, value)
    note.save()
    return note


@router.delete("/{int:note_id}", response={204: None, 404: Error, **WRITE_ERRORS}, auth=write_auth)
def delete_note(request, note_id: int):
    """Delete a note; the answer has no body."""
    note_or_404(note_id).delete()
    return Status(204, None)
