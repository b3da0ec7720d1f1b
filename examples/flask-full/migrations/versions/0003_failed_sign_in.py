"""Sign-in lockout: the failed sign-ins of the last two cool-offs (lockout.py).

Revision ID: 0003_failed_sign_in
Revises: 0002_accounts
Create Date: 2026-11-22

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0003_failed_sign_in"
down_revision = "0002_accounts"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "failed_sign_in",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("failed_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_failed_sign_in")),
    )
    op.create_index(op.f("ix_failed_sign_in_email"), "failed_sign_in", ["email"], unique=False)
    op.create_index(
        op.f("ix_failed_sign_in_failed_at"), "failed_sign_in", ["failed_at"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_failed_sign_in_failed_at"), table_name="failed_sign_in")
    op.drop_index(op.f("ix_failed_sign_in_email"), table_name="failed_sign_in")
    op.drop_table("failed_sign_in")
