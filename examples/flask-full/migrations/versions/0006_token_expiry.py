"""API tokens: when each expires, and when it was last used.

Tokens issued before this migration expire 90 days after it runs (the default lifetime of a new
token, FLASK_API_TOKEN_DAYS), so that none stops working at once; none has been used since.

Revision ID: 0006_token_expiry
Revises: 0005_note_word_count
Create Date: 2026-12-04

"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0006_token_expiry"
down_revision = "0005_note_word_count"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("api_token") as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True))
    api_token = sa.table("api_token", sa.column("expires_at", sa.DateTime(timezone=True)))
    op.execute(api_token.update().values(expires_at=datetime.now(UTC) + timedelta(days=90)))
    with op.batch_alter_table("api_token") as batch_op:
        batch_op.alter_column("expires_at", existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade():
    with op.batch_alter_table("api_token") as batch_op:
        batch_op.drop_column("last_used_at")
        batch_op.drop_column("expires_at")
