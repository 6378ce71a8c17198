"""A change to a controller's own row (name, address, profile, …) gives it a new
catalogue_version too, so a page may keep the controller with its catalogue
(consent/core/catalogue_ddl.py, consent/core/catalogue_snapshot.py).

Revision ID: b3d5f7a9c1e4
Revises: a2c4e6f8b0d1
Create Date: 2026-12-01 23:40:00
"""

from alembic import op

from consent.core import catalogue_ddl

revision = "b3d5f7a9c1e4"
down_revision = "a2c4e6f8b0d1"
branch_labels = None
depends_on = None


def upgrade():
    for statement in catalogue_ddl.controller_statements(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade():
    for statement in catalogue_ddl.drop_controller_statements(op.get_bind().dialect.name):
        op.execute(statement)
