"""One-click costs a handful of indexed queries, however many people the controller has."""

from contextlib import contextmanager

import psycopg
from sqlalchemy import event

from consent.core import signed_links
from consent.core.database import db


@contextmanager
def counted(monkeypatch):
    """The statements sent: on PostgreSQL as the driver sends them (the locking read goes
    past SQLAlchemy's execution, database.driver_rows), on SQLite as SQLAlchemy sends them."""
    statements = []
    if db.engine.dialect.name == "postgresql":
        execute = psycopg.Cursor.execute

        def count_and_execute(cursor, query, *args, **kwargs):
            statements.append(query)
            return execute(cursor, query, *args, **kwargs)

        with monkeypatch.context() as patched:
            patched.setattr(psycopg.Cursor, "execute", count_and_execute)
            yield statements
        return

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def link_of(controller, subject):
    return signed_links.Link(controller.slug, subject.public_id, ("newsletter",), "email")


def one_click(client, controller, subject, monkeypatch):
    token = signed_links.make(link_of(controller, subject), "unsubscribe")
    with counted(monkeypatch) as statements:
        response = client.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    return statements


def test_one_click_query_count_does_not_grow_with_the_audience(client, make, monkeypatch):
    controller = make.controller()
    newsletter = make.purpose(controller, "newsletter")
    make.purpose(controller, "invoices", basis="contract", category="service")
    first = make.subject(controller, email="first@example.test")
    make.record(first, "consent_given", newsletter)
    db.session.commit()
    # The process's first request reads the catalogue and keeps it (catalogue_snapshot).
    client.get(f"/preferences/{signed_links.make(link_of(controller, first), 'preferences')}")
    alone = one_click(client, controller, first, monkeypatch)

    for n in range(40):
        other = make.subject(controller, email=f"other{n}@example.test")
        make.record(other, "consent_given", newsletter)
    last = make.subject(controller, email="last@example.test")
    make.record(last, "consent_given", newsletter)
    db.session.commit()
    crowded = one_click(client, controller, last, monkeypatch)

    # PostgreSQL finds the controller and the person, locks the person's row and reads
    # their chain in one SELECT … FOR UPDATE, and sends the event, the chain head, the state
    # row that changed, its history and the receipt as one statement (core/writes.py).
    # SQLite takes its write lock with an UPDATE, reads the row again and runs those writes
    # one by one. The purposes and notices are the kept catalogue of the controller's
    # version; the state rows are not read (the chain says what they hold).
    budget = 2 if db.engine.dialect.name == "postgresql" else 10
    assert len(crowded) == len(alone) <= budget
    if db.engine.dialect.name == "postgresql":
        assert "FOR UPDATE" in crowded[0] and "INSERT INTO events" in crowded[1]
    # No read of the state (or its history) without a WHERE; inserting a row is no read.
    reads = [s.lower() for s in crowded if not s.lower().startswith("insert")]
    assert not any("state" in s and "where" not in s for s in reads)
