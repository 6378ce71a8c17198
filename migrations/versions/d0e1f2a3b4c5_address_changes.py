"""Address changes: a new address waiting for the person to confirm it there (Art. 16).

Revision ID: d0e1f2a3b4c5
Revises: c9d0e1f2a3b4
Create Date: 2026-12-01 11:20:00
"""

import sqlalchemy as sa
from alembic import op

import consent.core.models

revision = "d0e1f2a3b4c5"
down_revision = "c9d0e1f2a3b4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "address_changes",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column("controller_id", sa.Integer(), sa.ForeignKey("controllers.id"), nullable=False),
        sa.Column("subject_id", sa.Integer(), sa.ForeignKey("subjects.id"), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("email_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "requested_at", consent.core.models.UTCDateTime(timezone=True), nullable=False
        ),
    )
    op.create_index("ix_address_changes_subject_id", "address_changes", ["subject_id"])


def downgrade():
    op.drop_index("ix_address_changes_subject_id", table_name="address_changes")
    op.drop_table("address_changes")
