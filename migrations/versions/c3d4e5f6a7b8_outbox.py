"""The outbox: messages written with the change they report, delivered by the worker.

Revision ID: c3d4e5f6a7b8
Revises: b7c1d2e3f4a5
Create Date: 2026-12-01 07:00:00
"""

import sqlalchemy as sa
from alembic import op

import consent.core.models

revision = "c3d4e5f6a7b8"
down_revision = "b7c1d2e3f4a5"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("controller_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("recipient_hash", sa.String(length=64), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("due_at", consent.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", consent.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", consent.core.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["controller_id"], ["controllers.id"]),
        sa.ForeignKeyConstraint(["subject_id"], ["subjects.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.create_index("ix_outbox_state_due", ["state", "due_at"], unique=False)
        batch_op.create_index("ix_outbox_subject_id", ["subject_id"], unique=False)
        batch_op.create_index("ix_outbox_recipient_hash", ["recipient_hash"], unique=False)


def downgrade():
    op.drop_table("outbox")
