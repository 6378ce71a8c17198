"""The writes of one recorded change, sent to the database together.

A change writes its events, the subject's chain head, the state rows that changed, the
closing and opening rows of their history and its receipt; nothing in the transaction
reads them back before the commit. On PostgreSQL they go as one statement, each a
data-modifying WITH clause: one round trip instead of six, which is most of what a
one-click costs beyond its rules (BENCHMARKS.md). PostgreSQL runs every clause with the
same snapshot, so none may depend on another's effect or write a row another writes; the
ones collected here never do (new events, one subject row, one state row per decision that
changed, history rows closed before the new ones open, a new receipt). SQLite, in process,
runs them one by one, in the order added.

On PostgreSQL each clause takes its row as one JSON value (`json_populate_record`), so the
statement's text depends only on which tables and columns it writes: it is built once per
such shape and the driver parses and prepares it once, where a statement with a bound
value per column (sixty for a one-click) was built, keyed and parsed on every change. It
goes with the driver's own cursor (database.driver_execute).

An UPDATE may be expected to write exactly one row (a state row that should be there);
when one does not, the fallbacks given to `if_a_row_is_missing` run after the others, in
the same transaction.
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson
from sqlalchemy import Table, and_, insert, update

from consent.core.database import db, driver_execute, is_postgresql


class JsonText(str):
    """A JSON column's value that is JSON text already (a receipt's payload, serialised once
    for its signature): stored as that text, not encoded a second time."""


# Statement texts by shape; a shape is a few tables and columns, so there are few.
_TEXTS: dict[tuple, str] = {}
MOST_TEXTS = 256


@dataclass(frozen=True)
class _Shape:
    """What a write's text depends on: its table, the columns it sets, what finds its row."""

    table: Table
    columns: tuple[str, ...]
    where: tuple[str, ...] = ()  # for an UPDATE: columns equal to the row's values
    where_null: tuple[str, ...] = ()  # and columns that must be NULL
    one_row: bool = False

    @property
    def is_update(self) -> bool:
        return bool(self.where or self.where_null)


class Writes:
    """INSERTs and UPDATEs of one change, each with its row, to send as one."""

    def __init__(self):
        self._writes: list[tuple[_Shape, dict]] = []
        self._fallbacks = []

    def insert(self, table: Table, row: dict) -> None:
        self._writes.append((_Shape(table, tuple(row)), row))

    def update(self, table: Table, where: dict, values: dict, one_row: bool = False) -> None:
        """Set `values` on the rows whose columns equal `where` (None: IS NULL)."""
        if not where:
            raise ValueError("an UPDATE names the row it changes")
        found_by = tuple(name for name, value in where.items() if value is not None)
        null = tuple(name for name, value in where.items() if value is None)
        if set(found_by) & set(values):
            raise ValueError("a column that finds the row cannot also be set")
        shape = _Shape(table, tuple(values), found_by, null, one_row)
        self._writes.append((shape, {**values, **{name: where[name] for name in found_by}}))

    def if_a_row_is_missing(self, fallback) -> None:
        self._fallbacks.append(fallback)

    def send(self) -> None:
        writes, self._writes = self._writes, []
        fallbacks, self._fallbacks = self._fallbacks, []
        if not writes:
            return
        if is_postgresql():
            counts = _send_as_one(writes)
        else:
            counts = []
            for shape, row in writes:
                written = _execute(shape, row)
                if shape.one_row:
                    counts.append(written)
        if any(count != 1 for count in counts):
            for fallback in fallbacks:
                fallback()


def _execute(shape: _Shape, row: dict) -> int:
    """One write as a Core statement (SQLite); the number of rows it wrote."""
    table = shape.table
    row = {name: json.loads(v) if type(v) is JsonText else v for name, v in row.items()}
    if not shape.is_update:
        return db.session.connection().execute(insert(table).values(row)).rowcount
    found = [table.c[name] == row[name] for name in shape.where]
    found += [table.c[name].is_(None) for name in shape.where_null]
    statement = update(table).where(and_(*found)).values({c: row[c] for c in shape.columns})
    return db.session.connection().execute(statement).rowcount


def _send_as_one(writes) -> list[int]:
    shapes = tuple(shape for shape, _row in writes)
    text = _TEXTS.get(shapes)
    if text is None:
        if len(_TEXTS) >= MOST_TEXTS:
            _TEXTS.clear()
        text = _TEXTS[shapes] = _statement(shapes)
    values = {f"w{n}": _json_row(row) for n, (_s, row) in enumerate(writes)}
    [counts] = driver_execute(text, values)
    return list(counts) if any(shape.one_row for shape in shapes) else []


def _statement(shapes: tuple[_Shape, ...]) -> str:
    """WITH w0 AS (…), w1 AS (…) SELECT <rows written by each write that must find one>."""
    clauses = [f"w{n} AS ({_clause(shape, f'w{n}')})" for n, shape in enumerate(shapes)]
    counted = [f"(SELECT count(*) FROM w{n})" for n, s in enumerate(shapes) if s.one_row]
    return f"WITH {', '.join(clauses)} SELECT {', '.join(counted) or '1'}"


def _clause(shape: _Shape, name: str) -> str:
    table = shape.table.name
    record = f"json_populate_record(NULL::{table}, %({name})s::json)"
    if not shape.is_update:
        columns = ", ".join(shape.columns)
        return f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {record}"
    assignments = ", ".join(f"{column} = r.{column}" for column in shape.columns)
    found = [f"t.{column} = r.{column}" for column in shape.where]
    found += [f"t.{column} IS NULL" for column in shape.where_null]
    returning = " RETURNING 1" if shape.one_row else ""
    return (
        f"UPDATE {table} AS t SET {assignments} FROM {record} AS r "
        f"WHERE {' AND '.join(found)}{returning}"
    )


def _json_row(row: dict) -> str:
    """The row as one JSON object; a JsonText value goes in as the JSON it already is."""
    texts = {name: value for name, value in row.items() if type(value) is JsonText}
    if not texts:
        return _dumps(row)
    rest = {name: value for name, value in row.items() if name not in texts}
    members = [_dumps(rest)[1:-1]] if rest else []
    members += [f"{json.dumps(name)}: {value}" for name, value in texts.items()]
    return "{" + ", ".join(members) + "}"


def _dumps(row: dict) -> str:
    """A row's JSON with orjson, in a tenth of the json module's time (a one-click writes
    eight rows); times still pass through _json_value, whose refusal is raised as it is."""
    try:
        return orjson.dumps(
            row, default=_json_value, option=orjson.OPT_PASSTHROUGH_DATETIME
        ).decode()
    except orjson.JSONEncodeError as error:
        raise error.__cause__ or error from None


def _json_value(value):
    """Times as models.UTCDateTime stores them: aware, in UTC."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime given; times are stored as aware UTC")
        return value.astimezone(UTC).isoformat()
    raise TypeError(f"{type(value).__name__} is not a column value")
