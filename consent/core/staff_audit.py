"""The staff audit log: every staff view of a person and every staff change, readable and
exportable by auditors. Catalogue changes keep their own table and are read in with it."""

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from consent.core.database import db
from consent.core.models import CatalogueChange, State, Subject, utcnow
from consent.core.staff_records import StaffAuditEntry

# What staff did; the console says each in words.
VIEWED, PROOF_VIEWED, REQUEST_VIEWED = "person_viewed", "proof_viewed", "request_viewed"
RECORDED, ERASED, LINK_RESENT = "said_recorded", "person_erased", "link_resent"
REQUEST_RECORDED, REQUEST_EXTENDED = "request_recorded", "request_extended"
REQUEST_LINKED, REQUEST_CLOSED = "request_linked", "request_closed"
LOG_EXPORTED, CATALOGUE_APPLIED = "log_exported", "catalogue_applied"
ACCOUNT_DISABLED, PASSWORD_SET = "account_disabled", "account_password_set"
CSV_COLUMNS = ("at", "actor", "action", "subject", "request", "before", "after")


@dataclass
class Line:
    """One line of the log as staff read it, whichever table it comes from."""

    at: datetime
    actor: str
    action: str
    subject: str | None = None
    request: int | None = None
    before: dict | None = None
    after: dict | None = None


def log(staff, action, subject=None, request=None, before=None, after=None) -> None:
    """Add one line in the caller's transaction (it commits with what it describes)."""
    db.session.add(
        StaffAuditEntry(
            controller_id=staff.controller_id,
            staff_user_id=staff.id,
            actor=staff.email,
            at=utcnow(),
            action=action,
            subject_ref=subject.public_id if subject is not None else None,
            request_id=request.id if request is not None else None,
            before=before,
            after=after,
        )
    )
    db.session.flush()


def state_of(subject: Subject) -> dict:
    """The person's standing answer per purpose and channel, for a before/after picture."""
    rows = db.session.execute(
        select(State.purpose_id, State.channel, State.reachable, State.reason).where(
            State.subject_id == subject.id
        )
    )
    slugs = {p.id: p.slug for p in subject.controller.purposes}
    picture = {}
    for purpose_id, channel, reachable, reason in rows:
        key = f"{slugs.get(purpose_id, purpose_id)}/{channel or '-'}"
        picture[key] = "reachable" if reachable else reason
    picture = dict(sorted(picture.items()))
    if subject.erased_at is not None:
        picture["erased"] = True
    return picture


def lines(controller, limit: int | None = None, person: str | None = None) -> list[Line]:
    """The log of one controller, newest first, catalogue changes included; or only the
    lines about one person (by public id): who looked at them, who changed what."""
    query = (
        select(StaffAuditEntry)
        .where(StaffAuditEntry.controller_id == controller.id)
        .order_by(StaffAuditEntry.at.desc(), StaffAuditEntry.id.desc())
        .limit(limit)
    )
    if person:
        query = query.where(StaffAuditEntry.subject_ref == person)
    found = [
        Line(e.at, e.actor, e.action, e.subject_ref, e.request_id, e.before, e.after)
        for e in db.session.scalars(query)
    ]
    if person:
        return found
    changes = (
        select(CatalogueChange)
        .where(CatalogueChange.controller_id == controller.id)
        .order_by(CatalogueChange.applied_at.desc())
        .limit(limit)
    )
    found += [
        Line(c.applied_at, c.actor, CATALOGUE_APPLIED, after=c.plan)
        for c in db.session.scalars(changes)
    ]
    found.sort(key=lambda line: line.at, reverse=True)
    return found[:limit] if limit else found


def as_csv(entries: list[Line]) -> str:
    """The log as CSV, one line a row; before and after as compact JSON."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for line in entries:
        writer.writerow(
            (
                line.at.isoformat(),
                _cell(line.actor),
                line.action,
                _cell(line.subject or ""),
                line.request or "",
                compact_json(line.before),
                compact_json(line.after),
            )
        )
    return out.getvalue()


def _cell(text: str) -> str:
    """A spreadsheet would run a cell that starts like a formula: quote it."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def compact_json(value) -> str:
    return "" if value is None else json.dumps(value, sort_keys=True, separators=(",", ":"))
