"""GET /healthz and GET /readyz: the process, then the database and its schema.

The outage test runs its own throw-away PostgreSQL server and stops it like a crash, with a
one-click unsubscribe in flight between writing its events and committing them.
"""

import threading
import uuid

import psycopg
import pytest
from sqlalchemy import func, select, text

from consent import create_app
from consent.core.database import db
from consent.core.models import Event, Receipt, State
from tests.support.factories import Factory
from tests.support.pages import link_for, world
from tests.support.postgres import PostgresServer
from tests.support.settings import config_on


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'health.sqlite'}"
    server = request.getfixturevalue("postgres_server")
    return server.database(f"health_{uuid.uuid4().hex[:12]}")


def test_healthz_and_readyz_follow_the_schema(empty_database):
    app = create_app(config_on(empty_database))
    client = app.test_client()

    health = client.get("/healthz")
    assert health.status_code == 200 and health.json == {"status": "ok"}
    assert health.headers["Cache-Control"] == "no-store"

    # Before init-db the process is up but cannot serve.
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json["status"] == "unavailable"
    assert "no migrations applied" in ready.json["reason"]
    assert "consent init-db" in ready.json["reason"]

    assert app.test_cli_runner().invoke(args=["consent", "init-db"]).exit_code == 0
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json == {"status": "ready"}

    # A database left at an older migration than the code: not ready, and says which.
    with app.app_context():
        db.session.execute(text("UPDATE alembic_version SET version_num = 'older0000'"))
        db.session.commit()
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert "older0000" in ready.json["reason"]
        db.engine.dispose()


def test_readyz_goes_503_while_postgresql_is_down_and_back_after(tmp_path, monkeypatch):
    server = PostgresServer()
    server.start()
    try:
        _outage(server, tmp_path, monkeypatch)
    finally:
        server.stop()


def _outage(server, tmp_path, monkeypatch):
    app = create_app(
        config_on(server.database("outage"), TESTING=False, MAIL_OUTBOX=str(tmp_path / "outbox"))
    )
    client = app.test_client()
    assert app.test_cli_runner().invoke(args=["consent", "init-db"]).exit_code == 0
    with app.app_context():
        make = Factory()
        c, s, p = world(make)
        make.record(s, "consent_given", p["newsletter"], channel="email")
        db.session.commit()
        person, newsletter = s.id, p["newsletter"].id
        before = _counts(person)
        url = "/unsubscribe/" + link_for(
            c, s, "unsubscribe", purposes=("newsletter",), channel="email", locale="en"
        )
        db.session.remove()
    assert client.get("/readyz").status_code == 200

    # A one-click whose events are written but not yet committed when the server dies.
    written, go_on, answers = threading.Event(), threading.Event(), []

    execute = psycopg.Cursor.execute

    def execute_and_hold_after_writing_events(cursor, query, *args, **kwargs):
        result = execute(cursor, query, *args, **kwargs)
        if threading.current_thread() is request_thread and "INSERT INTO events" in query:
            written.set()
            go_on.wait(30)
        return result

    def one_click():
        answers.append(client.post(url, data={"List-Unsubscribe": "One-Click"}))

    request_thread = threading.Thread(target=one_click)
    # The driver's cursor: the change's writes go past SQLAlchemy's execution (writes.py).
    with monkeypatch.context() as patched:
        patched.setattr(psycopg.Cursor, "execute", execute_and_hold_after_writing_events)
        request_thread.start()
        assert written.wait(30), "the one-click never reached its events"
        server.halt()
        go_on.set()
        request_thread.join(30)
    [answer] = answers
    assert answer.status_code == 500
    assert "Nothing was changed" in answer.get_data(True)

    health = client.get("/healthz")
    assert health.status_code == 200
    down = client.get("/readyz")
    assert down.status_code == 503
    assert down.json == {"status": "unavailable", "reason": "the database cannot be reached"}

    server.resume()
    up = client.get("/readyz")
    assert up.status_code == 200 and up.json == {"status": "ready"}

    # Nothing of the interrupted one-click was kept, and every chain still verifies.
    with app.app_context():
        assert _counts(person) == before
        assert _reachable(person, newsletter)
        verified = app.test_cli_runner().invoke(args=["consent", "verify"])
        assert verified.exit_code == 0, verified.output
        assert "all chains intact" in verified.output
        # The person can unsubscribe now that the database is back.
        assert client.post(url, data={"List-Unsubscribe": "One-Click"}).status_code == 200
        assert not _reachable(person, newsletter)
        db.session.remove()
        db.engine.dispose()


def _counts(subject_id):
    db.session.expire_all()
    events = db.session.scalar(
        select(func.count()).select_from(Event).where(Event.subject_id == subject_id)
    )
    receipts = db.session.scalar(
        select(func.count()).select_from(Receipt).where(Receipt.subject_id == subject_id)
    )
    return events, receipts


def _reachable(subject_id, purpose_id):
    db.session.expire_all()
    return db.session.get(State, (subject_id, purpose_id, "email")).reachable
