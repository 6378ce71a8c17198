"""The database handle the core writes through; bound to the app by create_app()."""

import sqlite3
import time
from functools import cache

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


# Request-scoped sessions: objects stay usable after the commit without reloading each one.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})


@sa_event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """SQLite: enforce foreign keys and wait for a writer instead of failing at once."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


# A connection handed back to the pool less than this long ago is used without a ping: it
# answered then. HikariCP's aliveBypassWindowMs, with its default of 500 ms.
PING_AFTER_IDLE_SECONDS = 0.5


def ping_when_idle(engine: Engine) -> None:
    """Ping a connection at checkout when it has been idle in the pool, and replace it when
    the server no longer answers (a restart, a failover, a proxy's idle timeout).

    SQLAlchemy's `pool_pre_ping` pings at every checkout: a round trip before every
    request's first statement, however busy the pool. A connection in use a moment ago needs
    none; should the server close it within that moment, its request fails, as it would had
    the server gone away just after a ping."""
    dialect = engine.dialect

    @sa_event.listens_for(engine, "checkin")
    def _returned(dbapi_connection, record):
        record.info["returned_at"] = time.monotonic()

    @sa_event.listens_for(engine, "checkout")
    def _ping(dbapi_connection, record, proxy):
        returned = record.info.get("returned_at")  # None: connected just now
        if returned is None or time.monotonic() - returned < PING_AFTER_IDLE_SECONDS:
            return
        try:
            alive = dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            if not dialect.is_disconnect(error, dbapi_connection, None):
                raise
            alive = False
        if not alive:
            # The pool closes this connection and checks out another (SQLAlchemy's pool events).
            raise DisconnectionError("the database closed the connection while it was idle")


def is_postgresql() -> bool:
    """The one test of which database the app runs on (SQLite or PostgreSQL)."""
    return db.session.get_bind().dialect.name == "postgresql"


def driver_rows(statement, parameters: dict) -> list[list]:
    """The rows of a Core SELECT with plain bound values, run with driver_execute, each
    value converted as SQLAlchemy converts it (an aware UTC time)."""
    connection = db.session.connection()
    sql, conversions = _for_the_driver(statement, connection.dialect)
    converted = []
    for row in _execute(connection, sql, parameters):
        row = list(row)
        for n, convert in conversions:
            row[n] = convert(row[n])
        converted.append(row)
    return converted


def driver_execute(sql: str, parameters: dict) -> list[tuple]:
    """Run one statement, written in the driver's parameter style, on the session's
    connection (in its transaction) with the driver's own cursor; its rows.

    For the two statements of a one-click (core/locked_read.py, core/writes.py):
    SQLAlchemy's execution around a statement (an execution context, a result, a processor
    call per value) cost the client half again what the statement itself does
    (BENCHMARKS.md). An error is raised as SQLAlchemy raises it, with a lost connection
    invalidated as SQLAlchemy invalidates it; SQLAlchemy's statement events do not see the
    statement."""
    return _execute(db.session.connection(), sql, parameters)


def _execute(connection, sql: str, parameters: dict) -> list[tuple]:
    dialect = connection.dialect
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql, parameters)
        return cursor.fetchall()
    except dialect.loaded_dbapi.Error as error:
        lost = dialect.is_disconnect(error, connection.connection.dbapi_connection, cursor)
        if lost:
            connection.invalidate(error)
        raise DBAPIError.instance(
            sql,
            parameters,
            error,
            dialect.loaded_dbapi.Error,
            hide_parameters=connection.engine.hide_parameters,
            connection_invalidated=lost,
            dialect=dialect,
        ) from error
    finally:
        cursor.close()


@cache
def _for_the_driver(statement, dialect) -> tuple[str, tuple]:
    """The statement's SQL in the driver's parameter style, and the columns whose values
    SQLAlchemy converts, with the conversion (compiled once per statement and dialect)."""
    conversions = (
        (n, column.type.result_processor(dialect, None))
        for n, column in enumerate(statement.selected_columns)
    )
    sql = str(statement.compile(dialect=dialect))
    return sql, tuple((n, convert) for n, convert in conversions if convert is not None)


def reading_only() -> bool:
    """Run the session's next statements outside a transaction (autocommit): a page that
    records nothing pays no BEGIN and ROLLBACK round trips. Only before the session's first
    statement (False, and nothing changed, when a transaction is already open), and only
    where nothing is written until `end_reading()`: each write would commit alone."""
    if db.session().get_transaction() is not None:
        return False
    db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    return True


def end_reading() -> None:
    """Hand the connection `reading_only()` took back (nothing was written: no round trip)."""
    db.session.commit()


def this_transaction() -> dict:
    """Notes that hold as long as the session's current transaction (begun here if it was
    not yet): a lock taken, rows read once. The next transaction starts with none."""
    session = db.session()
    transaction = session.get_transaction()
    if transaction is None:
        session.connection()  # begins the transaction the notes belong to
        transaction = session.get_transaction()
    notes = session.info.get("transaction_notes")
    if notes is None or notes[0] is not transaction:
        session.info["transaction_notes"] = notes = (transaction, {})
    return notes[1]


def once_per_transaction(key, compute):
    """What `compute()` returns, computed once in the session's current transaction: rows that
    several steps of one request read (a catalogue's current notices) are read once, and a
    later transaction reads them afresh. `forget_memos()` drops them when the transaction
    itself writes what they were computed from."""
    memo = this_transaction().setdefault("memo", {})
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def remember(key, value) -> None:
    """Give `once_per_transaction(key, …)` its value for this transaction."""
    this_transaction().setdefault("memo", {})[key] = value


def forget_memos(session) -> None:
    notes = session.info.get("transaction_notes")
    if notes is not None:
        notes[1].pop("memo", None)
