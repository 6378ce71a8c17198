"""A person's change of email address (Art. 16): asked from a link mailed to the current
address, confirmed at the new one, recorded as `email_changed` (no address in the event).

The new address waits in `address_changes` (outside the ledger) until the person clicks
the link mailed to it; only then does the subject's address change. Links mailed to the old
address stop proving the mailbox at that moment (they name the old address's hash).
"""

from datetime import timedelta

from sqlalchemy import delete, select

from consent.core import ledger, subjects
from consent.core.database import db
from consent.core.models import AddressChange, Controller, Subject, utcnow


class AddressUnavailable(ValueError):
    """The new address belongs to someone else here, or was erased on request."""


def request(subject: Subject, new_email: str) -> AddressChange:
    """Keep the new address until it is confirmed; one request per person stands."""
    db.session.execute(delete(AddressChange).where(AddressChange.subject_id == subject.id))
    change = AddressChange(
        controller_id=subject.controller_id,
        subject_id=subject.id,
        email=subjects.normalise_email(new_email),
        email_hash=subjects.email_hash(new_email),
        requested_at=utcnow(),
    )
    db.session.add(change)
    db.session.flush()
    return change


def pending(change_id: str, subject: Subject, max_age: timedelta) -> AddressChange | None:
    """The person's request under this id, if it is not older than `max_age`."""
    change = db.session.scalar(
        select(AddressChange).where(
            AddressChange.id == change_id, AddressChange.subject_id == subject.id
        )
    )
    if change is None or change.requested_at < utcnow() - max_age:
        return None
    return change


def confirm(change: AddressChange, subject: Subject, locale: str | None):
    """The person clicked the link at the new address: move them there, in one transaction."""
    controller = db.session.get(Controller, subject.controller_id)
    taken = db.session.scalar(
        select(Subject.id).where(
            Subject.controller_id == controller.id,
            Subject.email_hash == change.email_hash,
            Subject.id != subject.id,
        )
    )
    if taken is not None or subjects.is_suppressed(controller, change.email_hash):
        raise AddressUnavailable(change.id)
    # The move comes first, so the event's webhook tells the controller's systems the new
    # address (the event itself holds neither).
    subject.email, subject.email_hash = change.email, change.email_hash
    receipt = ledger.record(
        subject,
        [ledger.Change("email_changed")],
        source="preference_page",
        actor="subject",
        locale=locale,
        mailbox_proof="confirmation",
    )
    db.session.delete(change)
    db.session.flush()
    return receipt
