"""A controller's catalogue_version, changed by triggers whenever its purposes, their
settings or their notices change, so pages may keep the catalogue they read
(consent/core/catalogue_ddl.py, consent/core/catalogue_snapshot.py).

Revision ID: d1e3f5a7b9c2
Revises: c3e5a7b9d1f2
Create Date: 2026-12-01 16:00:00
"""

import sqlalchemy as sa
from alembic import op

from consent.core import catalogue_ddl

revision = "d1e3f5a7b9c2"
down_revision = "c3e5a7b9d1f2"
branch_labels = None
depends_on = None

# A random version per existing controller, as the triggers make them.
RANDOM = {
    "postgresql": "md5(random()::text || clock_timestamp()::text)",
    "sqlite": "lower(hex(randomblob(16)))",
}


def upgrade():
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table("controllers") as batch:
        batch.add_column(
            sa.Column("catalogue_version", sa.String(length=32), nullable=False, server_default="")
        )
    op.execute(f"UPDATE controllers SET catalogue_version = {RANDOM[dialect]}")
    for statement in catalogue_ddl.create_statements(dialect):
        op.execute(statement)


def downgrade():
    for statement in catalogue_ddl.drop_statements(op.get_bind().dialect.name):
        op.execute(statement)
    with op.batch_alter_table("controllers") as batch:
        batch.drop_column("catalogue_version")
