"""The sample model, Note.

Delete it, with what uses it, and the `note` table (with a new migration: `flask db migrate -m
"Drop notes"`) once the project has models of its own.
"""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text, func
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from .accounts import User
from .extensions import db

TITLE_MAX_LENGTH = 200
# The database does not limit a Text column; forms and the API hold the body to this many
# characters.
BODY_MAX_LENGTH = 10_000


class Note(db.Model):
    """A titled note, which belongs to its author, its `owner`: pages and API show and change only
    the signed-in user's own notes, the admin everyone's. `created_at` is set by the database on
    insert."""

    __tablename__ = "note"

    id: Mapped[int] = mapped_column(primary_key=True)
    # None only for notes written before notes had owners (migration 0008_note_owner), which no
    # user sees until staff give them one in the admin. Deleting a user deletes their notes.
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    owner: Mapped[User | None] = relationship(backref=backref("notes", cascade="all"))
    title: Mapped[str] = mapped_column(String(TITLE_MAX_LENGTH))
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # Counted by a background task (tasks.py) after each change of the body; None until it has run.
    word_count: Mapped[int | None]
