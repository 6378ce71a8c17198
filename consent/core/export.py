"""Art. 15/20: everything held about one person, in a machine-readable export."""

from datetime import datetime

from sqlalchemy import select

from consent.core import ledger, purposes, shapes
from consent.core.database import db
from consent.core.models import Controller, Purpose, Receipt, State, Subject, utcnow

CONTROLLER_FIELDS = (
    "name", "address", "contact_email", "dpo_email", "policy_url", "policy_version",
)  # fmt: skip


def _plain(value):
    return value.isoformat() if isinstance(value, datetime) else value


def _fields(row, names) -> dict:
    return {name: _plain(getattr(row, name)) for name in names}


def subject_export(controller: Controller, subject: Subject) -> dict:
    """Art. 15/20: everything held about the person, machine-readable."""
    events = ledger.events_of(subject)
    slugs = {p.id: p.slug for p in controller.purposes}
    receipts = db.session.scalars(
        select(Receipt).where(Receipt.subject_id == subject.id).order_by(Receipt.created_at)
    )
    states = db.session.execute(select(State.__table__).where(State.subject_id == subject.id))
    seen = {(e.purpose_id, e.notice_version, e.locale) for e in events if e.notice_version}
    notices = [
        {"purpose": slugs.get(n.purpose_id), "hash": n.text_hash}
        | _fields(n, ("version", "locale", "title", "description"))
        for purpose_id, version, locale in sorted(seen, key=str)
        for n in purposes.notices(db.session.get(Purpose, purpose_id), version)
        if locale is None or n.locale == locale
    ]
    return {
        "generated_at": utcnow().isoformat(),
        "controller": _fields(controller, CONTROLLER_FIELDS),
        "subject": {"id": subject.public_id}
        | _fields(subject, ("email", "external_id", "locale", "country", "created_at")),
        "state": [
            {"purpose": slugs.get(row.purpose_id)}
            | _fields(row, ("reachable", "basis", "reason", "expires_at"))
            | {"channel": row.channel or None}
            for row in states
        ],
        "events": [shapes.event_json(e, slugs) for e in events],
        "receipts": [_fields(r, ("id", "created_at", "payload", "jws")) for r in receipts],
        "notices_seen": notices,
    }
