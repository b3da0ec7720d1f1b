"""The notes API's marshmallow schemas: what a client sends, and what it gets back."""

from datetime import UTC, datetime

from marshmallow import Schema, ValidationError, fields, post_load, validate

from ..models import BODY_MAX_LENGTH, TITLE_MAX_LENGTH

MAX_PAGE_SIZE = 100
# Some text besides white space; and no NUL, which PostgreSQL cannot store in text, though JSON
# can carry it. Documented as the fields' pattern, so that a client (and schemathesis) knows that
# "  " is not a title.
TEXT = r"^[^\x00]*[^\x00\s][^\x00]*$"


class Text(fields.String):
    """A string. Refuses what is not a string (no number or boolean is taken for text) and lone
    surrogates, which are not Unicode text."""

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            text.encode()
        except UnicodeEncodeError:
            raise ValidationError("Must be valid Unicode text.") from None
        return text


class UTCDateTime(fields.DateTime):
    """A time as ISO 8601 in UTC, to the millisecond, with Z: 2026-01-31T12:00:00.123Z. A time
    without a zone, as SQLite returns them, is taken to be in UTC already."""

    def _serialize(self, value: datetime | None, attr, obj, **kwargs) -> str | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class NoteInSchema(Schema):
    """What a client sends to create or replace a note; any other field is refused."""

    # The limits hold for the text as sent, as the schema says; it is stored without the white
    # space around it.
    title = Text(
        required=True,
        validate=[validate.Length(min=1, max=TITLE_MAX_LENGTH), validate.Regexp(TEXT)],
    )
    body = Text(
        required=True,
        validate=[validate.Length(min=1, max=BODY_MAX_LENGTH), validate.Regexp(TEXT)],
    )

    @post_load
    def trim(self, data: dict[str, str], **kwargs) -> dict[str, str]:
        return {name: text.strip() for name, text in data.items()}


class NotePatchSchema(NoteInSchema):
    """What a client sends to update a note: any of its fields, each held as NoteInSchema holds
    it; any other field is refused."""

    def __init__(self, **kwargs) -> None:
        super().__init__(partial=True, **kwargs)


class NoteSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    body = fields.String(required=True)
    created_at = UTCDateTime(
        required=True, metadata={"description": "When the note was created: ISO 8601, in UTC."}
    )


class PageQuerySchema(Schema):
    page = fields.Integer(
        load_default=1, validate=validate.Range(min=1), metadata={"description": "From 1."}
    )
    page_size = fields.Integer(
        load_default=20,
        validate=validate.Range(min=1, max=MAX_PAGE_SIZE),
        metadata={"description": "Notes per page."},
    )


class NotePageSchema(Schema):
    items = fields.List(fields.Nested(NoteSchema), required=True)
    count = fields.Integer(required=True, metadata={"description": "How many notes in all."})
    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)
