"""The import on PostgreSQL against its floor: COPYing the very rows it wrote.

A file of new people (bases with evidence, consent decisions with given_at, mixed) is
imported into a database that already holds the seed, exactly as `flask consent import`
does. Then the rows the import wrote (subjects, events, state and its history; receipts
are the product's own extra) are exported with `COPY … TO STDOUT` and COPYed into empty tables
of a fresh database made from the same models: same indexes, constraints, foreign keys and
triggers. That COPY is the floor: what the database itself needs to store that data.
"""

import io
import time
from pathlib import Path

import psycopg
from sqlalchemy import func, select

from consent.core import importer, purposes
from consent.core.database import db
from consent.core.models import Subject

CONTROLLER = "superoffice"
HEADER = (
    "email,external_id,locale,country,purpose,basis,evidence,sale_reference,"
    "opt_out_offered_at,decision,channel,notice_version,given_at\n"
)
# The floor's tables, in foreign-key order; the rows written come from these.
WRITTEN = ("subjects", "events", "state", "state_history")
REFERENCED = ("controllers", "purposes")


def row(number: int, prefix: str) -> str:
    """One CSV line: a customer (legitimate interest with the sale), a contract, or a
    consent collected elsewhere with the notice version and when it was given."""
    email, crm = f"{prefix}{number}@bench.example", f"{prefix.upper()}-{number}"
    kind = number % 4
    if kind == 0:
        return (
            f"{email},{crm},nb,NO,customer-marketing,legitimate_interest,order {number},"
            f"order {number},2026-03-02T10:00:00Z,,,,\n"
        )
    if kind == 1:
        return f"{email},{crm},nl,NL,free-trial,contract,trial {number},,,,,,\n"
    return f"{email},{crm},en,GB,newsletter,,,,,given,email,1,2025-11-20T14:05:00Z\n"


def write_file(path: Path, rows: int, prefix: str) -> Path:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(HEADER)
        for number in range(rows):
            handle.write(row(number, prefix))
    return path


def run_import(path: Path, batch_size: int) -> importer.Summary:
    controller = purposes.controller_by_slug(CONTROLLER)
    summary = importer.import_file(controller, path, batch_size=batch_size, actor="bench")
    db.session.remove()
    return summary


def _columns(table: str) -> str:
    """The model's columns, named: a database made by the migrations may order them
    differently from one made by create_all."""
    return ", ".join(f'"{column.name}"' for column in db.metadata.tables[table].columns)


def export_written(database_url: str, after_subject: int) -> dict[str, bytes]:
    """The rows the import wrote, as PostgreSQL's own COPY output."""
    where = {
        "subjects": f"id > {after_subject}",
        "events": f"subject_id > {after_subject}",
        "state": f"subject_id > {after_subject}",
        "state_history": f"subject_id > {after_subject}",
        "controllers": "true",
        "purposes": "true",
    }
    out = {}
    with psycopg.connect(_plain(database_url)) as connection, connection.cursor() as cursor:
        for table, condition in where.items():
            buffer = io.BytesIO()
            query = f"SELECT {_columns(table)} FROM {table} WHERE {condition}"
            with cursor.copy(f"COPY ({query}) TO STDOUT") as copy:
                for block in copy:
                    buffer.write(block)
            out[table] = buffer.getvalue()
    return out


def copy_floor(empty_database_url: str, exported: dict[str, bytes]) -> float:
    """Seconds to COPY the written rows into the empty tables (referenced rows first,
    untimed), committed."""
    with psycopg.connect(_plain(empty_database_url)) as connection:
        with connection.cursor() as cursor:
            for table in REFERENCED:
                _copy_in(cursor, table, exported[table])
        connection.commit()
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for table in WRITTEN:
                _copy_in(cursor, table, exported[table])
        connection.commit()
        return time.perf_counter() - started


def _copy_in(cursor, table: str, data: bytes) -> None:
    with cursor.copy(f"COPY {table} ({_columns(table)}) FROM STDIN") as copy:
        copy.write(data)


def _plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def largest_subject_id() -> int:
    return db.session.scalar(select(func.coalesce(func.max(Subject.id), 0)))


def counts(exported: dict[str, bytes]) -> dict[str, int]:
    return {table: exported[table].count(b"\n") for table in WRITTEN}
