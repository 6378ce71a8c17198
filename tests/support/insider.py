"""An insider with database access: the append-only triggers dropped, rows rewritten."""

from sqlalchemy import text

from consent.core import append_only
from consent.core.database import db


def drop_triggers() -> None:
    dialect = db.engine.dialect.name
    for table in append_only.TABLES:
        for statement in append_only.drop_statements(dialect, table):
            db.session.execute(text(statement))
    db.session.commit()


def restore_triggers() -> None:
    dialect = db.engine.dialect.name
    for table in append_only.TABLES:
        for statement in append_only.create_statements(dialect, table):
            db.session.execute(text(statement))
    db.session.commit()
