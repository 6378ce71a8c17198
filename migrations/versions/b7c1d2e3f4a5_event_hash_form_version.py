"""Events: the version of the hashed form, mailbox proof and given_at.

Revision ID: b7c1d2e3f4a5
Revises: 688e8e40f036
Create Date: 2026-12-01 06:40:00
"""

import sqlalchemy as sa
from alembic import op

import consent.core.models

revision = "b7c1d2e3f4a5"
down_revision = "688e8e40f036"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("events") as batch_op:
        # Rows written before this revision were hashed under form 1.
        batch_op.add_column(
            sa.Column("hash_version", sa.Integer(), nullable=False, server_default="1")
        )
        batch_op.add_column(sa.Column("mailbox_proof", sa.String(length=16), nullable=True))
        batch_op.add_column(
            sa.Column("given_at", consent.core.models.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade():
    with op.batch_alter_table("events") as batch_op:
        batch_op.drop_column("given_at")
        batch_op.drop_column("mailbox_proof")
        batch_op.drop_column("hash_version")
