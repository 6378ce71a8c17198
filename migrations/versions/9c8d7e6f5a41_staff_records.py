"""Staff records outside the ledger: notes, requests that arrive by mail and the events that
answer them, and the staff audit log (insert-only, like the ledger).

Revision ID: 9c8d7e6f5a41
Revises: 5a1c3e7b9d24
Create Date: 2026-12-01 12:40:00
"""

import sqlalchemy as sa
from alembic import op

import consent.core.models
from consent.core import append_only

revision = "9c8d7e6f5a41"
down_revision = "5a1c3e7b9d24"
branch_labels = None
depends_on = None

UTC = consent.core.models.UTCDateTime(timezone=True)


def _controller():
    return sa.Column("controller_id", sa.Integer(), sa.ForeignKey("controllers.id"), nullable=False)


def _staff(name, nullable=True):
    return sa.Column(name, sa.Integer(), sa.ForeignKey("staff_users.id"), nullable=nullable)


def upgrade():
    op.create_table(
        "staff_notes",
        sa.Column("id", sa.Integer(), primary_key=True),
        _controller(),
        sa.Column("subject_id", sa.Integer(), sa.ForeignKey("subjects.id"), nullable=False),
        sa.Column("receipt_id", sa.String(length=36), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        _staff("author_id"),
        sa.Column("created_at", UTC, nullable=False),
    )
    op.create_index("ix_staff_notes_subject_id", "staff_notes", ["subject_id"])
    op.create_index("ix_staff_notes_receipt_id", "staff_notes", ["receipt_id"])
    op.create_table(
        "subject_requests",
        sa.Column("id", sa.Integer(), primary_key=True),
        _controller(),
        sa.Column("subject_id", sa.Integer(), sa.ForeignKey("subjects.id"), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("extended_at", UTC, nullable=True),
        sa.Column("extension_reason", sa.Text(), nullable=True),
        sa.Column("reference", sa.String(length=200), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        _staff("recorded_by"),
        sa.Column("recorded_at", UTC, nullable=False),
        sa.Column("closed_at", UTC, nullable=True),
        _staff("closed_by"),
        sa.Column("outcome", sa.Text(), nullable=True),
    )
    op.create_index("ix_subject_requests_subject_id", "subject_requests", ["subject_id"])
    op.create_index(
        "ix_subject_requests_queue", "subject_requests", ["controller_id", "closed_at", "due_on"]
    )
    op.create_table(
        "subject_request_events",
        sa.Column(
            "request_id", sa.Integer(), sa.ForeignKey("subject_requests.id"), primary_key=True
        ),
        sa.Column("event_id", sa.String(length=36), sa.ForeignKey("events.id"), primary_key=True),
    )
    op.create_table(
        "staff_audit",
        sa.Column("id", sa.Integer(), primary_key=True),
        _controller(),
        _staff("staff_user_id"),
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("subject_ref", sa.String(length=32), nullable=True),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
    )
    op.create_index("ix_staff_audit_controller_at", "staff_audit", ["controller_id", "at"])
    dialect = op.get_bind().dialect.name
    for statement in append_only.create_statements(dialect, "staff_audit"):
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for statement in append_only.drop_statements(dialect, "staff_audit"):
        op.execute(statement)
    op.drop_index("ix_staff_audit_controller_at", table_name="staff_audit")
    op.drop_table("staff_audit")
    op.drop_table("subject_request_events")
    op.drop_index("ix_subject_requests_queue", table_name="subject_requests")
    op.drop_index("ix_subject_requests_subject_id", table_name="subject_requests")
    op.drop_table("subject_requests")
    op.drop_index("ix_staff_notes_receipt_id", table_name="staff_notes")
    op.drop_index("ix_staff_notes_subject_id", table_name="staff_notes")
    op.drop_table("staff_notes")
