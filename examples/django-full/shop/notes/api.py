"""The notes API: list (paginated), detail, create, replace, change, delete. Every operation needs a
bearer token or a signed-in browser session (with its CSRF token, to write), and sees the caller's
own notes only: another user's note is not found (404), not forbidden, so that its id says
nothing."""

from datetime import datetime
from typing import Annotated

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import get_object_or_404
from ninja import Field, Header, Query, Router, Schema, Status
from pydantic import AfterValidator, ConfigDict, StringConstraints, WithJsonSchema

from shop.api.auth import api_auth
from shop.api.errors import Error
from shop.api.idempotency import HEADER, KEY_PATTERN, idempotent

from .caching import FRAGMENT_TIMEOUT, list_version
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


class NotePatch(Schema):
    """What a client sends to change some of a note's fields; those left out stay as they are."""

    model_config = ConfigDict(strict=True, extra="forbid")

    # Left out, a field is not set (exclude_unset) and keeps its value; sent, it is held to NoteIn's
    # rules, and null is refused as it is not text (pydantic does not validate the default).
    title: Title = None
    body: Body = None


class NoteOut(Schema):
    id: int
    title: str
    body: str
    created_at: datetime = Field(description="When the note was created: ISO 8601, in UTC.")


class NotePage(Schema):
    items: list[NoteOut]
    count: int = Field(description="How many notes the caller has in all.")
    page: int
    page_size: int


class PageQuery(Schema):
    page: int = Field(1, ge=1, description="The page, from 1.")
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE, description="Notes per page.")


router = Router(tags=["notes"], auth=api_auth)
READ_ERRORS = {401: Error, 429: Error}
WRITE_ERRORS = {
    400: Error,
    401: Error,
    403: Error,
    413: Error,
    415: Error,
    422: Error,
    429: Error,
}


def own_notes(request):
    """The notes of the caller: the user of the token or of the session (request.auth)."""
    return Note.objects.filter(owner=request.auth)


def page_of_notes(request, page: int, page_size: int) -> dict[str, object]:
    """Page `page` (from 1) of the caller's notes, newest first, `page_size` a page, with their
    count."""
    notes = own_notes(request)
    count = notes.count()
    start = (page - 1) * page_size
    items = notes[start : start + page_size] if start < count else []
    return {"items": items, "count": count, "page": page, "page_size": page_size}


@router.get("", response={200: NotePage, 422: Error, **READ_ERRORS})
def list_notes(request, query: Query[PageQuery]):
    """The caller's notes, newest first, a page at a time. A page past the last one is empty.

    Each page is cached for its user, under the list's version (caching.py), which every committed
    write to a note replaces: the answer is never older than the last write.
    """
    key = f"notes:api:{list_version()}:{request.auth.pk}:{query.page}:{query.page_size}"
    body = cache.get(key)
    if body is None:
        page = page_of_notes(request, query.page, query.page_size)
        body = NotePage.model_validate(page).model_dump(mode="json")
        cache.set(key, body, timeout=FRAGMENT_TIMEOUT)
    return body


# The Idempotency-Key header, whose pattern the schema documents and idempotent() checks: a
# malformed key is 400, not a field error.
IdempotencyKeyHeader = Annotated[
    str | None, WithJsonSchema({"type": "string", "pattern": KEY_PATTERN})
]
IDEMPOTENCY_KEY = Header(
    None,
    alias=HEADER,
    description=(
        'Optional: e.g. "8e03978e-40d5-43e8-bc93-6894a57f9324", 1 to 255 printable ASCII '
        "characters, quoted or bare. A retry with the same key and body gets the first answer and "
        "creates nothing; with another body, 422; while the first still runs, 409 on PostgreSQL "
        f"(elsewhere it waits for the first). A key lasts {settings.API_IDEMPOTENCY_HOURS} hours."
    ),
)


@router.post("", response={201: NoteOut, 409: Error, **WRITE_ERRORS})
def create_note(request, payload: NoteIn, idempotency_key: IdempotencyKeyHeader = IDEMPOTENCY_KEY):
    """Add a note, owned by the caller; the answer is the note, with its id and creation time.
    With an Idempotency-Key, a retry of the request gets the same answer and adds no other note
    (api/idempotency.py)."""

    def create() -> tuple[int, dict]:
        note = Note.objects.create(owner=request.auth, **payload.model_dump())
        return 201, NoteOut.from_orm(note).model_dump()

    return Status(*idempotent(request, idempotency_key, create))


def note_or_404(request, note_id: int) -> Note:
    """The caller's note `note_id`; Http404 (answered 404) if they have none with this id."""
    if note_id > MAX_ID:
        return get_object_or_404(Note.objects.none())
    return get_object_or_404(own_notes(request), pk=note_id)


@router.get("/{int:note_id}", response={200: NoteOut, 404: Error, **READ_ERRORS})
def get_note(request, note_id: int):
    """One of the caller's notes; 404 if they have none with this id."""
    return note_or_404(request, note_id)


def change_note(request, note_id: int, fields: dict[str, str]) -> Note:
    """Set `fields` of the caller's note `note_id` and save them; Http404 as note_or_404."""
    note = note_or_404(request, note_id)
    for field, value in fields.items():
        setattr(note, field, value)
    note.save()
    return note


@router.put("/{int:note_id}", response={200: NoteOut, 404: Error, **WRITE_ERRORS})
def update_note(request, note_id: int, payload: NoteIn):
    """Replace a note's title and body."""
    return change_note(request, note_id, payload.model_dump())


@router.patch("/{int:note_id}", response={200: NoteOut, 404: Error, **WRITE_ERRORS})
def patch_note(request, note_id: int, payload: NotePatch):
    """Change the fields sent (any of title and body); the others stay as they are."""
    return change_note(request, note_id, payload.model_dump(exclude_unset=True))


@router.delete("/{int:note_id}", response={204: None, 404: Error, **WRITE_ERRORS})
def delete_note(request, note_id: int):
    """Delete a note; the answer has no body."""
    note_or_404(request, note_id).delete()
    return Status(204, None)
