"""Finding people the way staff do: by the start of an address, with the number of matches,
the people whose records changed last, and the people this staff member opened last.

Addresses are stored normalised (lower case), so a typed beginning is normalised the same
way and matched as a prefix: GLOB on SQLite and LIKE on PostgreSQL, each of which the
database serves from the index on (controller, email) as a range scan.
"""

import unicodedata
from dataclasses import dataclass, field

from sqlalchemy import func, select

from consent.core import subjects
from consent.core.database import db, is_postgresql
from consent.core.models import Controller, Event, StaffUser, Subject
from consent.core.staff_audit import VIEWED
from consent.core.staff_records import StaffAuditEntry

LIMIT = 20
RECENT = 10
# Recent people are read from the newest events only, so the answer costs the same for a
# controller with a million people.
RECENT_WINDOW = 500


class BadQuery(ValueError):
    """A search that cannot be asked: control characters (NUL, CR, LF…)."""


@dataclass
class Matches:
    """What a search found: the person it names exactly, or people whose address begins
    with it (the first LIMIT of `count`, alphabetically)."""

    query: str
    exact: Subject | None = None
    count: int = 0
    people: list[Subject] = field(default_factory=list)

    @property
    def only(self) -> Subject | None:
        """The one person found, whom the console opens at once."""
        if self.exact is not None:
            return self.exact
        return self.people[0] if self.count == 1 else None


def prefix_of(text: str) -> str:
    """The typed beginning as addresses are stored: NFKC, invisible characters removed,
    trimmed, lower case."""
    text = unicodedata.normalize("NFKC", text or "").translate(subjects.INVISIBLE).strip()
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in text):
        raise BadQuery(text)
    return text.lower()


def _starts_with(prefix: str):
    if not is_postgresql():
        # GLOB compares bytes, as the index does; [x] makes a wildcard character literal.
        pattern = "".join(f"[{c}]" if c in "*?[" else c for c in prefix)
        return Subject.email.op("GLOB")(pattern + "*")
    pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return Subject.email.like(pattern + "%", escape="\\")


def find(controller: Controller, text: str, limit: int = LIMIT) -> Matches:
    """A public id, an exact address or customer number names one person; otherwise the
    people whose address begins with the text."""
    prefix = prefix_of(text)
    matches = Matches(prefix)
    if not prefix:
        return matches
    matches.exact = subjects.find(controller, text)
    if matches.exact is not None:
        matches.count, matches.people = 1, [matches.exact]
        return matches
    where = (Subject.controller_id == controller.id, _starts_with(prefix))
    matches.count = db.session.scalar(select(func.count()).select_from(Subject).where(*where))
    if matches.count:
        matches.people = list(
            db.session.scalars(select(Subject).where(*where).order_by(Subject.email).limit(limit))
        )
    return matches


def recent(controller: Controller, limit: int = RECENT) -> list[Subject]:
    """The people with the newest events, newest first."""
    newest = db.session.scalars(
        select(Event.subject_id)
        .where(Event.controller_id == controller.id)
        .order_by(Event.recorded_at.desc())
        .limit(RECENT_WINDOW)
    )
    ids = list(dict.fromkeys(newest))[:limit]
    if not ids:
        return []
    found = {s.id: s for s in db.session.scalars(select(Subject).where(Subject.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def opened_by(staff: StaffUser, limit: int = RECENT) -> list[Subject]:
    """The people this staff member opened last, newest first, read from the staff log
    (every view of a person is a line of it); erased people are left out."""
    newest = db.session.scalars(
        select(StaffAuditEntry.subject_ref)
        .where(
            StaffAuditEntry.controller_id == staff.controller_id,
            StaffAuditEntry.staff_user_id == staff.id,
            StaffAuditEntry.action == VIEWED,
        )
        .order_by(StaffAuditEntry.at.desc(), StaffAuditEntry.id.desc())
        .limit(RECENT_WINDOW)
    )
    refs = list(dict.fromkeys(newest))[:limit]
    if not refs:
        return []
    found = {
        s.public_id: s
        for s in db.session.scalars(
            select(Subject).where(
                Subject.controller_id == staff.controller_id,
                Subject.public_id.in_(refs),
                Subject.erased_at.is_(None),
            )
        )
    }
    return [found[ref] for ref in refs if ref in found]
