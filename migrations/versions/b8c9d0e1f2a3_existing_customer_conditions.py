"""Events: the existing-customer exception's conditions on a basis assertion (hashed form 3).

Revision ID: b8c9d0e1f2a3
Revises: a7b8c9d0e1f2
Create Date: 2026-12-01 10:40:00
"""

import sqlalchemy as sa
from alembic import op

import consent.core.models

revision = "b8c9d0e1f2a3"
down_revision = "a7b8c9d0e1f2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("events") as batch_op:
        batch_op.add_column(sa.Column("sale_reference", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column(
                "opt_out_offered_at",
                consent.core.models.UTCDateTime(timezone=True),
                nullable=True,
            ))


def downgrade():
    with op.batch_alter_table("events") as batch_op:
        batch_op.drop_column("opt_out_offered_at")
        batch_op.drop_column("sale_reference")
