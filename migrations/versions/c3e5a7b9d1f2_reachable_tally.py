"""The reachable tally: changes to how many state rows reach, per purpose, channel and the
UTC day their consent lapses, so the reachable count sums a few rows (core/tally.py).

Revision ID: c3e5a7b9d1f2
Revises: b2d4f6a8c0e1
Create Date: 2026-12-01 13:30:00

Backfill: one row per key, counted from the state rows as they stand; from then on
triggers on state append each change (consent/core/tally_ddl.py).
"""

import sqlalchemy as sa
from alembic import op

import consent.core.models
from consent.core import tally_ddl

revision = "c3e5a7b9d1f2"
down_revision = "b2d4f6a8c0e1"
branch_labels = None
depends_on = None

# The UTC day of expires_at, as each database stores it (SQLite: naive UTC text).
DAY = {
    "postgresql": "date_trunc('day', expires_at, 'UTC')",
    "sqlite": "substr(expires_at, 1, 10) || ' 00:00:00.000000'",
}


def upgrade():
    op.create_table(
        "reachable_tally",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purpose_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("lapses_on", consent.core.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("delta", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["purpose_id"], ["purposes.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_reachable_tally_key", "reachable_tally", ["purpose_id", "channel", "lapses_on"]
    )
    dialect = op.get_bind().dialect.name
    day = DAY[dialect]
    op.execute(
        "INSERT INTO reachable_tally (purpose_id, channel, lapses_on, delta) "
        f"SELECT purpose_id, channel, {day}, count(*) FROM state WHERE reachable "
        f"GROUP BY purpose_id, channel, {day}"
    )
    for statement in tally_ddl.create_statements(dialect):
        op.execute(statement)


def downgrade():
    for statement in tally_ddl.drop_statements(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_index("ix_reachable_tally_key", table_name="reachable_tally")
    op.drop_table("reachable_tally")
