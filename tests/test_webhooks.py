"""Webhooks out: queued with the event, signed as Standard Webhooks, verified by the docs'
receiver over real TLS, retried, dead-lettered, sent again from the console, in order per
person, scrubbed on erasure, and never sent twice by two workers."""

import base64
import json
import ssl
import threading
import urllib.error
import urllib.request
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from consent.cli.worker import HANDLERS
from consent.core import address_changes, ledger, outbox, subjects, webhooks
from consent.core.database import db
from consent.core.models import Controller, Event, OutboxMessage, utcnow
from consent.web import mail
from tests.support.mail import deliver
from tests.support.mail_services import campaign_row, connect, postmark_post, sample
from tests.support.pages import world
from tests.support.receiver import Switch, docs_receiver, serving_tls
from tests.test_console import csrf_token, login, staff_user

SECRET = "whsec_" + base64.b64encode(b"a test secret of 32 bytes, fixed").decode()
OTHER_SECRET = "whsec_" + base64.b64encode(b"someone else's secret, 32 bytes!").decode()
VARIABLE = "CONSENT_WEBHOOK_ACME"


@pytest.fixture
def receiver(app, tmp_path, monkeypatch):
    """The receiver from docs/webhooks.md on https://127.0.0.1, trusted by the worker."""
    namespace = docs_receiver(SECRET, monkeypatch)
    switch = Switch(namespace["app"])
    with serving_tls(switch, tmp_path) as (url, ca_file):
        app.config["WEBHOOK_CA_FILE"] = str(ca_file)
        monkeypatch.setenv(VARIABLE, SECRET)
        yield SimpleNamespace(
            url=f"{url}/hooks",
            received=namespace["received"],
            verify=namespace["verify"],
            switch=switch,
        )


def hook(url, events=("*",), secret_env=VARIABLE) -> dict:
    return {"url": url, "secret_env": secret_env, "events": list(events)}


def endpoints(controller, *hooks) -> None:
    controller.profile = {**controller.profile, "webhooks": list(hooks)}
    db.session.commit()


def deliveries(**where) -> list[OutboxMessage]:
    db.session.expire_all()
    query = select(OutboxMessage).where(OutboxMessage.kind == webhooks.KIND)
    rows = db.session.scalars(query.order_by(OutboxMessage.id))
    return [m for m in rows if all(getattr(m, k) == v for k, v in where.items())]


def record(subject, kind, purpose=None, channel="email", **fields):
    receipt = ledger.record(
        subject,
        [ledger.Change(kind, purpose=purpose, channel=channel, **fields)],
        source="api",
        actor="test",
    )
    db.session.commit()
    return receipt


def run_until_idle(now=None, limit=100) -> list[str]:
    outcomes = []
    for _ in range(limit):
        outcome = outbox.deliver_next(HANDLERS, now=now)
        if outcome is None:
            return outcomes
        outcomes.append(outcome)
    raise AssertionError("the worker never ran out of due rows")


def test_a_change_commits_its_deliveries_or_nothing(app, make, receiver):
    c, s, p = world(make)
    endpoints(c, hook(receiver.url), hook(receiver.url + "/mail", ["consent_withdrawn"]))
    events_before = db.session.scalar(select(func.count(Event.id)))
    ledger.record(
        s,
        [ledger.Change("consent_given", p["newsletter"], channel="email")],
        source="api",
        actor="t",
    )
    db.session.flush()
    assert len(deliveries()) == 1  # only the endpoint that asked for every kind
    # The same transaction then fails (a second controller with a taken slug): all goes.
    db.session.add(
        Controller(
            slug=c.slug, name="x", contact_email="x@x.example", policy_url="x", policy_version="1"
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert deliveries() == []
    assert db.session.scalar(select(func.count(Event.id))) == events_before

    record(s, "consent_withdrawn", p["newsletter"])
    assert [m.payload["url"] for m in deliveries()] == [receiver.url, receiver.url + "/mail"]


def test_the_docs_receiver_verifies_what_the_worker_signs(app, make, receiver):
    c, s, p = world(make)
    s.external_id = "CRM-1042"
    endpoints(c, hook(receiver.url))
    receipt = record(s, "consent_withdrawn", p["newsletter"])
    deliver(app)
    [row] = deliveries()
    assert row.state == "delivered" and row.attempts == 1
    [event] = receiver.received
    recorded = db.session.scalar(select(Event).where(Event.receipt_id == receipt.id))
    assert event == {
        "type": "consent_withdrawn",
        "timestamp": recorded.recorded_at.isoformat().replace("+00:00", "Z"),
        "data": {
            "controller": "acme",
            "subject": s.public_id,
            "external_id": "CRM-1042",
            "email": "anna.jansen@example.nl",
            "purpose": "newsletter",
            "scope": "newsletter",
            "channel": "email",
            "basis": "consent",
            "source": "api",
            "receipt_id": receipt.id,
            "occurred_at": recorded.occurred_at.isoformat().replace("+00:00", "Z"),
        },
    }
    [(webhook_id, body)] = receiver.switch.seen
    assert webhook_id == row.payload["id"] and webhook_id.startswith("msg_")

    # The same headers over another body, or another secret, do not verify.
    url, signed_body, headers = webhooks.request_for(row, utcnow())
    assert receiver.verify(SECRET, headers, signed_body)
    assert not receiver.verify(OTHER_SECRET, headers, signed_body)
    tampered = signed_body.replace(b"consent_withdrawn", b"consent_given")
    request = urllib.request.Request(url, data=tampered, headers=headers, method="POST")
    context = ssl.create_default_context(cafile=app.config["WEBHOOK_CA_FILE"])
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, context=context, timeout=10)
    assert refused.value.code == 401
    refused.value.close()
    assert len(receiver.received) == 1


def test_a_wrong_secret_is_refused_by_the_receiver_and_retried(app, make, receiver, monkeypatch):
    c, s, p = world(make)
    endpoints(c, hook(receiver.url))
    monkeypatch.setenv(VARIABLE, OTHER_SECRET)
    record(s, "consent_given", p["newsletter"])
    deliver(app)
    [row] = deliveries()
    assert (row.state, row.attempts) == ("pending", 1)
    assert "HTTP Error 401" in row.last_error and receiver.received == []


def test_a_missing_secret_is_dead_at_once_and_says_which_variable(
    app, make, receiver, monkeypatch, runner
):
    c, s, p = world(make)
    endpoints(c, hook(receiver.url, secret_env="CONSENT_WEBHOOK_UNSET"))
    monkeypatch.delenv("CONSENT_WEBHOOK_UNSET", raising=False)
    record(s, "consent_given", p["newsletter"])
    deliver(app)
    [row] = deliveries()
    assert (row.state, row.attempts) == ("dead", 1)
    assert "CONSENT_WEBHOOK_UNSET" in row.last_error and "not set" in row.last_error
    monkeypatch.setenv("CONSENT_WEBHOOK_UNSET", SECRET)
    again = runner.invoke(args=["consent", "worker", "--retry-dead", "--kind", "webhook"])
    assert "1 dead rows due again" in again.output
    deliver(app)
    assert deliveries()[0].state == "delivered" and len(receiver.received) == 1


def test_retries_back_off_then_dead_and_an_admin_sends_it_again(app, client, make, receiver):
    c, s, p = world(make)
    endpoints(c, hook(receiver.url))
    app.config.update(OUTBOX_RETRY_SECONDS=30, OUTBOX_MAX_ATTEMPTS=3)
    receiver.switch.failing = lambda body: True
    record(s, "consent_given", p["newsletter"])
    start = utcnow()
    assert run_until_idle(start) == ["pending"]
    [row] = deliveries()
    assert row.due_at >= start + timedelta(seconds=30) and "503" in row.last_error
    assert run_until_idle(start + timedelta(seconds=20)) == []  # not due yet
    assert run_until_idle(start + timedelta(seconds=31)) == ["pending"]
    assert deliveries()[0].due_at >= start + timedelta(seconds=31 + 60)
    assert run_until_idle(start + timedelta(seconds=92)) == ["dead"]
    [row] = deliveries()
    assert (row.state, row.attempts) == ("dead", 3) and len(receiver.switch.seen) == 3

    marketer = staff_user(c, "marketer", email="marketer@acme.example")
    staff_user(c, "admin")
    login(client, email=marketer.email)
    assert client.get("/console/deliveries?lang=en").status_code == 403
    client.post("/console/logout", data={"csrf_token": csrf_token(client, "/console/")})
    login(client)
    page = client.get("/console/deliveries?state=dead&lang=en").get_data(True)
    assert f'data-delivery="{row.id}" data-state="dead"' in page and "503" in page
    assert client.post(f"/console/deliveries/{row.id}/replay").status_code == 400  # no CSRF
    token = csrf_token(client, "/console/deliveries?lang=en")
    answer = client.post(f"/console/deliveries/{row.id}/replay?lang=en", data={"csrf_token": token})
    assert answer.status_code == 302
    assert client.get(answer.headers["Location"]).get_data(True).count("is due again") == 1
    assert deliveries()[0].state == "pending"
    missing = client.post("/console/deliveries/999999/replay", data={"csrf_token": token})
    assert missing.status_code == 404

    receiver.switch.failing = lambda body: False
    deliver(app)
    assert deliveries()[0].state == "delivered" and len(receiver.received) == 1
    # Every attempt, and the one sent again, carried the same webhook-id.
    assert {webhook_id for webhook_id, _body in receiver.switch.seen} == {row.payload["id"]}


def test_one_persons_deliveries_leave_in_ledger_order(app, make, receiver):
    c, anna, p = world(make)
    bert = make.subject(c, email="bert@example.nl")
    endpoints(c, hook(receiver.url))
    newsletter = p["newsletter"]
    kinds = ["consent_given", "consent_withdrawn", "consent_given"]
    for kind in kinds:
        record(anna, kind, newsletter)
    record(bert, "consent_given", newsletter)
    down = {"anna": True}
    receiver.switch.failing = lambda body: (
        down["anna"] and json.loads(body)["data"]["subject"] == anna.public_id
    )
    start = utcnow()
    # Anna's first fails; her later two wait behind it; Bert's leaves.
    assert sorted(run_until_idle(start)) == ["delivered", "pending"]
    assert [e["data"]["subject"] for e in receiver.received] == [bert.public_id]
    assert [m.attempts for m in deliveries(subject_id=anna.id)] == [1, 0, 0]
    down["anna"] = False
    assert run_until_idle(start + timedelta(hours=1)) == ["delivered"] * 3
    mine = [e for e in receiver.received if e["data"]["subject"] == anna.public_id]
    assert [e["type"] for e in mine] == kinds
    assert [e["receipt_id"] for e in (x["data"] for x in mine)] == [
        m.payload["body"]["data"]["receipt_id"] for m in deliveries(subject_id=anna.id)
    ]


def test_erasure_scrubs_every_delivery_and_the_erasures_own_after_it_left(app, make, receiver):
    c, anna, p = world(make)
    anna.external_id = "CRM-7"
    bert = make.subject(c, email="bert@example.nl", external_id="CRM-8")
    endpoints(c, hook(receiver.url))
    app.config.update(OUTBOX_MAX_ATTEMPTS=1)
    newsletter = p["newsletter"]
    record(anna, "consent_given", newsletter)
    record(bert, "consent_given", newsletter)
    deliver(app)  # both delivered
    receiver.switch.failing = lambda body: True
    record(anna, "consent_withdrawn", newsletter)
    deliver(app)  # dead
    record(anna, "consent_given", newsletter)  # pending
    mail.queue_confirmation(c, anna, [newsletter], "en")
    db.session.commit()
    assert [m.state for m in deliveries(subject_id=anna.id)] == ["delivered", "dead", "pending"]

    subjects.erase(anna, source="api", actor="test")
    db.session.commit()
    rows = deliveries(subject_id=anna.id)
    for row in rows[:-1]:
        data = row.payload["body"]["data"]
        assert (data["subject"], data["external_id"], data["email"]) == (None, None, None)
    erasure = rows[-1].payload["body"]
    assert erasure["type"] == "erasure_completed"
    assert (erasure["data"]["subject"], erasure["data"]["external_id"]) == (anna.public_id, "CRM-7")
    assert erasure["data"]["email"] == "anna.jansen@example.nl"
    assert (
        db.session.scalar(select(func.count()).where(OutboxMessage.kind == mail.CONFIRMATION)) == 0
    )
    [bert_row] = deliveries(subject_id=bert.id)
    assert bert_row.payload["body"]["data"]["email"] == "bert@example.nl"
    every = json.dumps([m.payload for m in deliveries(subject_id=anna.id)])

    receiver.switch.failing = lambda body: False
    deliver(app)  # the scrubbed pending one, then the erasure, in ledger order
    last = receiver.received[-1]
    assert last["type"] == "erasure_completed" and last["data"]["email"] == "anna.jansen@example.nl"
    assert receiver.received[-2]["data"]["email"] is None
    for row in deliveries(subject_id=anna.id):
        assert row.state in ("delivered", "dead")
        assert "anna.jansen" not in json.dumps(row.payload) and "CRM-7" not in json.dumps(
            row.payload
        )
    assert "anna.jansen" in every  # (the erasure held it until it left)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_workers_on_postgresql_never_send_one_delivery_twice(app, make, receiver):
    c, _anna, p = world(make)
    endpoints(c, hook(receiver.url))
    people = [make.subject(c, email=f"person{n}@example.nl") for n in range(12)]
    db.session.commit()
    kinds = ["consent_given", "consent_withdrawn", "consent_given", "consent_withdrawn"]
    for person in people:
        for kind in kinds:
            record(person, kind, p["newsletter"])
    expected = {m.payload["id"] for m in deliveries()}
    assert len(expected) == len(people) * len(kinds)

    def work():
        with app.app_context():
            outbox.deliver_due(HANDLERS)
            db.session.remove()

    workers = [threading.Thread(target=work) for _ in range(2)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=120)
    sent = [webhook_id for webhook_id, _body in receiver.switch.seen]
    assert sorted(sent) == sorted(expected)  # each once, none missing
    assert {m.state for m in deliveries()} == {"delivered"}
    for person in people:
        mine = [e["type"] for e in receiver.received if e["data"]["subject"] == person.public_id]
        assert mine == kinds


def test_an_unsubscribe_from_a_mail_service_goes_out_as_a_verified_webhook(
    app, client, make, receiver, monkeypatch
):
    """Issue 16's round trip: Postmark's documented subscription-change sample, posted to
    its route, is recorded as a withdrawal (source esp) and leaves as a signed delivery that
    the docs' receiver verifies."""
    c, s, p = world(make)
    make.record(s, "consent_given", p["newsletter"])
    connect(c, monkeypatch)
    endpoints(c, hook(receiver.url, ["consent_withdrawn"]))
    row = campaign_row(c, s, [p["newsletter"]])
    documented = sample("postmark_webhooks.json")["subscription_change"]
    unsubscribe = {
        **documented,
        "SuppressionReason": "ManualSuppression",
        "Metadata": row["metadata"],
    }
    assert postmark_post(client, unsubscribe).get_json()["recorded"] == 1
    deliver(app)
    [event] = receiver.received  # only what passed the docs' signature check is handed on
    assert event["type"] == "consent_withdrawn"
    assert (event["data"]["source"], event["data"]["purpose"]) == ("esp", "newsletter")
    assert (event["data"]["subject"], event["data"]["channel"]) == (s.public_id, "email")
    assert deliveries()[0].state == "delivered"


def test_a_change_of_address_tells_the_new_address(app, make, receiver):
    """email_changed holds no address in the ledger; its delivery names the new one, so the
    CRM can follow the person (the earlier deliveries keep the address they were made with)."""
    c, s, p = world(make)
    endpoints(c, hook(receiver.url))
    record(s, "consent_given", p["newsletter"])
    change = address_changes.request(s, "Anna.Nieuw@example.nl")
    address_changes.confirm(change, s, "nl")
    db.session.commit()
    deliver(app)
    given, moved = receiver.received
    assert given["data"]["email"] == "anna.jansen@example.nl"
    assert moved["type"] == "email_changed" and moved["data"]["email"] == "anna.nieuw@example.nl"


def test_another_organisations_admin_neither_sees_nor_replays_a_delivery(
    app, client, make, receiver
):
    c, s, p = world(make)
    endpoints(c, hook(receiver.url))
    record(s, "consent_given", p["newsletter"])
    deliver(app)
    [row] = deliveries()
    other = make.controller(slug="other", name="Other AS", default_locale="nb")
    db.session.commit()
    staff_user(other, "admin", email="admin@other.example")
    assert login(client, controller="other", email="admin@other.example").status_code == 302
    page = client.get("/console/deliveries?lang=en").get_data(True)
    assert f'data-delivery="{row.id}"' not in page and "No deliveries yet." in page
    token = csrf_token(client, "/console/deliveries?lang=en")
    answer = client.post(f"/console/deliveries/{row.id}/replay", data={"csrf_token": token})
    assert answer.status_code == 404 and deliveries()[0].state == "delivered"
