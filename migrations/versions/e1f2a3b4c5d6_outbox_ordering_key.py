"""Outbox: an ordering key, so one person's webhooks leave in ledger order.

Revision ID: e1f2a3b4c5d6
Revises: f7a8b9c0d1e2
Create Date: 2026-12-01 12:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "e1f2a3b4c5d6"
down_revision = "f7a8b9c0d1e2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.add_column(sa.Column("ordering_key", sa.String(length=100), nullable=True))
        batch_op.create_index("ix_outbox_ordering_key", ["ordering_key"], unique=False)


def downgrade():
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.drop_index("ix_outbox_ordering_key")
        batch_op.drop_column("ordering_key")
