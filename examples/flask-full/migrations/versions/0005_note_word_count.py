"""Notes: the word count, stored by the background task (tasks.py).

Revision ID: 0005_note_word_count
Revises: 0004_api_tokens
Create Date: 2026-11-22

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0005_note_word_count"
down_revision = "0004_api_tokens"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("note") as batch_op:
        batch_op.add_column(sa.Column("word_count", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("note") as batch_op:
        batch_op.drop_column("word_count")
