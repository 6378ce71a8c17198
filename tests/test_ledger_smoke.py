from consent.extensions import db
from consent.models import State


def test_record_consent_updates_state(app, make):
    c = make.controller()
    p = make.purpose(c)
    s = make.subject(c)
    make.record(s, "consent_given", p, channel=None)
    db.session.commit()
    row = db.session.get(State, (s.id, p.id, "email"))
    assert row.reachable and row.reason == "consent_given"
