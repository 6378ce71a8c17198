"""Staff record what a person said by phone or letter: events with source console, the staff
member as actor, the note outside the ledger; a fresh link through the queue; the roles."""

import re

import pytest
from sqlalchemy import select

from consent.core.database import db
from consent.core.models import Event, OutboxMessage, State
from consent.core.staff_changes import note_hash
from consent.core.staff_records import StaffNote, SubjectRequest
from tests.support.mail import deliver, wait_for
from tests.support.staff import post, sign_in, staff_user, staff_world


def events_of(subject, **where):
    query = select(Event).where(Event.subject_id == subject.id).order_by(Event.seq)
    return [
        e for e in db.session.scalars(query) if all(getattr(e, k) == v for k, v in where.items())
    ]


def state(subject, purpose, channel):
    return db.session.get(State, (subject.id, purpose.id, channel))


def said(client, subject, **fields):
    page = f"/console/subjects/{subject.public_id}/staff?lang=en"
    return post(client, f"/console/subjects/{subject.public_id}/said?lang=en", fields, page)


@pytest.fixture
def desk(client, make):
    """An admin signed in at Acme, and Anna, who calls."""
    c, anna, p = staff_world(make)
    admin = staff_user(c, "admin")
    sign_in(client, admin)
    return c, anna, p, admin


def test_a_phone_objection_is_an_event_by_the_staff_member_and_the_note_stays_outside(client, desk):
    c, anna, p, admin = desk
    note = "Anna belde: niet meer bellen, ook niet over aanbiedingen."
    answer = said(
        client, anna, what="objection", channel="phone", reference="call 2026-12-01", note=note
    )
    assert answer.status_code == 302
    db.session.expire_all()
    [event] = events_of(anna, kind="objection_recorded")
    assert (event.source, event.actor, event.scope, event.channel) == (
        "console",
        f"staff:{admin.id}",
        "direct_marketing",
        "phone",
    )
    assert event.mailbox_proof == "none"
    assert event.evidence == f"call 2026-12-01 · note sha256:{note_hash(note)}"
    assert "belde" not in (event.reason or "") + event.evidence
    [kept] = db.session.scalars(select(StaffNote)).all()
    assert (kept.text, kept.receipt_id, kept.author_id) == (note, event.receipt_id, admin.id)
    assert not state(anna, p["calls"], "phone").reachable
    assert state(anna, p["newsletter"], "email").reachable  # by phone only
    page = client.get(f"/console/subjects/{anna.public_id}/staff?lang=en").get_data(True)
    assert note in page and "Recorded in the ledger" not in page
    assert 'data-purpose="calls" data-channel="phone" data-allowed="no"' in page
    assert 'data-purpose="newsletter" data-channel="email" data-allowed="yes"' in page


def test_withdrawal_channel_restriction_and_their_refusals(client, desk):
    c, anna, p, _admin = desk
    assert said(client, anna, what="withdrawal", purpose="newsletter").status_code == 302
    db.session.expire_all()
    assert sorted(e.channel for e in events_of(anna, kind="consent_withdrawn")) == ["email", "sms"]
    assert said(client, anna, what="channel_off", channel="sms").status_code == 302
    assert said(client, anna, what="restriction").status_code == 302
    db.session.expire_all()
    assert [e.kind for e in events_of(anna, source="console")][-2:] == [
        "channel_disabled",
        "restriction_started",
    ]
    count = len(events_of(anna))
    refused = said(client, anna, what="withdrawal", reference="")
    assert refused.status_code == 422 and "Choose the purpose" in refused.get_data(True)
    mailed = said(client, anna, what="objection", reference="see anna@example.test")
    assert mailed.status_code == 422 and "never an email address" in mailed.get_data(True)
    unconfirmed = said(client, anna, what="erasure")
    assert unconfirmed.status_code == 422 and "Tick the box" in unconfirmed.get_data(True)
    db.session.expire_all()
    assert len(events_of(anna)) == count


def test_an_erasure_by_staff_removes_the_notes_and_the_request_texts(client, desk):
    c, anna, _p, _admin = desk
    said(client, anna, what="objection", note="Called from her mobile 0612345678")
    page = f"/console/subjects/{anna.public_id}/staff?lang=en"
    post(
        client,
        f"/console/subjects/{anna.public_id}/requests?lang=en",
        {"kind": "erasure", "received_on": "2026-11-30", "note": "Letter signed A. Jansen"},
        page,
    )
    [request] = db.session.scalars(select(SubjectRequest)).all()
    answer = said(client, anna, what="erasure", confirm="yes", request=str(request.id))
    assert answer.status_code == 302 and f"/console/requests/{request.id}" in answer.location
    db.session.expire_all()
    assert anna.erased_at is not None and anna.email is None
    assert events_of(anna)[-1].kind == "erasure_completed"
    assert events_of(anna)[-1].source == "console"
    assert db.session.scalars(select(StaffNote)).all() == []
    assert request.note is None and request.kind == "erasure"
    assert [a.event_id for a in request.answers] == [events_of(anna)[-1].id]


def test_a_fresh_link_goes_to_the_persons_address_through_the_queue(app, client, desk, smtp):
    c, anna, _p, _admin = desk
    page = f"/console/subjects/{anna.public_id}/staff?lang=en"
    answer = post(client, f"/console/subjects/{anna.public_id}/link?lang=en", {}, page)
    assert answer.status_code == 302
    assert smtp.messages == []  # nothing leaves inside the request
    assert db.session.scalar(select(OutboxMessage.kind)) == "fresh_link"
    deliver(app)
    [(to, message)] = wait_for(smtp)
    assert to == ["anna@example.test"]
    body = message.get_body(("plain",)).get_content()
    url = re.search(r"https?://\S+/preferences/(\S+)", body).group(1)
    # An access request is answered so: the link proves the mailbox, so the data opens.
    data = client.get(f"/preferences/{url}/export?format=html&lang=en")
    assert data.status_code == 200 and "anna@example.test" in data.get_data(True)


# The role matrix of consent/console/roles.py (and the README): marketers view, auditors view
# and export, admins act. None: the page answers (200 or a redirect after the change).
MATRIX = [
    ("GET", "/console/", {"marketer", "auditor", "admin"}),
    ("GET", "/console/requests", {"marketer", "auditor", "admin"}),
    ("GET", "/console/subjects/{s}/staff", {"auditor", "admin"}),
    ("GET", "/console/requests/{r}", {"auditor", "admin"}),
    ("GET", "/console/staff-log", {"auditor", "admin"}),
    ("GET", "/console/staff-log.csv", {"auditor", "admin"}),
    ("POST", "/console/subjects/{s}/said", {"admin"}),
    ("POST", "/console/subjects/{s}/link", {"admin"}),
    ("POST", "/console/subjects/{s}/requests", {"admin"}),
    ("POST", "/console/requests/{r}/extend", {"admin"}),
    ("POST", "/console/requests/{r}/link", {"admin"}),
    ("POST", "/console/requests/{r}/close", {"admin"}),
]
FORMS = {
    "said": {"what": "objection", "channel": "phone"},
    "requests": {"kind": "access", "received_on": "2026-11-02"},
    "extend": {"reason": "Many archived letters to search"},
    "close": {"outcome": "Copy sent by letter"},
}


def test_the_role_matrix(app, make):
    c, anna, _p = staff_world(make)
    users = {role: staff_user(c, role) for role in ("marketer", "auditor", "admin")}
    request = SubjectRequest(
        controller_id=c.id, subject_id=anna.id, kind="objection", received_on=anna.created_at.date()
    )
    request.due_on = request.received_on
    db.session.add(request)
    db.session.commit()
    for role, user in users.items():
        client = app.test_client()
        sign_in(client, user)
        for method, pattern, allowed in MATRIX:
            url = pattern.format(s=anna.public_id, r=request.id)
            if method == "GET":
                status = client.get(url).status_code
            else:
                fields = FORMS.get(url.rsplit("/", 1)[1], {})
                status = post(client, url, fields, "/console/").status_code
            expected = {200, 302, 422} if role in allowed else {403}
            assert status in expected, (role, method, url, status)
