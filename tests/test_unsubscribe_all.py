"""Unsubscribe from all marketing: one rule in rules.py, asked by the page and one-click alike."""

from consent.core import changes
from consent.core.changes import Holder
from consent.core.database import db
from tests.support.pages import events, link_for, state, world

ONE_CLICK = {"List-Unsubscribe": "One-Click"}
MAILED = Holder("mailed_link")


def objected_then_consented_by_sms(make):
    """Objected to all direct marketing, later gave consent to the newsletter by SMS only."""
    c, s, p = world(make)
    make.record(s, "objection_recorded", scope="direct_marketing")
    make.record(
        s,
        "consent_given",
        p["newsletter"],
        channel="sms",
        source="preference_page",
        mailbox_proof="mailed_link",
    )
    db.session.commit()
    return c, s, p


def test_a_standing_email_objection_is_not_recorded_twice(client, make):
    """Regression: the SMS consent lifts the objection on SMS only; unsubscribing from all
    on email has nothing to change, so the ledger gets no second objection."""
    c, s, p = objected_then_consented_by_sms(make)
    assert state(s, p["newsletter"], "sms").reachable
    assert state(s, p["newsletter"], "email").reason == "objected"
    before = len(events(s))

    outcome = changes.unsubscribe_all(c, s, "en", MAILED, channel="email")
    db.session.commit()
    assert outcome.receipt is None and outcome.changes == []

    token = link_for(c, s, "unsubscribe", purposes=None, channel="email")
    assert client.post(f"/unsubscribe/{token}", data=ONE_CLICK).status_code == 200
    assert len(events(s)) == before
    assert state(s, p["newsletter"], "sms").reachable


def test_unsubscribing_from_all_on_sms_withdraws_and_objects_there(make):
    c, s, p = objected_then_consented_by_sms(make)
    outcome = changes.unsubscribe_all(c, s, "en", MAILED, channel="sms")
    db.session.commit()
    recorded = [(change.kind, change.scope, change.channel) for change in outcome.changes]
    assert recorded == [
        ("consent_withdrawn", None, "sms"),
        ("objection_recorded", "direct_marketing", "sms"),
    ]
    assert not state(s, p["newsletter"], "sms").reachable


def test_without_any_objection_unsubscribing_records_one(make):
    c, s, p = world(make)
    make.record(s, "consent_given", p["newsletter"], channel="email")
    db.session.commit()
    first = changes.unsubscribe_all(c, s, "en", MAILED, channel="email")
    db.session.commit()
    assert [change.kind for change in first.changes] == [
        "consent_withdrawn",
        "objection_recorded",
    ]
    again = changes.unsubscribe_all(c, s, "en", MAILED, channel="email")
    assert again.changes == []
