"""History: every event with its hashes, and the lawful basis of each purpose over time."""

import json
from datetime import timedelta

import pytest

from consent.core import api_keys, chain, ledger, subjects
from consent.core.database import db
from consent.core.models import utcnow
from tests.support.factories import REPLAY

EVENT_FIELDS = {
    "id",
    "kind",
    "purpose",
    "channel",
    "basis",
    "source",
    "occurred_at",
    "receipt_id",
    "prev_hash",
    "hash",
}


@pytest.fixture
def prospect(app, make):
    """A prospect who consented to the newsletter, then became a customer (the existing-
    customer purpose starts with the sale), then objected to direct marketing."""
    controller = make.controller()
    newsletter = make.purpose(controller)
    offers = make.purpose(
        controller, slug="customer-offers", basis="legitimate_interest", similar_products=True
    )
    subject = make.subject(controller)
    start = utcnow() - timedelta(days=300)
    became_customer = start + timedelta(days=100)
    ledger.record(
        subject,
        [ledger.Change("consent_given", purpose=newsletter, channel="email", occurred_at=start)],
        source="widget",
        actor="subject",
        locale="nl",
        backdate_window=REPLAY,
    )
    ledger.record(
        subject,
        [
            ledger.Change(
                "basis_asserted",
                purpose=offers,
                basis="legitimate_interest",
                evidence="order 2026-0042",
                sale_reference="order 2026-0042",
                opt_out_offered_at=became_customer,
                occurred_at=became_customer,
            )
        ],
        source="api",
        actor="crm",
        backdate_window=REPLAY,
    )
    ledger.record(
        subject,
        [ledger.Change("objection_recorded", scope="direct_marketing")],
        source="one_click",
        actor="subject",
    )
    db.session.commit()
    return controller, subject, start, became_customer


def auditor(controller, role="auditor"):
    _row, key = api_keys.create(controller, role)
    db.session.commit()
    return {"Authorization": f"Bearer {key}"}


def test_history_has_every_event_and_linked_hashes(prospect, client):
    controller, subject, _start, _customer = prospect
    response = client.get(
        f"/api/v1/subjects/{subject.public_id}/history", headers=auditor(controller)
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["subject"]["id"] == subject.public_id
    assert body["subject"]["email"] == "anna@example.test"
    events = body["events"]
    assert [e["kind"] for e in events] == [
        "consent_given",
        "basis_asserted",
        "objection_recorded",
    ]
    assert all(EVENT_FIELDS <= set(e) for e in events)
    assert [e["purpose"] for e in events] == ["newsletter", "customer-offers", "direct_marketing"]
    assert events[0]["prev_hash"] is None
    for before, after in zip(events, events[1:], strict=False):
        assert after["prev_hash"] == before["hash"]
    stored = ledger.events_of(subject)
    for listed, row in zip(events, stored, strict=True):
        assert (
            listed["hash"]
            == row.hash
            == chain.event_hash(
                row, controller.slug, subject.public_id, row.purpose and row.purpose.slug
            )
        )
        assert listed["receipt_id"] == row.receipt_id
    assert events[2]["source"] == "one_click"


def test_basis_timeline_of_a_prospect_turned_customer(prospect, client):
    controller, subject, start, became_customer = prospect
    body = client.get(
        f"/api/v1/subjects/{subject.public_id}/history", headers=auditor(controller, "admin")
    ).get_json()
    assert body["bases"] == {
        "newsletter": [{"basis": "consent", "from": start.isoformat(), "to": None}],
        "customer-offers": [
            {"basis": "legitimate_interest", "from": became_customer.isoformat(), "to": None}
        ],
    }
    assert body["events"][0]["basis"] == "consent"
    assert body["events"][1]["basis"] == "legitimate_interest"


def test_basis_ended_closes_the_span(prospect, client, make):
    controller, subject, _start, became_customer = prospect
    offers = controller.purposes[1]
    make.record(subject, "basis_ended", offers, basis="legitimate_interest")
    db.session.commit()
    ended = ledger.events_of(subject)[-1].occurred_at
    spans = client.get(
        f"/api/v1/subjects/{subject.public_id}/history", headers=auditor(controller)
    ).get_json()["bases"]["customer-offers"]
    assert spans == [
        {
            "basis": "legitimate_interest",
            "from": became_customer.isoformat(),
            "to": ended.isoformat(),
        }
    ]


def test_history_bad_requests(prospect, client, make):
    controller, subject, _start, _customer = prospect
    url = f"/api/v1/subjects/{subject.public_id}/history"
    assert client.get(url).status_code == 401
    forbidden = client.get(url, headers=auditor(controller, "marketer"))
    assert forbidden.status_code == 403 and forbidden.get_json()["error"]["code"]
    unknown = client.get("/api/v1/subjects/nobody/history", headers=auditor(controller))
    assert unknown.status_code == 404
    assert unknown.get_json()["error"]["code"] == "unknown_subject"
    other = make.controller(slug="other")
    db.session.commit()
    foreign = client.get(url, headers=auditor(other))
    assert foreign.status_code == 404 and "error" in foreign.get_json()


def test_erased_subject_keeps_a_pseudonymous_history(prospect, client):
    controller, subject, _start, _customer = prospect
    subjects.erase(subject, source="api", actor="dpo")
    db.session.commit()
    body = client.get(
        f"/api/v1/subjects/{subject.public_id}/history", headers=auditor(controller)
    ).get_json()
    assert body["subject"]["email"] is None and body["subject"]["external_id"] is None
    assert body["subject"]["erased"] is True
    assert body["events"][-1]["kind"] == "erasure_completed"
    assert "anna@example.test" not in json.dumps(body)


def test_cli_history_matches_the_api(prospect, client, runner):
    controller, subject, _start, _customer = prospect
    api = client.get(
        f"/api/v1/subjects/{subject.public_id}/history", headers=auditor(controller)
    ).get_json()
    result = runner.invoke(args=["consent", "history", subject.public_id, "--controller", "acme"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == api
    by_email = runner.invoke(
        args=["consent", "history", "Anna@Example.test", "--controller", "acme"]
    )
    assert json.loads(by_email.output)["subject"]["id"] == subject.public_id
    missing = runner.invoke(args=["consent", "history", "nobody", "--controller", "acme"])
    assert missing.exit_code == 1 and "no subject" in missing.output
    wrong = runner.invoke(args=["consent", "history", subject.public_id, "--controller", "x"])
    assert wrong.exit_code == 2 and "no controller" in wrong.output
