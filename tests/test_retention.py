"""`consent retention`: lapsed consent and inactive people become events, once."""

from datetime import timedelta

from consent.core import integrity, ledger
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
