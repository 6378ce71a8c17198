"""Checkpoints: leaves, tree nodes, signed tree heads; the proof tables refuse rewrites.

Revision ID: e5f6a7b8c9d0
Revises: d4e5f6a7b8c9
Create Date: 2026-12-01 08:00:00

From here on events, receipts, leaves, tree_nodes, checkpoints and purpose_settings carry
triggers that refuse UPDATE and DELETE (consent/core/append_only.py). A later migration that
must change one of them drops the triggers, says so, and creates them again.
"""

import sqlalchemy as sa
from alembic import op

import consent.core.models
from consent.core import append_only

revision = "e5f6a7b8c9d0"
down_revision = "d4e5f6a7b8c9"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "leaves",
        sa.Column("controller_id", sa.Integer(), nullable=False),
        sa.Column("leaf_index", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("event_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["controller_id"], ["controllers.id"]),
        sa.PrimaryKeyConstraint("controller_id", "leaf_index"),
        sa.UniqueConstraint("event_id"),
    )
    op.create_table(
        "tree_nodes",
        sa.Column("controller_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("index", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["controller_id"], ["controllers.id"]),
        sa.PrimaryKeyConstraint("controller_id", "level", "index"),
    )
    op.create_table(
        "checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("controller_id", sa.Integer(), nullable=False),
        sa.Column("tree_size", sa.Integer(), nullable=False),
        sa.Column("root_hash", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.Integer(), nullable=False),
        sa.Column("jws", sa.Text(), nullable=False),
        sa.Column("frontier", sa.JSON(), nullable=False),
        sa.Column("covered_until", consent.core.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["controller_id"], ["controllers.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("controller_id", "tree_size"),
    )
    with op.batch_alter_table("checkpoints") as batch_op:
        batch_op.create_index("ix_checkpoints_controller_id", ["controller_id"], unique=False)
    with op.batch_alter_table("events") as batch_op:
        batch_op.create_index(
            "ix_events_controller_recorded", ["controller_id", "recorded_at"], unique=False
        )
    dialect = op.get_bind().dialect.name
    for table in append_only.TABLES:
        for statement in append_only.create_statements(dialect, table):
            op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for table in append_only.TABLES:
        for statement in append_only.drop_statements(dialect, table):
            op.execute(statement)
    with op.batch_alter_table("events") as batch_op:
        batch_op.drop_index("ix_events_controller_recorded")
    op.drop_table("checkpoints")
    op.drop_table("tree_nodes")
    op.drop_table("leaves")
