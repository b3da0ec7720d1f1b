"""Notes: each belongs to its author, `owner_id` (deleted with the user).

Notes written before this migration keep no owner: no user's pages or API show them. They are
listed in the admin, where staff give each an owner (or delete it).

Revision ID: 0008_note_owner
Revises: 0007_two_factor_codes
Create Date: 2026-12-04

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008_note_owner"
down_revision = "0007_two_factor_codes"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("note") as batch_op:
        batch_op.add_column(sa.Column("owner_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_note_owner_id"), ["owner_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_note_owner_id_user"), "user", ["owner_id"], ["id"], ondelete="CASCADE"
        )


def downgrade():
    with op.batch_alter_table("note") as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_note_owner_id_user"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_note_owner_id"))
        batch_op.drop_column("owner_id")
