"""The count of who is reachable now read from an index alone: the purpose, channel and
expiry of the reachable state rows (a partial index), so a million people are counted
without visiting the table (after VACUUM, its visibility map says the pages are all
visible).

Revision ID: b2d4f6a8c0e1
Revises: a9c8e7d6b5f4
Create Date: 2026-12-01 13:12:00
"""

import sqlalchemy as sa
from alembic import op

revision = "b2d4f6a8c0e1"
down_revision = "a9c8e7d6b5f4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_state_reachable_expiry",
        "state",
        ["purpose_id", "channel", "expires_at"],
        postgresql_where=sa.text("reachable"),
        sqlite_where=sa.text("reachable"),
    )


def downgrade():
    op.drop_index("ix_state_reachable_expiry", table_name="state")
