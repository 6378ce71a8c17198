"""Mail-service events: one row per provider event id, so a replay changes nothing.

Revision ID: f7a8b9c0d1e2
Revises: 9c8d7e6f5a41
Create Date: 2026-12-01 12:30:00
"""

import sqlalchemy as sa
from alembic import op

import consent.core.models

revision = "f7a8b9c0d1e2"
down_revision = "9c8d7e6f5a41"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "mail_service_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("controller_id", sa.Integer(), sa.ForeignKey("controllers.id"), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("provider_event_id", sa.String(length=200), nullable=False),
        sa.Column("provider_kind", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("receipt_id", sa.String(length=36), nullable=True),
        sa.Column("received_at", consent.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("controller_id", "provider", "provider_event_id"),
    )


def downgrade():
    op.drop_table("mail_service_events")
