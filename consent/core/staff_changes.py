"""What staff record for a person who phoned or wrote: an objection ("niet meer bellen"),
a withdrawal, a channel turned off, a restriction, an override of an objection, an erasure.

Each is an event with source `console` and the staff member as actor (`staff:<id>`); staff
identified the person (Art. 12(6)), so no proof of the mailbox is asked. A note goes to
`staff_notes`, outside the ledger; the events carry its SHA-256, so a changed note shows.
"""

import hashlib
from dataclasses import dataclass

from sqlalchemy import select

from consent.core import outbox, staff_audit, subject_requests, subjects
from consent.core.database import db
from consent.core.ledger import Change, LedgerError, record
from consent.core.models import Event, Purpose, Receipt, Subject
from consent.core.staff_records import StaffNote
from consent.core.vocabulary import DIRECT_MARKETING

SOURCE = "console"
OBJECTION_NOTICE = "objection_notice"
# What a person can say to staff, and the event kind each one records.
SAID = {
    "objection": "objection_recorded",
    "withdrawal": "consent_withdrawn",
    "channel_off": "channel_disabled",
    "restriction": "restriction_started",
    "restriction_end": "restriction_ended",
    "override": "objection_overridden",
    "erasure": "erasure_completed",
}


@dataclass
class Said:
    """One thing a person said, as staff typed it. `purpose` None with `scope`
    direct_marketing: all direct marketing; `channel` None: every channel."""

    what: str
    purpose: Purpose | None = None
    scope: str | None = None
    channel: str | None = None
    reference: str | None = None
    grounds: str | None = None
    note: str | None = None


def actor(staff) -> str:
    """Who recorded it, as the ledger names staff: by account, never by address."""
    return f"staff:{staff.id}"


def note_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _evidence(said: Said) -> str | None:
    parts = [(said.reference or "").strip()[:200]]
    if said.note and said.note.strip():
        parts.append(f"note sha256:{note_hash(said.note.strip())}")
    return " · ".join(p for p in parts if p) or None


def _changes(said: Said) -> list[Change]:
    evidence = _evidence(said)
    kind = SAID.get(said.what)
    if kind is None:
        raise LedgerError("unknown_kind", f"Unknown action {said.what!r}.")
    if kind == "objection_recorded":
        scope = DIRECT_MARKETING if said.purpose is None else None
        return [Change(kind, said.purpose, scope=scope, channel=said.channel, evidence=evidence)]
    if kind == "consent_withdrawn":
        if said.purpose is None:
            raise LedgerError("purpose_required", "A withdrawal names its purpose.")
        channels = [said.channel] if said.channel else said.purpose.channels or [None]
        return [Change(kind, said.purpose, channel=c, evidence=evidence) for c in channels]
    if kind == "objection_overridden":
        if said.purpose is None:
            raise LedgerError("purpose_required", "An override names the purpose objected to.")
        return [Change(kind, said.purpose, reason=(said.grounds or "").strip(), evidence=evidence)]
    return [Change(kind, channel=said.channel, evidence=evidence)]


def record_said(staff, subject: Subject, said: Said, request=None) -> Receipt:
    """Record what the person said, in the caller's transaction; link it to the request it
    answers; an override queues the Art. 12(4)/21(1) notice to the person."""
    if request is not None and (request.subject_id != subject.id or request.closed_at):
        raise LedgerError("request_closed", "That request is closed or not this person's.", 409)
    before = staff_audit.state_of(subject)
    if said.what == "erasure":
        receipt = subjects.erase(subject, source=SOURCE, actor=actor(staff))
        action = staff_audit.ERASED
    else:
        receipt = record(
            subject,
            _changes(said),
            source=SOURCE,
            actor=actor(staff),
            locale=subject.locale,
            mailbox_proof="none",
        )
        action = staff_audit.RECORDED
        if said.note and said.note.strip():
            text = said.note.strip()
            db.session.add(
                StaffNote(
                    controller_id=subject.controller_id,
                    subject_id=subject.id,
                    receipt_id=receipt.id,
                    text_hash=note_hash(text),
                    text=text,
                    author_id=staff.id,
                )
            )
    events = events_of(receipt)
    if said.what == "override":
        queue_override_notice(subject, said.purpose, said.grounds, events)
    if request is not None:
        subject_requests.link(staff, request, events, log=False)
    after = staff_audit.state_of(subject) | {"recorded": SAID[said.what]}
    staff_audit.log(staff, action, subject, request, before, after)
    return receipt


def events_of(receipt: Receipt) -> list[str]:
    query = select(Event.id).where(Event.receipt_id == receipt.id).order_by(Event.seq)
    return list(db.session.scalars(query))


def queue_override_notice(subject: Subject, purpose, grounds, events: list[str]) -> None:
    """Art. 12(4) and 21(1): the person is told why the objection is not followed, and that
    they may complain to the supervisory authority where they live; whichever door recorded
    the override (the console, the API) queues this in its transaction."""
    controller = subject.controller
    payload = {
        "purpose": purpose.slug,
        "grounds": (grounds or "").strip(),
        "locale": subject.locale or controller.default_locale,
        "events": events,
    }
    outbox.enqueue(OBJECTION_NOTICE, controller, payload, subject=subject)


def notes_of(subject: Subject) -> list[StaffNote]:
    query = select(StaffNote).where(StaffNote.subject_id == subject.id)
    return list(db.session.scalars(query.order_by(StaffNote.created_at.desc())))
