"""Retention as events: consent past its lifetime lapses; inactive people are erased.

Each `due_*` query lists the work; each `apply_*` records it for one subject. The caller
commits after each, so a long run can stop anywhere without a half-done subject.
"""

from datetime import datetime

from sqlalchemy import func, select

from consent.core import durations, ledger, subjects
from consent.core.database import db
from consent.core.models import Controller, Event, State, Subject

ACTOR = "retention"


def due_lapses(now: datetime) -> list[tuple[int, str]]:
    """(subject id, deciding consent event id) for every consent that ran out by `now`."""
    rows = db.session.execute(
        select(State.subject_id, State.event_id)
        .where(State.reachable.is_(True), State.expires_at <= now)
        .distinct()
        .order_by(State.subject_id)
    )
    return [(subject_id, event_id) for subject_id, event_id in rows]


def apply_lapse(subject_id: int, event_id: str):
    """Record consent_expired for the purpose and channel the lapsed consent covered."""
    given = db.session.get(Event, event_id)
    subject = db.session.get(Subject, subject_id)
    change = ledger.Change("consent_expired", given.purpose, channel=given.channel)
    return ledger.record(subject, [change], source="retention", actor=ACTOR)


def due_erasures(now: datetime) -> list[int]:
    """Subjects inactive past their controller's retention who have no asserted basis left."""
    last_event = (
        select(Event.subject_id, func.max(Event.occurred_at).label("last"))
        .where(Event.source != "retention")  # our own lapses are not the person's activity
        .group_by(Event.subject_id)
        .subquery()
    )
    candidates = db.session.execute(
        select(Subject, Controller.inactive_retention, last_event.c.last)
        .join(Controller, Controller.id == Subject.controller_id)
        .outerjoin(last_event, last_event.c.subject_id == Subject.id)
        .where(Subject.erased_at.is_(None), Controller.inactive_retention.is_not(None))
        .order_by(Subject.id)
    )
    due = []
    for subject, retention, last in candidates:
        if durations.add_duration(last or subject.created_at, retention) > now:
            continue
        still_bound = db.session.scalar(
            select(State.subject_id).where(
                State.subject_id == subject.id,
                State.reachable.is_(True),
                State.reason == "basis_asserted",
            )
        )
        if still_bound is None:
            due.append(subject.id)
    return due


def apply_erasure(subject_id: int):
    return subjects.erase(db.session.get(Subject, subject_id), source="retention", actor=ACTOR)
