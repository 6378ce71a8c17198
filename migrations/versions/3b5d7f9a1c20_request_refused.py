"""A request closed without acting on it (in full) says so: the person was mailed the reasons
and their right to complain (Art. 12(4)).

Revision ID: 3b5d7f9a1c20
Revises: e1f2a3b4c5d6
Create Date: 2026-12-01 12:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "3b5d7f9a1c20"
down_revision = "e1f2a3b4c5d6"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("subject_requests") as batch_op:
        batch_op.add_column(
            sa.Column("refused", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade():
    with op.batch_alter_table("subject_requests") as batch_op:
        batch_op.drop_column("refused")
