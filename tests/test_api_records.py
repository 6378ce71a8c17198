"""GET /purposes, POST /consents (the widget's route) and POST /events with the SPEC §6 shapes."""

from datetime import timedelta

import jwt
import pytest
from sqlalchemy import select

from consent.core import ledger, purposes, receipts, subjects
from consent.core.database import db
from consent.core.models import Event, OutboxMessage, State, utcnow
from tests.support import api as api_support
from tests.support.pages import csrf_token, link_for


def state_of(subject, purpose, channel="email"):
    db.session.expire_all()
    return db.session.get(State, (subject.id, purpose.id, channel))


@pytest.fixture
def world(make):
    return api_support.build(make)


def test_purposes_in_a_locale(client, world):
    response = client.get("/api/v1/purposes?locale=no", headers=world.auth("widget"))
    assert response.status_code == 200
    purposes = response.get_json()["purposes"]
    assert [p["slug"] for p in purposes] == ["newsletter", "offers", "service"]
    first = purposes[0]
    assert (first["category"], first["basis"], first["channels"]) == (
        "direct_marketing",
        "consent",
        ["email"],
    )
    assert first["notice"]["locale"] == "nb" and first["notice"]["title"] == "Nyhetsbrev"
    assert first["notice"]["version"] == 1 and len(first["notice"]["hash"]) == 64
    default = client.get("/api/v1/purposes", headers=world.auth("auditor")).get_json()
    assert default["purposes"][0]["notice"]["locale"] == "nl"  # the controller's default


def consent_body(**overrides):
    body = {
        "subject": {"email": "web@example.test", "external_id": "w-1"},
        "locale": "nl",
        "source": "widget",
        "decisions": [
            {"purpose": "newsletter", "decision": "given", "channel": "email",
             "notice_version": 1},
            {"purpose": "offers", "decision": "refused"},
        ],
    }  # fmt: skip
    body.update(overrides)
    return body


def test_widget_consent_returns_a_signed_receipt(client, world):
    response = client.post(
        "/api/v1/consents",
        json=consent_body(),
        headers={**world.auth("widget"), "Origin": api_support.ORIGIN},
    )
    assert response.status_code == 201, response.data
    answer = response.get_json()
    subject = subjects.by_public_id(world.controller, answer["subject"]["id"])
    assert subject.email == "web@example.test" and subject.external_id == "w-1"
    events = db.session.scalars(select(Event).where(Event.subject_id == subject.id)).all()
    assert {(e.kind, e.source, e.locale, e.notice_version) for e in events} == {
        ("consent_given", "widget", "nl", 1),
        ("consent_refused", "widget", "nl", 1),
    }
    assert all(e.receipt_id == answer["receipt"]["id"] for e in events)
    key = receipts.signing_keys()[0]
    payload = jwt.decode(answer["receipt"]["jws"], key.private.public_key(), algorithms=["EdDSA"])
    assert payload["consentReceiptID"] == answer["receipt"]["id"]
    assert db.session.get(State, (subject.id, world.newsletter.id, "email")).reachable


def test_widget_cannot_claim_another_source(client, world):
    client.post("/api/v1/consents", json=consent_body(source="import"),
                headers=world.auth("widget"))  # fmt: skip
    assert set(db.session.scalars(select(Event.source))) == {"widget"}


def test_double_opt_in_purpose_asks_for_confirmation(client, world, make):
    make.purpose(world.controller, "webinar", double_opt_in=True)
    db.session.commit()
    body = consent_body(decisions=[{"purpose": "webinar", "decision": "given"}])
    answer = client.post("/api/v1/consents", json=body, headers=world.auth("widget")).get_json()
    assert set(answer) == {"subject", "receipt", "confirmation"}
    [queued] = db.session.scalars(select(OutboxMessage)).all()
    assert queued.kind == "confirmation" and queued.payload["purposes"] == ["webinar"]


@pytest.mark.parametrize(
    "overrides, status, code",
    [
        ({"subject": "web@example.test"}, 400, "invalid_parameter"),
        ({"subject": {"email": "nope"}}, 422, "invalid_email"),
        ({"decisions": []}, 400, "invalid_parameter"),
        ({"decisions": [{"purpose": "nope", "decision": "given"}]}, 404, "unknown_purpose"),
        ({"decisions": [{"purpose": "newsletter", "decision": "maybe"}]}, 400, "invalid_decision"),
        ({"decisions": [{"purpose": "newsletter", "decision": "given", "channel": "sms"}]}, 422,
         "unknown_channel"),
        ({"decisions": [{"purpose": "newsletter", "decision": "given", "notice_version": 9}]},
         422, "unknown_notice"),
        ({"locale": "fr"}, 400, "invalid_locale"),
    ],
)  # fmt: skip
def test_consent_errors(client, world, overrides, status, code):
    response = client.post(
        "/api/v1/consents", json=consent_body(**overrides), headers=world.auth("widget")
    )
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code
    assert db.session.scalar(select(Event.id)) is None  # nothing half-written


def test_an_erased_address_gets_the_one_answer_and_is_held_until_it_confirms(client, world, make):
    """Failed before the fix: the widget answered 409 for an erased address, telling the
    caller who was erased. Now the answer has the one shape; the new person is held until
    the mailbox confirms, and only then is the suppression lifted."""
    known = client.post("/api/v1/consents", json=consent_body(), headers=world.auth("widget"))
    gone = make.subject(world.controller, email="gone@example.test")
    subjects.erase(gone, source="api", actor="test")
    db.session.commit()
    body = consent_body(subject={"email": "gone@example.test"})
    response = client.post("/api/v1/consents", json=body, headers=world.auth("widget"))
    assert response.status_code == known.status_code == 201
    answer = response.get_json()
    assert set(answer) == set(known.get_json()) and answer["confirmation"] == "may_follow"
    again = subjects.by_public_id(world.controller, answer["subject"]["id"])
    assert again.id != gone.id and subjects.suppressed(again)
    newsletter = purposes.purpose_by_slug(world.controller, "newsletter")
    assert state_of(again, newsletter).reason == "restricted"
    [queued] = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.subject_id == again.id)
    ).all()
    assert queued.kind == "confirmation"
    # The person clicks the confirmation mailed to the address.
    confirm_path = f"/confirm/{link_for(world.controller, again, 'confirm', channel='email')}"
    client.post(confirm_path, data={"csrf_token": csrf_token(client, confirm_path)})
    db.session.expire_all()
    assert not subjects.suppressed(again)
    assert state_of(again, newsletter).reachable
    kinds = [e.kind for e in ledger.events_of(again)]
    assert "suppression_lifted" in kinds and "restriction_ended" in kinds


def test_admin_records_any_event(client, world, make):
    anna = make.subject(world.controller)
    db.session.commit()
    response = client.post(
        "/api/v1/events",
        json={"subject": anna.public_id, "kind": "basis_asserted", "purpose": "service",
              "basis": "contract", "evidence": "contract 123"},
        headers=world.auth("admin"),
    )  # fmt: skip
    assert response.status_code == 201
    answer = response.get_json()
    event = answer["event"]
    assert (event["kind"], event["purpose"], event["basis"], event["evidence"]) == (
        "basis_asserted",
        "service",
        "contract",
        "contract 123",
    )
    for field in ("id", "channel", "source", "occurred_at", "receipt_id", "prev_hash", "hash"):
        assert field in event
    assert answer["receipt"]["id"] == event["receipt_id"] and answer["receipt"]["jws"]

    objection = client.post(
        "/api/v1/events",
        json={"subject": anna.public_id, "kind": "objection_recorded",
              "scope": "direct_marketing"},
        headers=world.auth("admin"),
    ).get_json()["event"]  # fmt: skip
    assert objection["scope"] == "direct_marketing" and objection["prev_hash"] == event["hash"]


def test_events_refused_by_the_rules(client, world, make):
    anna = make.subject(world.controller)
    db.session.commit()
    cases = [
        ({"kind": "objection_overridden", "purpose": "offers", "reason": "x"}, 409,
         "override_refused"),
        ({"kind": "basis_asserted", "purpose": "service", "basis": "contract"}, 422,
         "evidence_required"),
        ({"kind": "flying"}, 400, "unknown_kind"),
        ({"kind": "consent_given", "purpose": "nope"}, 404, "unknown_purpose"),
        ({"kind": "consent_given", "purpose": "newsletter", "occurred_at": "2999-01-01T00:00"},
         422, "future_time"),
    ]  # fmt: skip
    for body, status, code in cases:
        response = client.post(
            "/api/v1/events", json={"subject": anna.public_id, **body}, headers=world.auth("admin")
        )
        assert (response.status_code, response.get_json()["error"]["code"]) == (status, code)


def test_erasure_through_events(client, world, make):
    anna = make.subject(world.controller)
    db.session.commit()
    response = client.post(
        "/api/v1/events",
        json={"subject": anna.public_id, "kind": "erasure_completed"},
        headers=world.auth("admin"),
    )
    assert response.status_code == 201
    db.session.refresh(anna)
    assert anna.email is None and anna.erased_at is not None
    again = client.post(
        "/api/v1/events",
        json={"subject": anna.public_id, "kind": "consent_given", "purpose": "newsletter"},
        headers=world.auth("admin"),
    )
    assert again.status_code == 409


def test_an_admin_key_cannot_rewrite_the_past(client, app, world, make):
    """Failed before the fix: an admin key backdated events to year 1 and flipped a past
    "reachable at" answer. Now occurred_at lies at most the configured window back (0 by
    default), never before the person's last event; a decision collected earlier is
    recorded now and says when it was given."""
    anna = make.subject(world.controller, email="anna@example.test")
    make.record(anna, "consent_given", purposes.purpose_by_slug(world.controller, "newsletter"))
    db.session.commit()

    def post(**fields):
        body = {"subject": anna.public_id, "purpose": "newsletter", **fields}
        return client.post("/api/v1/events", json=body, headers=world.auth("admin"))

    for then in ("0001-01-01T00:00:00+00:00", (utcnow() - timedelta(minutes=5)).isoformat()):
        refused = post(kind="consent_withdrawn", occurred_at=then)
        assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "backdated"
    app.config["BACKDATE_WINDOW_SECONDS"] = 3600
    last = ledger.events_of(anna)[-1].occurred_at
    earlier = post(kind="consent_withdrawn", occurred_at=(last - timedelta(seconds=1)).isoformat())
    assert earlier.get_json()["error"]["code"] == "out_of_order"
    assert (
        post(kind="consent_withdrawn", source="preference_page").get_json()["event"]["source"]
        == "api"
    )  # the door names the source
    given_at = utcnow() - timedelta(days=400)
    given = post(kind="consent_given", given_at=given_at.isoformat())
    assert given.status_code == 201
    event = given.get_json()["event"]
    assert event["given_at"] == given_at.isoformat() and event["occurred_at"] > given_at.isoformat()
    assert post(kind="objection_recorded", given_at=given_at.isoformat()).status_code == 422


def test_lookup_by_email_or_crm_id_in_the_body(client, world, make):
    """Issue 15 item 13: a program finds a person by address or CRM id without putting
    either in a URL."""
    anna = make.subject(world.controller, email="anna@example.test", external_id="crm-7")
    db.session.commit()

    def lookup(body, role="auditor"):
        return client.post("/api/v1/subjects/lookup", json=body, headers=world.auth(role))

    assert lookup({"email": "ANNA@example.test"}).get_json()["subject"]["id"] == anna.public_id
    assert lookup({"external_id": "crm-7"}).get_json()["subject"]["id"] == anna.public_id
    assert lookup({"email": "nobody@example.test"}).status_code == 404
    assert lookup({}).status_code == 400
    assert lookup({"email": "x@example.test"}, role="marketer").status_code == 403
    other = client.post(
        "/api/v1/subjects/lookup", json={"external_id": "crm-7"},
        headers=world.auth("auditor", other=True),
    )  # fmt: skip
    assert other.status_code == 404
