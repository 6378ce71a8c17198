"""The reachable list on PostgreSQL, streamed as the database's own COPY output.

A million rows read as ORM rows and dumped one by one by Python cost seconds; PostgreSQL
formats them itself in a fraction of that. The list's query (reachability.py, the same
SQL the row-by-row path runs) is wrapped in `COPY (…) TO STDOUT`: CSV in PostgreSQL's CSV
format, NDJSON as one JSON text a row that the database builds. COPY's text format doubles
every backslash (a JSON text holds no control characters to escape otherwise) and each
CopyData message carries exactly one row, so a row is undone by halving its backslashes.
Rows are handed on in pieces of about CHUNK bytes, so memory stays flat.
"""

from sqlalchemy import Text, case, cast, func, literal, select

from consent.core.database import db
from consent.core.shapes import FORMULA_STARTS

CHUNK = 64 * 1024


def _json(value):
    """A JSON text of a column in SQL, null for NULL (json.dumps' spacing)."""
    return func.coalesce(cast(func.to_json(value), Text), literal("null"))


def ndjson_query(query):
    """One `{"subject": …, "email": …, "basis": …}` text a row of `query`'s three columns."""
    subject, email, basis = (column for column in query.selected_columns)
    line = func.concat(
        literal('{"subject": '),
        _json(subject),
        literal(', "email": '),
        _json(email),
        literal(', "basis": '),
        _json(basis),
        literal("}"),
    )
    return query.with_only_columns(line.label("line"), maintain_column_froms=True)


def _formula_safe(value):
    """shapes.csv_row in SQL: text that starts like a spreadsheet formula gets a '."""
    return case((func.left(value, 1).in_(FORMULA_STARTS), literal("'") + value), else_=value)


def csv_query(query):
    subject, email, basis = (column for column in query.selected_columns)
    return query.with_only_columns(
        _formula_safe(subject).label("subject"),
        _formula_safe(email).label("email"),
        basis.label("basis"),  # a word of the vocabulary: never a formula
        maintain_column_froms=True,
    )


def _copy(query, options: str = ""):
    """Yield each row COPY sends, as bytes, on the session's own connection."""
    connection = db.session.connection()
    compiled = query.compile(
        dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
    )  # psycopg binds the parameters client-side
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor:
        statement = f"COPY ({compiled.string}) TO STDOUT {options}"
        with cursor.copy(statement, compiled.params) as copy:
            while row := copy.read():
                yield bytes(row)


def _pieces(rows):
    piece, size = [], 0
    for row in rows:
        piece.append(row)
        size += len(row)
        if size >= CHUNK:
            yield b"".join(piece)
            piece, size = [], 0
    if piece:
        yield b"".join(piece)


def ndjson(query):
    """The NDJSON body of `query` (public id, email, basis), in pieces of bytes."""
    return _pieces(
        row.replace(b"\\\\", b"\\") if b"\\" in row else row for row in _copy(ndjson_query(query))
    )


def csv(query):
    """The CSV body, header `subject,email,basis` first, in pieces of bytes."""
    return _pieces(_copy(csv_query(query), "WITH (FORMAT csv, HEADER)"))


def count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
