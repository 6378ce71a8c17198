"""Concurrent writers cannot fork a subject's chain (real PostgreSQL, and SQLite too)."""

import threading

from consent.core import integrity, ledger, signed_links
from consent.core.database import db
from consent.core.models import Purpose, Subject

WRITERS = 50


def test_fifty_threads_appending_to_one_subject_leave_one_linear_chain(app, make):
    controller = make.controller()
    purpose = make.purpose(controller, channels=("email", "phone"))
    subject = make.subject(controller)
    db.session.commit()
    subject_id, purpose_id = subject.id, purpose.id
    start = threading.Barrier(WRITERS)
    errors = []

    def write(n):
        with app.app_context():
            try:
                start.wait(timeout=30)
                me = db.session.get(Subject, subject_id)
                kind = "consent_given" if n % 2 else "consent_withdrawn"
                change = ledger.Change(kind, db.session.get(Purpose, purpose_id), channel="email")
                ledger.record(me, [change], source="api", actor=f"writer-{n}")
                db.session.commit()
            except Exception as error:  # collected and asserted below
                errors.append(repr(error))
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    db.session.expire_all()
    events = ledger.events_of(db.session.get(Subject, subject_id))
    assert [e.seq for e in events] == list(range(1, WRITERS + 1))
    assert all(e.prev_hash == p.hash for p, e in zip(events, events[1:], strict=False))
    assert len({e.actor for e in events}) == WRITERS
    report = integrity.verify()
    assert report.ok, report.problems


CLICKS = 12


def test_one_clicks_of_one_link_at_once_record_one_withdrawal(app, make):
    """A one-click reads the chain in the statement that locks the person (subjects.by_link).
    One that waited for the lock gets the chain as it was before the wait: deciding on it
    would withdraw again what the click before it withdrew (ledger.hold reads it afresh)."""
    controller = make.controller()
    newsletter = make.purpose(controller, "newsletter", channels=("email",))
    subject = make.subject(controller)
    make.record(subject, "consent_given", newsletter, channel="email")
    db.session.commit()
    link = signed_links.Link(controller.slug, subject.public_id, ("newsletter",), "email")
    path = f"/unsubscribe/{signed_links.make(link, 'unsubscribe')}"
    subject_id = subject.id
    start = threading.Barrier(CLICKS)
    statuses = []

    def click():
        client = app.test_client()
        start.wait(timeout=30)
        statuses.append(client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code)

    threads = [threading.Thread(target=click) for _ in range(CLICKS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert statuses == [200] * CLICKS
    db.session.expire_all()
    events = ledger.events_of(db.session.get(Subject, subject_id))
    assert [e.kind for e in events] == ["consent_given", "consent_withdrawn"]
    report = integrity.verify()
    assert report.ok, report.problems
