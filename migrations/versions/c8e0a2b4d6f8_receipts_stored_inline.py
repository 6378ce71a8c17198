"""Receipts up to 4 kB are stored in their row as they are: PostgreSQL no longer compresses
a receipt's payload and moves it to the TOAST table, which cost every change a compression
and two more inserts (BENCHMARKS.md). A longer receipt is still compressed.

Revision ID: c8e0a2b4d6f8
Revises: b3d5f7a9c1e4
Create Date: 2026-12-02 07:00:00
"""

from alembic import op

from consent.core.models import RECEIPT_TOAST_TUPLE_TARGET

revision = "c8e0a2b4d6f8"
down_revision = "b3d5f7a9c1e4"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE receipts SET (toast_tuple_target = {RECEIPT_TOAST_TUPLE_TARGET})")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE receipts RESET (toast_tuple_target)")
