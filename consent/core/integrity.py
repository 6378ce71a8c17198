"""Proof that nobody altered the record: re-walk every hash chain and rebuild state."""

from dataclasses import dataclass, field

from sqlalchemy import select

from consent.core import chain, checkpoints, ledger, state_history
from consent.core.database import db
from consent.core.models import Controller, Event, Receipt, State, Subject


@dataclass
class Report:
    subjects: int = 0
    events: int = 0
    checkpoints: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_chain(subject: Subject, controller: Controller, events: list[Event]) -> list[str]:
    """Every way this subject's chain is broken, in words; empty when intact."""
    problems = []
    slugs = {p.id: p.slug for p in controller.purposes}
    prev_hash = None
    for expected_seq, event in enumerate(events, start=1):
        where = f"subject {subject.public_id} event {event.seq} ({event.id})"
        if event.seq != expected_seq:
            problems.append(f"{where}: sequence gap, expected {expected_seq}")
        if event.prev_hash != prev_hash:
            problems.append(f"{where}: prev_hash does not link to the previous event")
        if event.subject_id != subject.id or event.controller_id != controller.id:
            problems.append(f"{where}: belongs to another subject or controller")
        recomputed = chain.event_hash(
            event, controller.slug, subject.public_id, slugs.get(event.purpose_id)
        )
        if recomputed != event.hash:
            problems.append(f"{where}: hash mismatch, the stored row was altered")
        prev_hash = event.hash
    if subject.event_count != len(events) or subject.last_hash != prev_hash:
        problems.append(f"subject {subject.public_id}: chain head does not match its last event")
    return problems


def check_state(subject: Subject, controller: Controller, events: list[Event]) -> list[str]:
    """Differences between the stored state rows and a rebuild from the ledger (none for a
    person whose state the worker has yet to recompute: it is not read meanwhile)."""
    if not controller.state_is_current(subject.id):
        return []
    wanted = ledger.decisions_for(controller.purposes, events)
    stored = {
        (row.purpose_id, row.channel): row
        for row in db.session.execute(select(State.__table__).where(State.subject_id == subject.id))
    }
    problems = []
    slugs = {p.id: p.slug for p in controller.purposes}
    for key in wanted.keys() | stored.keys():
        decision, row = wanted.get(key), stored.get(key)
        got = row and (row.reachable, row.basis, row.reason, row.event_id, row.expires_at)
        want = decision and (
            decision.reachable,
            decision.basis,
            decision.reason,
            decision.event_id,
            decision.expires_at,
        )
        if got != want:
            problems.append(
                f"subject {subject.public_id} {slugs.get(key[0], key[0])}/{key[1]}: "
                f"state {got} but the ledger gives {want}"
            )
    return problems


def _missing_receipts(controller: Controller) -> list[str]:
    """Events whose receipt row is gone (the hash covers its id, not the row)."""
    missing = db.session.execute(
        select(Event.id, Event.receipt_id)
        .outerjoin(Receipt, Receipt.id == Event.receipt_id)
        .where(Event.controller_id == controller.id, Receipt.id.is_(None))
        .order_by(Event.recorded_at)
    )
    return [
        f"event {event_id}: its receipt {receipt_id} is missing" for event_id, receipt_id in missing
    ]


def verify(progress=None) -> Report:
    """Walk every chain of every controller, check every receipt is there and every stored
    checkpoint still matches the ledger; `progress(n)` is called per subject."""
    report = Report()
    for controller in db.session.scalars(select(Controller).order_by(Controller.id)):
        report.problems += _missing_receipts(controller)
        verdict = checkpoints.check(controller)
        report.checkpoints += verdict.checkpoints
        report.problems += verdict.problems
        subjects = db.session.scalars(
            select(Subject).where(Subject.controller_id == controller.id).order_by(Subject.id)
        )
        for subject in subjects:
            events = ledger.events_of(subject)
            report.subjects += 1
            report.events += len(events)
            report.problems += check_chain(subject, controller, events)
            report.problems += check_state(subject, controller, events)
            report.problems += state_history.problems(subject, controller, events)
            if progress:
                progress(1)
    return report
