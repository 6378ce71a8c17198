"""`consent retention`: lapsed consent and inactive people become events, once."""

from datetime import timedelta

from consent.core import integrity, ledger, subjects
from consent.core.database import db
from consent.core.models import State, utcnow


def test_retention_lapses_old_consent_and_erases_inactive_people(app, make, runner):
    controller = make.controller(inactive_retention="P3Y")
    newsletter = make.purpose(controller, consent_lifetime="P24M")
    invoices = make.purpose(controller, "invoices", basis="contract", category="service")
    long_ago = utcnow() - timedelta(days=800)
    lapsed = make.subject(controller, email="lapsed@example.test")
    make.record(lapsed, "consent_given", newsletter, occurred_at=long_ago)
    fresh = make.subject(controller, email="fresh@example.test")
    make.record(fresh, "consent_given", newsletter)
    gone = make.subject(controller, email="gone@example.test")
    make.record(gone, "consent_given", newsletter, occurred_at=utcnow() - timedelta(days=1200))
    customer = make.subject(controller, email="customer@example.test")
    make.record(
        customer,
        "basis_asserted",
        invoices,
        basis="contract",
        evidence="contract 9",
        occurred_at=utcnow() - timedelta(days=1200),
    )
    db.session.commit()

    result = runner.invoke(args=["consent", "retention"])
    assert result.exit_code == 0, result.output
    assert "2 consents lapsed, 1 inactive people erased" in result.output
    db.session.expire_all()
    assert [e.kind for e in ledger.events_of(lapsed)][-1] == "consent_expired"
    assert ledger.events_of(lapsed)[-1].source == "retention"
    assert db.session.get(State, (lapsed.id, newsletter.id, "email")).reason == "lapsed"
    assert [e.kind for e in ledger.events_of(fresh)] == ["consent_given"]
    assert gone.erased_at is not None and gone.email is None
    assert customer.erased_at is None
    assert integrity.verify().ok

    again = runner.invoke(args=["consent", "retention"])
    assert "0 consents lapsed, 0 inactive people erased" in again.output


def test_retention_keeps_no_hash_and_unconfirmed_sign_ups_go_after_30_days(app, make, runner):
    """Items 11 and 13: before, a retention erasure kept the address's hash (blocking the
    person's own later sign-up for good) and a sign-up nobody confirmed was kept for years.
    Now retention keeps no hash, and a person known only through unconfirmed sign-ups is
    erased after 30 days, without one."""
    controller = make.controller(inactive_retention="P3Y")
    newsletter = make.purpose(controller, double_opt_in=True)
    webinars = make.purpose(controller, "webinars", category="events")
    old = utcnow() - timedelta(days=31)
    waiting = make.subject(controller, email="waiting@example.test")
    make.record(waiting, "consent_given", newsletter, source="widget", occurred_at=old)
    recent = make.subject(controller, email="recent@example.test")
    make.record(recent, "consent_given", newsletter, source="widget")
    confirmed = make.subject(controller, email="confirmed@example.test")
    make.record(confirmed, "consent_given", newsletter, source="widget", occurred_at=old)
    make.record(
        confirmed, "consent_confirmed", newsletter, channel="email", mailbox_proof="confirmation"
    )
    # A sign-up for a purpose without double opt-in counts: the person is known by it.
    also = make.subject(controller, email="also@example.test")
    make.record(also, "consent_given", newsletter, source="widget", occurred_at=old)
    make.record(also, "consent_given", webinars, source="widget", occurred_at=old)
    inactive = make.subject(controller, email="inactive@example.test")
    make.record(inactive, "consent_given", webinars, occurred_at=utcnow() - timedelta(days=1200))
    db.session.commit()

    result = runner.invoke(args=["consent", "retention"])
    assert "1 inactive people erased, 1 unconfirmed sign-ups erased" in result.output
    db.session.expire_all()
    assert waiting.erased_at is not None and inactive.erased_at is not None
    assert recent.erased_at is None and confirmed.erased_at is None and also.erased_at is None
    # No hash kept: the person can sign up again, and is a new person then.
    again, created = subjects.upsert(controller, "waiting@example.test")
    assert created and again.id != waiting.id
    assert subjects.upsert(controller, "inactive@example.test")[1]
