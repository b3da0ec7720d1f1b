"""Two-factor codes: each user's last accepted code step, and failures counted by factor.

Users keep no last step (NULL): their next code is accepted. Failed sign-ins recorded before
this migration were all failed passwords, and are kept as such.

Revision ID: 0007_two_factor_codes
Revises: 0006_token_expiry
Create Date: 2026-12-04

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0007_two_factor_codes"
down_revision = "0006_token_expiry"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user") as batch_op:
        batch_op.add_column(sa.Column("tf_totp_last_step", sa.Integer(), nullable=True))
    with op.batch_alter_table("failed_sign_in") as batch_op:
        batch_op.add_column(
            sa.Column("factor", sa.String(length=8), server_default="password", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("failed_sign_in") as batch_op:
        batch_op.drop_column("factor")
    with op.batch_alter_table("user") as batch_op:
        batch_op.drop_column("tf_totp_last_step")
