"""Leaves without a foreign key to controllers. PostgreSQL checks such a key with one
lookup per inserted row: half the time of a checkpoint's INSERT of its leaves, a third of
the whole run (docs/scaling.md). The one writer of leaves, checkpoints.run, holds the
controller's advisory lock and names its id; controllers are never deleted.

On SQLite the table is rebuilt to lose the key, which drops its append-only triggers: they
are dropped first and created again (core/append_only.py).

Revision ID: a2c4e6f8b0d1
Revises: d1e3f5a7b9c2
Create Date: 2026-12-01 18:00:00
"""

import sqlalchemy as sa
from alembic import op

from consent.core import append_only

revision = "a2c4e6f8b0d1"
down_revision = "d1e3f5a7b9c2"
branch_labels = None
depends_on = None

# SQLite's key has no name: the batch rebuild names it by this convention to find it.
NAMING = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}


def _key_name(dialect: str) -> str:
    return (
        "leaves_controller_id_fkey"
        if dialect == "postgresql"
        else "fk_leaves_controller_id_controllers"
    )


def upgrade():
    dialect = op.get_bind().dialect.name
    for statement in append_only.drop_statements(dialect, "leaves"):
        op.execute(statement)
    with op.batch_alter_table("leaves", naming_convention=NAMING) as batch:
        batch.drop_constraint(_key_name(dialect), type_="foreignkey")
    for statement in append_only.create_statements(dialect, "leaves"):
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for statement in append_only.drop_statements(dialect, "leaves"):
        op.execute(statement)
    with op.batch_alter_table("leaves", naming_convention=NAMING) as batch:
        batch.create_foreign_key(_key_name(dialect), "controllers", ["controller_id"], ["id"])
    for statement in append_only.create_statements(dialect, "leaves"):
        op.execute(statement)
