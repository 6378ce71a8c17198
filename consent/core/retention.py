"""Retention as events: consent past its lifetime lapses; inactive people are erased, and
so are people known only through sign-ups nobody confirmed.

Each `due_*` query lists the work; each `apply_*` records it for one subject. The caller
commits after each, so a long run can stop anywhere without a half-done subject. Erasure
by retention keeps no hash of the address: nobody asked for it, so nothing may be kept to
block the person later (SPEC §3).
"""

from datetime import datetime, timedelta

from sqlalchemy import func, select

from consent.core import durations, ledger, rules, subjects
from consent.core.database import db
from consent.core.models import Controller, Event, State, Subject
from consent.core.vocabulary import PROVING

# An address nobody confirmed may not be the person's: its sign-ups go after this long.
UNCONFIRMED_SIGN_UP_DAYS = 30

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


def due_unconfirmed(now: datetime) -> list[int]:
    """People known only through sign-ups still waiting for double opt-in (SPEC §3 rule 3)
    whose last event is older than UNCONFIRMED_SIGN_UP_DAYS."""
    last_event = (
        select(Event.subject_id)
        .group_by(Event.subject_id)
        .having(
            func.max(Event.occurred_at) <= now - timedelta(days=UNCONFIRMED_SIGN_UP_DAYS),
            func.count(Event.id).filter(Event.mailbox_proof.in_(PROVING)) == 0,
        )
    )
    candidates = db.session.scalars(
        select(Subject)
        .where(Subject.erased_at.is_(None), Subject.id.in_(last_event))
        .order_by(Subject.id)
    )
    return [
        subject.id
        for subject in candidates
        if rules.known_only_through_unconfirmed_sign_ups(ledger.events_of(subject))
    ]


def apply_erasure(subject_id: int):
    return subjects.erase(
        db.session.get(Subject, subject_id), source="retention", actor=ACTOR, suppress=False
    )
