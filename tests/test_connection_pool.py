"""The pool pings a connection only after it sat idle (core/database.ping_when_idle), and
replaces one the server closed meanwhile, so the request that gets it still succeeds; a
read through the driver's own cursor (core/database.driver_rows) fails and converts as
SQLAlchemy's execution would."""

from datetime import UTC, timedelta

import pytest
from sqlalchemy import create_engine, literal_column, select, text
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.pool import NullPool

from consent import create_app
from consent.core import database
from consent.core.database import db
from consent.core.models import UTCDateTime
from tests.support.settings import config_on


@pytest.fixture
def pg_app(pg_url):
    """An app on PostgreSQL alone: only a server can close a connection on its side."""
    app = create_app(config_on(pg_url))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def backend() -> int:
    return db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()


def counting_pings(monkeypatch) -> list:
    pings = []
    dialect = db.engine.dialect
    real = dialect.do_ping
    monkeypatch.setattr(dialect, "do_ping", lambda c: pings.append(c) or real(c))
    return pings


def one_statement():
    db.session.execute(text("SELECT 1")).scalar_one()
    db.session.remove()  # the connection goes back to the pool


def test_a_connection_used_a_moment_ago_is_not_pinged(app, monkeypatch):
    pings = counting_pings(monkeypatch)
    clock = [database.time.monotonic()]  # stands still, however slow the machine
    monkeypatch.setattr(database.time, "monotonic", lambda: clock[0])
    one_statement()
    one_statement()
    assert pings == []
    clock[0] += database.PING_AFTER_IDLE_SECONDS
    one_statement()
    assert len(pings) == 1


def test_an_idle_connection_the_server_closed_is_replaced(pg_app, monkeypatch):
    first = backend()
    db.session.remove()
    admin = create_engine(pg_app.config["SQLALCHEMY_DATABASE_URI"], poolclass=NullPool)
    with admin.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
    admin.dispose()
    later = database.time.monotonic() + database.PING_AFTER_IDLE_SECONDS
    monkeypatch.setattr(database.time, "monotonic", lambda: later)
    assert backend() != first  # a new connection, and no error


def test_a_read_through_the_driver_on_a_closed_connection_fails_as_sqlalchemy_says(pg_app):
    """database.driver_rows runs past SQLAlchemy's execution, not past its error handling:
    the error is SQLAlchemy's, the connection is invalidated and the next request gets
    another."""
    first = backend()
    admin = create_engine(pg_app.config["SQLALCHEMY_DATABASE_URI"], poolclass=NullPool)
    with admin.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
    admin.dispose()
    with pytest.raises(OperationalError) as raised:
        database.driver_rows(select(literal_column("1")), {})
    assert raised.value.connection_invalidated
    db.session.rollback()
    assert backend() != first


def test_a_failing_read_through_the_driver_keeps_its_connection(pg_app):
    first = backend()
    with pytest.raises(DataError) as raised:
        database.driver_rows(select(literal_column("1 / 0")), {})
    assert not raised.value.connection_invalidated
    db.session.rollback()
    assert backend() == first


def test_a_read_through_the_driver_gives_times_in_utc(pg_app):
    """As SQLAlchemy gives them (models.UTCDateTime), whatever the session's time zone."""
    db.session.execute(text("SET TIME ZONE 'Europe/Oslo'"))
    now = literal_column("now()", UTCDateTime())
    [[at, pid]] = database.driver_rows(select(now, literal_column("pg_backend_pid()")), {})
    assert at.utcoffset() == timedelta(0) and at.tzinfo == UTC
    assert pid == backend()
    db.session.rollback()
