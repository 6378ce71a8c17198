"""Writing many rows in one statement: COPY on PostgreSQL, a multi-row INSERT on SQLite.

A bulk import writes thousands of events and state rows per batch; one statement per
table instead of one per row is what makes it cost about what the database itself needs
to store them. The rows go through the same columns as the ORM's, in the session's
transaction, so a batch still commits or rolls back as a whole.
"""

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import UTC

from sqlalchemy import Table, text

from consent.core.database import db, is_postgresql

# SQLite builds allow up to 32,766 bound values in one statement; stay below.
SQLITE_VALUES_PER_STATEMENT = 30_000


def insert(table: Table, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert `rows` (tuples in the order of `columns`) into `table`; the number written.

    Times must be aware datetimes (stored as UTC, as models.UTCDateTime does); JSON
    columns take the JSON text."""
    if is_postgresql():
        return _copy(table, columns, rows)
    return _multi_row_insert(table, columns, rows)


def _copy(table: Table, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    raw = db.session.connection().connection.driver_connection
    names = ", ".join(f'"{name}"' for name in columns)
    count = 0
    with raw.cursor() as cursor:
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


def _sqlite_value(value):
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        # What models.UTCDateTime stores on SQLite: naive UTC, as SQLAlchemy writes it.
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def _multi_row_insert(table: Table, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    names = ", ".join(f'"{name}"' for name in columns)
    one = "(" + ", ".join("?" * len(columns)) + ")"
    raw = db.session.connection().connection.driver_connection
    # As many rows as this SQLite build allows bound values in one statement.
    allowed = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    per_statement = max(1, min(allowed, SQLITE_VALUES_PER_STATEMENT) // len(columns))
    cursor = raw.cursor()
    count, chunk = 0, []

    def flush():
        if chunk:
            values = ", ".join([one] * (len(chunk) // len(columns)))
            cursor.execute(f'INSERT INTO "{table.name}" ({names}) VALUES {values}', chunk)

    try:
        for row in rows:
            chunk.extend(_sqlite_value(value) for value in row)
            count += 1
            if count % per_statement == 0:
                flush()
                chunk = []
        flush()
    finally:
        cursor.close()
    return count


def next_ids(table: Table, how_many: int) -> list[int]:
    """`how_many` fresh primary keys for `table`, for rows written by `insert` with their ids.

    PostgreSQL draws them from the table's sequence. On SQLite the caller holds the write
    lock (`lock_for_writing`), so the keys after the largest one are free."""
    if how_many == 0:
        return []
    if is_postgresql():
        return list(
            db.session.scalars(
                text(
                    f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) "
                    "FROM generate_series(1, :n)"
                ),
                {"n": how_many},
            )
        )
    largest = db.session.scalar(text(f'SELECT coalesce(max(id), 0) FROM "{table.name}"'))
    return list(range(largest + 1, largest + 1 + how_many))


def lock_for_writing(table: Table, key: int) -> None:
    """On SQLite, take the database's write lock now (a write that changes nothing), so what
    is read next stays true until the commit. PostgreSQL locks rows instead (FOR UPDATE)."""
    if not is_postgresql():
        db.session.execute(text(f'UPDATE "{table.name}" SET id = id WHERE id = :key'), {"key": key})
