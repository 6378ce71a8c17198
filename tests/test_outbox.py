"""The outbox and its worker: nothing leaves inside a request, nothing is lost, nothing twice."""

import asyncio
import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller as SmtpServer
from sqlalchemy import event, func, select

from consent.core import ledger, outbox, subjects
from consent.core.database import db
from consent.core.models import Event, OutboxMessage
from consent.web import mail
from tests.support.clock import later
from tests.support.mail import Sink, deliver, free_port, wait_for
from tests.support.pages import link_for, world

ROOT = Path(__file__).resolve().parent.parent


class RefusingSink(Sink):
    """An SMTP server that answers every message with a temporary failure."""

    async def handle_DATA(self, server, session, envelope):
        return "451 4.3.0 Try again later"


class HangingSink(Sink):
    """An SMTP server that takes a message and never answers: the worker hangs in DATA."""

    def __init__(self):
        super().__init__()
        self.receiving = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.receiving.set()
        await asyncio.sleep(60)
        return "250 OK"


@pytest.fixture
def smtp_server(app):
    """Start an SMTP server with the given handler and point the app at it."""
    servers = []

    def start(handler):
        server = SmtpServer(handler, hostname="127.0.0.1", port=free_port())
        server.start()
        servers.append(server)
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=server.port)
        return server

    yield start
    for server in servers:
        server.stop()


def rows(**where):
    db.session.expire_all()
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    return [
        m for m in db.session.scalars(query) if all(getattr(m, k) == v for k, v in where.items())
    ]


def expired_form(client, c, s, monkeypatch):
    token = link_for(c, s, locale="en")
    later(monkeypatch, 91)
    html = client.get(f"/preferences/{token}").get_data(True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)[1]
    return {"csrf_token": csrf, "token": token, "use": "preferences"}


def test_a_change_and_its_messages_roll_back_together(app, make):
    c, s, p = world(make)
    purpose = p["newsletter"]
    events_before = db.session.scalar(select(func.count(Event.id)))
    change = ledger.Change("consent_given", purpose, channel="email")
    ledger.record(s, [change], source="api", actor="test")
    mail.queue_confirmation(c, s, [purpose], "en")
    db.session.flush()
    assert len(rows()) == 1
    db.session.rollback()
    assert rows() == []
    assert db.session.scalar(select(func.count(Event.id))) == events_before


def test_a_mail_server_that_is_down_leaves_the_row_pending(app, client, make, monkeypatch):
    c, s, _p = world(make)
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port())  # nobody listens
    form = expired_form(client, c, s, monkeypatch)
    response = client.post("/links/renew", data={**form, "email": "anna.jansen@example.nl"})
    assert response.status_code == 200
    deliver(app)
    [row] = rows()
    assert (row.state, row.attempts) == ("pending", 1)
    assert row.due_at > row.created_at + timedelta(seconds=20)
    assert "ConnectionRefusedError" in row.last_error


def test_retries_back_off_then_the_row_is_dead_and_can_be_retried(
    app, client, make, smtp_server, runner, monkeypatch
):
    c, s, _p = world(make)
    app.config.update(OUTBOX_RETRY_SECONDS=0, OUTBOX_MAX_ATTEMPTS=3)
    smtp_server(RefusingSink())
    form = expired_form(client, c, s, monkeypatch)
    client.post("/links/renew", data={**form, "email": "anna.jansen@example.nl"})
    deliver(app)  # no delay between attempts here: all three are due at once
    [row] = rows()
    assert (row.state, row.attempts) == ("dead", 3)
    assert "SMTPDataError" in row.last_error
    status = runner.invoke(args=["consent", "worker", "--status"]).output
    assert re.search(r"fresh_link\s+0\s+0\s+-\s+1\s+0", status), status

    again = runner.invoke(args=["consent", "worker", "--retry-dead", "--kind", "fresh_link"])
    assert "1 dead rows due again" in again.output
    good = Sink()
    smtp_server(good)
    deliver(app)
    assert rows()[0].state == "delivered"
    [(recipients, _message)] = wait_for(good)
    assert recipients == ["anna.jansen@example.nl"]


def test_the_backoff_doubles_up_to_a_ceiling(app):
    app.config.update(OUTBOX_RETRY_SECONDS=30)
    delays = [outbox.retry_delay(n).total_seconds() for n in (1, 2, 3, 4, 20)]
    assert delays == [30, 60, 120, 240, outbox.LONGEST_WAIT.total_seconds()]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_workers_on_postgresql_never_deliver_the_same_row(app, make):
    c, s, p = world(make)
    for _ in range(60):
        mail.queue_confirmation(c, s, [p["newsletter"]], "en")
    db.session.commit()
    delivered, lock = [], threading.Lock()

    def record(message):
        time.sleep(0.005)  # a slow delivery, so the two workers overlap
        with lock:
            delivered.append(message.id)

    def work():
        with app.app_context():
            outbox.deliver_due({mail.CONFIRMATION: record})
            db.session.remove()

    workers = [threading.Thread(target=work) for _ in range(2)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=60)
    assert sorted(delivered) == sorted(set(delivered)) and len(delivered) == 60
    assert {row.state for row in rows()} == {"delivered"}


def test_a_worker_killed_mid_delivery_leaves_the_row_to_be_delivered_again(
    app, make, smtp_server, database_url
):
    c, s, p = world(make)
    mail.queue_confirmation(c, s, [p["newsletter"]], "en")
    db.session.commit()
    hanging = HangingSink()
    server = smtp_server(hanging)
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(server.port),
        "SECRET_KEYS": ",".join(app.config["SECRET_KEYS"]),
        "EMAIL_HASH_KEY": app.config["EMAIL_HASH_KEY"],
        "PUBLIC_BASE_URL": app.config["PUBLIC_BASE_URL"],
        "WORKER_POLL_SECONDS": "0.1",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "consent", "worker"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert hanging.receiving.wait(timeout=30), "the worker never reached the SMTP server"
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    [row] = rows()
    assert (row.state, row.attempts) == ("pending", 0)
    good = Sink()
    smtp_server(good)
    deliver(app)
    assert rows()[0].state == "delivered"
    assert len(wait_for(good)) == 1


def test_known_and_unknown_addresses_do_the_same_database_work(app, client, make, monkeypatch):
    c, s, _p = world(make)
    form = expired_form(client, c, s, monkeypatch)
    statements = []
    listener = lambda conn, cursor, statement, *rest: statements.append(statement)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        client.post("/links/renew", data={**form, "email": "anna.jansen@example.nl"})
        known, statements[:] = list(statements), []
        client.post("/links/renew", data={**form, "email": "nobody@example.org"})
        unknown = list(statements)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert known == unknown and any("INSERT INTO outbox" in sql for sql in known)
    deliver(app)
    for row in rows():
        assert row.state == "delivered"
        assert "email" not in row.payload and row.recipient_hash is None


def test_erasure_purges_the_persons_queued_mail(app, make):
    c, s, p = world(make)
    other = make.subject(c, email="other@example.nl")
    mail.queue_confirmation(c, s, [p["newsletter"]], "en")
    mail.queue_fresh_link(c, "Anna.Jansen@example.nl", "en", "en", None)
    mail.queue_confirmation(c, other, [p["newsletter"]], "en")
    db.session.commit()
    subjects.erase(s, source="api", actor="test")
    db.session.commit()
    assert [row.subject_id for row in rows()] == [other.id]


def test_no_request_sends_mail(app, client, make, monkeypatch):
    """The suite-wide guard (conftest) fails any request that sends mail itself; the flows
    that mail people answer under it and leave the sending to the worker."""
    c, s, _p = world(make)
    with app.test_request_context(), pytest.raises(AssertionError, match="inside a request"):
        mail.send("someone@example.org", "Subject", "Body", None, c)
    form = expired_form(client, c, s, monkeypatch)
    answer = client.post("/links/renew", data={**form, "email": "anna.jansen@example.nl"})
    assert answer.status_code == 200 and rows()[0].state == "pending"
    deliver(app)
    assert rows()[0].state == "delivered"
