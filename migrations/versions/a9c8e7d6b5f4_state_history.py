"""State history: each state row's decision with the interval it held in, so a past instant
is an indexed query (time travel) instead of a replay of every chain.

Revision ID: a9c8e7d6b5f4
Revises: 3b5d7f9a1c20
Create Date: 2026-12-01 13:05:00

Backfill: the history is computed from the ledger (core/state_history.py), which a
migration does not run. Every controller with people is marked as having its state rebuilt
from the start (state_rebuilt_through = 0) and a rebuild is queued for the worker; until a
person is reached, their answers, now and in the past, are replayed from the ledger, as
after a catalogue change. `flask consent rebuild-state` does the same work at once.
"""

import sqlalchemy as sa
from alembic import op

import consent.core.models

revision = "a9c8e7d6b5f4"
down_revision = "3b5d7f9a1c20"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "state_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("purpose_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("valid_from", consent.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("valid_to", consent.core.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reachable", sa.Boolean(), nullable=False),
        sa.Column("basis", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=True),
        sa.Column("expires_at", consent.core.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["purpose_id"], ["purposes.id"]),
        sa.ForeignKeyConstraint(["subject_id"], ["subjects.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_state_history_reachable",
        "state_history",
        ["purpose_id", "channel", "reachable", "subject_id"],
    )
    op.create_index("ix_state_history_subject_id", "state_history", ["subject_id"])
    with_people = sa.text("SELECT DISTINCT controller_id FROM subjects ORDER BY controller_id")
    connection = op.get_bind()
    outbox = sa.table(
        "outbox",
        sa.column("kind", sa.String),
        sa.column("controller_id", sa.Integer),
        sa.column("payload", sa.JSON),
        sa.column("state", sa.String),
        sa.column("due_at", consent.core.models.UTCDateTime),
        sa.column("attempts", sa.Integer),
        sa.column("created_at", consent.core.models.UTCDateTime),
    )
    now = consent.core.models.utcnow()
    for (controller_id,) in connection.execute(with_people).all():
        connection.execute(
            sa.text("UPDATE controllers SET state_rebuilt_through = 0 WHERE id = :id"),
            {"id": controller_id},
        )
        connection.execute(
            outbox.insert().values(
                kind="rebuild_states",  # consent/core/catalogue/apply.py REBUILD_STATES
                controller_id=controller_id,
                payload={},
                state="pending",
                due_at=now,
                attempts=0,
                created_at=now,
            )
        )


def downgrade():
    op.drop_index("ix_state_history_subject_id", table_name="state_history")
    op.drop_index("ix_state_history_reachable", table_name="state_history")
    op.drop_table("state_history")
