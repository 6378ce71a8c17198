"""The console finds people by the start of their address: an index that serves it.

Revision ID: 5a1c3e7b9d24
Revises: d0e1f2a3b4c5
Create Date: 2026-12-01 12:40:00
"""

from alembic import op

revision = "5a1c3e7b9d24"
down_revision = "d0e1f2a3b4c5"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_subjects_controller_email",
        "subjects",
        ["controller_id", "email"],
        postgresql_ops={"email": "varchar_pattern_ops"},
    )


def downgrade():
    op.drop_index("ix_subjects_controller_email", table_name="subjects")
