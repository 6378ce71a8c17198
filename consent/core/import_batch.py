"""One import batch written as a set: read what stands once, decide every row in Python
through the ledger's own rules and chain, then write each table with one statement.

Per batch: one query for the suppressed addresses, one (locking) for the people already
known, one for their events; then `ledger.prepare` checks every row's changes exactly as
`ledger.record` does (evidence, soft opt-in conditions, standing opt-outs, channels) and
chains its events, and `ledger.decisions_for` gives the state rows. Subjects, events, state
rows and receipts are then written with COPY (PostgreSQL) or multi-row INSERTs (SQLite).
Rows of one person in one batch follow each other in the chain as they would one by one.
The caller commits, so a batch is still all of its valid rows or nothing.
"""

from dataclasses import dataclass, field
from types import SimpleNamespace

from sqlalchemy import bindparam, select, update

from consent.core import bulk, ledger, rules, subjects
from consent.core.database import db
from consent.core.models import (
    Controller,
    Event,
    Notice,
    Subject,
    Suppression,
    new_public_id,
    new_uuid,
    utcnow,
)

SOURCE = "import"
SUBJECTS = Subject.__table__
SUBJECT_COLUMNS = tuple(column.name for column in SUBJECTS.columns)
# What an import may change about a person already known (subjects.upsert, trusted).
UPDATED = ("email", "email_hash", "external_id", "locale", "country", "event_count", "last_hash")


@dataclass
class Person:
    """A subject as this batch sees it: a plain copy of its row, its chain, what the batch
    adds. Never in the session: the batch writes it with one statement."""

    subject: SimpleNamespace
    history: list
    created: bool
    new: list = field(default_factory=list)
    issued: list = field(default_factory=list)  # (receipt id, its events, locale)


@dataclass
class Written:
    """What happened to one item: its person (None when suppressed), events, or refusal."""

    item: object
    person: Person | None = None
    created: bool = False
    events: int = 0
    refused: ledger.LedgerError | None = None


class Batch:
    """The people a batch touches, found with one query each, locked until the commit."""

    def __init__(self, controller: Controller, items: list, actor: str):
        self.controller, self.items, self.actor = controller, items, actor
        self.hash_of = {item.email: subjects.email_hash(item.email) for item in items}
        hashes = set(self.hash_of.values())
        bulk.lock_for_writing(Controller.__table__, controller.id)
        self.suppressed = set(
            db.session.scalars(
                select(Suppression.email_hash).where(
                    Suppression.controller_id == controller.id,
                    Suppression.email_hash.in_(hashes),
                )
            )
        )
        self.by_hash, self.by_external = {}, {}
        self._load(hashes, {item.external_id for item in items if item.external_id})
        self.notices = list(
            db.session.scalars(
                select(Notice).where(Notice.purpose_id.in_([p.id for p in controller.purposes]))
            )
        )

    def _load(self, hashes: set, externals: set) -> None:
        known = {}
        # By address, then by CRM id: two index lookups (an OR of both plans worse).
        for found in (SUBJECTS.c.email_hash.in_(hashes), SUBJECTS.c.external_id.in_(externals)):
            # The row lock ledger.lock takes, for all of them at once. No ORDER BY: the
            # planner would walk the primary key through the whole table to give it.
            rows = db.session.execute(
                select(SUBJECTS)
                .where(SUBJECTS.c.controller_id == self.controller.id, found)
                .with_for_update()
            ).mappings()
            for row in rows:
                known.setdefault(row["id"], Person(SimpleNamespace(**row), [], False))
        if known:
            for event in db.session.scalars(
                select(Event).where(Event.subject_id.in_(known)).order_by(Event.seq)
            ):
                known[event.subject_id].history.append(event)
        for person in known.values():
            self._index(person)

    def _index(self, person: Person) -> None:
        subject = person.subject
        if subject.email_hash:
            self.by_hash[subject.email_hash] = person
        if subject.external_id:
            self.by_external[subject.external_id] = person

    def take(self, item, changes_for) -> Written:
        """Decide one item against the people as the batch has left them so far."""
        hashed = self.hash_of[item.email]
        if hashed in self.suppressed:
            return Written(item)
        now = utcnow()
        person = self.by_hash.get(hashed) or (
            self.by_external.get(item.external_id) if item.external_id else None
        )
        created = person is None
        if created:
            person = Person(self._new_subject(item, hashed, now), [], True)
        subject = person.subject
        before = {name: getattr(subject, name) for name in UPDATED}
        subject.email, subject.email_hash = item.email, hashed
        for name in ("external_id", "locale", "country"):
            setattr(subject, name, getattr(item, name) or getattr(subject, name))
        changes = changes_for(item, rules.in_order(person.history))
        try:
            events = self._prepare(person, changes, item.locale, now) if changes else []
        except ledger.LedgerError as error:
            for name, value in before.items():
                setattr(subject, name, value)
            return Written(item, refused=error)
        if before["email_hash"] != hashed:
            self.by_hash.pop(before["email_hash"], None)
        self._index(person)
        return Written(item, person, created, len(events))

    def _new_subject(self, item, hashed: str, now) -> SimpleNamespace:
        """A subject row as a plain record: it is copied, never added to the session."""
        return SimpleNamespace(
            id=None,
            controller_id=self.controller.id,
            public_id=new_public_id(),
            external_id=item.external_id,
            email=item.email,
            email_hash=hashed,
            locale=item.locale,
            country=item.country,
            created_at=now,
            erased_at=None,
            event_count=0,
            last_hash=None,
        )

    def _prepare(self, person: Person, changes, locale, now) -> list:
        receipt_id = new_uuid()
        events = ledger.prepare(
            person.subject,
            self.controller,
            changes,
            source=SOURCE,
            actor=self.actor,
            locale=locale,
            history=person.history,
            receipt_id=receipt_id,
            now=now,
        )
        person.history = person.history + events
        person.new += events
        person.issued.append((receipt_id, events, locale))
        return events

    # --- writing ---

    def write(self, written: list[Written]) -> None:
        """Write the people the batch created or changed, then hand their events to the
        ledger, which writes events, state and receipts with one statement per table."""
        touched = {id(w.person): w.person for w in written if w.person is not None}
        people = list(touched.values())
        new = [p for p in people if p.created]
        for person, key in zip(new, bulk.next_ids(SUBJECTS, len(new)), strict=True):
            person.subject.id = key
        bulk.insert(SUBJECTS, SUBJECT_COLUMNS, [_row(p.subject) for p in new])
        known = [p for p in people if not p.created]
        if known:
            db.session.execute(
                update(SUBJECTS).where(SUBJECTS.c.id == bindparam("key")),
                [
                    {"key": p.subject.id, **{n: getattr(p.subject, n) for n in UPDATED}}
                    for p in known
                ],
            )
        ledger.write_prepared(self.controller, people, self.notices)


def _row(subject: SimpleNamespace) -> tuple:
    return tuple(getattr(subject, name, None) for name in SUBJECT_COLUMNS)
