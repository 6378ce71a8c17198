"""A page that records nothing reads outside a transaction (database.reading_only), and hands
its connection back, as it was, when it is done."""

from sqlalchemy import event, text

from consent.core.database import db, end_reading, reading_only
from tests.support.pages import link_for, world


def test_reading_only_reads_without_a_transaction_and_only_when_none_is_open(make):
    world(make)
    db.session.execute(text("SELECT 1"))
    assert not reading_only()  # a transaction is open: it stays as it is
    db.session.commit()

    assert reading_only()
    assert _level(db.session.connection()) == "AUTOCOMMIT"
    end_reading()
    assert _level(db.session.connection()) is None
    db.session.rollback()


def _level(connection):
    return connection.get_execution_options().get("isolation_level")


def test_the_page_reads_without_a_transaction_and_gives_the_connection_back(client, make):
    c, s, _p = world(make)
    levels = []

    def record_level(connection, *_args):
        levels.append(_level(connection))

    engine = db.engine
    event.listen(engine, "before_execute", record_level)
    try:
        assert client.get(f"/preferences/{link_for(c, s)}").status_code == 200
    finally:
        event.remove(engine, "before_execute", record_level)
    assert levels and set(levels) == {"AUTOCOMMIT"}
    assert db.session().get_transaction() is None  # handed back after the page
