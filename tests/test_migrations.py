"""`consent init-db` applies the migrations, and they build exactly the models' schema."""

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from consent import create_app
from consent.core.database import db
from consent.core.models import RECEIPT_TOAST_TUPLE_TARGET, ROOM_FOR_UPDATES
from tests.support.settings import config_on


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'migrated.sqlite'}"
    server = request.getfixturevalue("postgres_server")
    return server.database(f"migrations_{uuid.uuid4().hex[:12]}")


def test_init_db_builds_the_models_schema(empty_database):
    app = create_app(config_on(empty_database))
    result = app.test_cli_runner().invoke(args=["consent", "init-db"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, db.metadata) == []
        # Running it again is harmless.
        assert app.test_cli_runner().invoke(args=["consent", "init-db"]).exit_code == 0
        db.engine.dispose()


def test_migrated_leaves_refuse_changes(empty_database):
    """The migration that drops leaves' key to controllers rebuilds the table on SQLite;
    its append-only triggers are made again: a leaf refuses UPDATE and DELETE."""
    app = create_app(config_on(empty_database))
    assert app.test_cli_runner().invoke(args=["consent", "init-db"]).exit_code == 0
    with app.app_context():
        db.session.execute(text("INSERT INTO leaves VALUES (1, 0, 'e', :hash)"), {"hash": "0" * 64})
        for statement in ("UPDATE leaves SET event_hash = 'x'", "DELETE FROM leaves"):
            with pytest.raises(DBAPIError, match="append-only"):
                db.session.execute(text(statement))
            db.session.rollback()
            db.session.execute(
                text("INSERT INTO leaves VALUES (1, 0, 'e', :hash)"), {"hash": "0" * 64}
            )
        db.session.rollback()
        db.engine.dispose()


def test_the_write_path_storage_on_postgresql(postgres_server):
    """Built by the migrations as by the models: the tables a change updates leave room on
    each page for the new versions, and a receipt of up to 4 kB stays in its row."""
    expected = {
        "subjects": f"fillfactor={ROOM_FOR_UPDATES}",
        "state_history": f"fillfactor={ROOM_FOR_UPDATES}",
        "receipts": f"toast_tuple_target={RECEIPT_TOAST_TUPLE_TARGET}",
    }
    for built_by in ("migrations", "models"):
        app = create_app(config_on(postgres_server.database(f"storage_{uuid.uuid4().hex[:12]}")))
        with app.app_context():
            if built_by == "migrations":
                assert app.test_cli_runner().invoke(args=["consent", "init-db"]).exit_code == 0
            else:
                db.create_all()
            for table, option in expected.items():
                options = db.session.scalar(
                    text("SELECT reloptions FROM pg_class WHERE relname = :table"),
                    {"table": table},
                )
                assert option in (options or []), (built_by, table, options)
            db.session.remove()
            db.engine.dispose()
