"""Who was reachable at a past instant, replayed from the ledger with `rules.decide`,
subject by subject: the proof behind the state history's indexed answer (reachability.py),
and the answer for people whose state waits to be recomputed after a catalogue change."""

from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from sqlalchemy import and_, or_, select

from consent.core import rules
from consent.core.database import db
from consent.core.models import Event, Purpose, Subject

CHUNK = 2000
# The event columns rules.py reads; plain rows are lighter than ORM objects.
_EVENT_COLUMNS = (
    Event.id,
    Event.seq,
    Event.kind,
    Event.purpose_id,
    Event.scope,
    Event.channel,
    Event.basis,
    Event.source,
    Event.mailbox_proof,
    Event.occurred_at,
    Event.notice_version,
    Event.given_at,
    # The existing-customer exception's conditions, read for legitimate-interest marketing.
    Event.sale_reference,
    Event.opt_out_offered_at,
)


@dataclass(frozen=True)
class Row:
    """One reachable subject: public id, email and the lawful basis it rests on."""

    subject: str
    email: str | None
    basis: str


def replayed_at(purpose: Purpose, channel: str, at: datetime, min_notice_version=None, after=0):
    """Stream Rows reachable at a past instant, replayed from the ledger: the proof.

    A subject counts when it existed at `at`, or when its ledger has events up to `at`
    (history imported later keeps its dates). Only events that can touch this purpose
    are read (its own, subject-wide ones, direct-marketing objections): one ordered
    query, grouped per subject as it streams.
    """
    relevant = and_(
        Event.subject_id == Subject.id,
        Event.occurred_at <= at,
        or_(Event.purpose_id == purpose.id, Event.purpose_id.is_(None)),
    )
    query = (
        select(
            Subject.id.label("subject_pk"),
            Subject.public_id,
            Subject.email,
            Subject.created_at,
            *_EVENT_COLUMNS,
        )
        .outerjoin(Event, relevant)
        .where(Subject.controller_id == purpose.controller_id, Subject.id > after)
        .order_by(Subject.id, Event.seq)
        .execution_options(yield_per=CHUNK)
    )
    for (_id, public_id, email, created_at), rows in groupby(
        db.session.execute(query), key=lambda r: (r[0], r[1], r[2], r[3])
    ):
        events = rules.in_order(row for row in rows if row.id is not None)
        if created_at > at and not events:
            continue
        decision = rules.decide(purpose, channel, events, at)
        if decision.reachable and _on_notice(decision, events, min_notice_version):
            yield Row(public_id, email, decision.basis)


def _on_notice(decision, events, min_notice_version) -> bool:
    """Whether the deciding consent was given on notice version `min_notice_version` or later."""
    if min_notice_version is None:
        return True
    deciding = next((e for e in events if e.id == decision.event_id), None)
    return bool(
        deciding and deciding.notice_version and deciding.notice_version >= min_notice_version
    )
