"""Storage for the write path (PostgreSQL): the tables a change updates keep a tenth of each
page free, so the person's row and a closed state history row are updated in place (HOT)
instead of moved to another page with a new entry in each index; receipts up to 4 kB are
stored in their row as they are, instead of compressed into the TOAST table with two more
inserts. BENCHMARKS.md measures both. Rows already stored keep their pages until the table
is rewritten (VACUUM FULL); new rows get the room.

Revision ID: c8e0a2b4d6f8
Revises: b3d5f7a9c1e4
Create Date: 2026-12-02 07:00:00
"""

from alembic import op

from consent.core.models import RECEIPT_TOAST_TUPLE_TARGET, ROOM_FOR_UPDATES

revision = "c8e0a2b4d6f8"
down_revision = "b3d5f7a9c1e4"
branch_labels = None
depends_on = None

SETTINGS = {
    "subjects": f"fillfactor = {ROOM_FOR_UPDATES}",
    "state_history": f"fillfactor = {ROOM_FOR_UPDATES}",
    "receipts": f"toast_tuple_target = {RECEIPT_TOAST_TUPLE_TARGET}",
}


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table, setting in SETTINGS.items():
            op.execute(f"ALTER TABLE {table} SET ({setting})")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table, setting in SETTINGS.items():
            op.execute(f"ALTER TABLE {table} RESET ({setting.split(' = ')[0]})")
