"""The read a change through a signed link starts with, on PostgreSQL: what a kept copy of
the controller is checked by, the person's row locked and their chain, in one
SELECT … FOR UPDATE, built with Core and run with the driver's cursor.

It is a one-click's first statement. Through the ORM (its execution, populating an
existing instance, an Event instance per row of forty columns) it cost twice what the same
statement costs read with Core, and Core's execution half again what the driver's cursor
costs (database.driver_rows; BENCHMARKS.md). Read so, the person becomes a
persistent Subject of the session as though the ORM had loaded it (a later change to it is
flushed as usual), and the chain is plain records, as the events a change prepares are
(ledger.prepare); nothing that reads a held chain needs more of an event than its columns.
"""

from functools import cache
from types import SimpleNamespace

from sqlalchemy import bindparam, select
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from consent.core.database import db, driver_rows
from consent.core.models import Controller, Event, Subject

# What a kept copy of the controller is checked and completed by (catalogue_snapshot.kept).
KEPT_BY = (Controller.id, Controller.catalogue_version, Controller.state_rebuilt_through)
KEPT_NAMES = tuple(attribute.key for attribute in KEPT_BY)
SUBJECT_COLUMNS = tuple(column.key for column in Subject.__table__.columns)
EVENT_COLUMNS = tuple(column.key for column in Event.__table__.columns)


@cache
def _statement():
    return (
        select(*KEPT_BY, *Subject.__table__.columns, *Event.__table__.columns)
        .join(Subject, Subject.controller_id == Controller.id)
        .outerjoin(Event, Event.subject_id == Subject.id)
        .where(Controller.slug == bindparam("slug"), Subject.public_id == bindparam("public_id"))
        .order_by(Event.seq)
        .with_for_update(of=Subject.__table__)
    )


def read(controller_slug: str, public_id: str):
    """(the controller's KEPT_BY columns, the locked Subject, its chain in order), or None
    when the link names no such person."""
    parameters = {"slug": controller_slug, "public_id": public_id}
    rows = driver_rows(_statement(), parameters)
    if not rows:
        return None
    kept, subject_end = len(KEPT_BY), len(KEPT_BY) + len(SUBJECT_COLUMNS)
    controller = SimpleNamespace(**dict(zip(KEPT_NAMES, rows[0][:kept], strict=True)))
    subject = _persistent(dict(zip(SUBJECT_COLUMNS, rows[0][kept:subject_end], strict=True)))
    chain = [
        SimpleNamespace(**dict(zip(EVENT_COLUMNS, row[subject_end:], strict=True)))
        for row in rows
        if row[subject_end] is not None
    ]
    return controller, subject, chain


def _persistent(columns: dict) -> Subject:
    """The person as a persistent instance of the session with the columns just read, as the
    ORM gives a row it loads with populate_existing: the instance the session holds already,
    refreshed, or a new one that the session holds from now on."""
    held = db.session.identity_map.get(db.session.identity_key(Subject, columns["id"]))
    if held is not None:
        for name, value in columns.items():
            set_committed_value(held, name, value)
        return held
    subject = Subject(**columns)
    make_transient_to_detached(subject)
    db.session.add(subject)
    return subject
