"""Who may be contacted for a purpose on a channel (None for a purpose without channels:
whether the processing is allowed), now (state table) or at a past instant (state history).

Lists are generators over server-side cursors (`yield_per`), so a million rows stream in
constant memory; on PostgreSQL `lines()` has the database format them (reachable_copy.py).
The present is read from the state table, a past instant from the state history, both kept
in step with the ledger. The replay of the ledger with `rules.decide`, subject by subject
(`replayed_at`), stays the proof of the answer for "who could we mail on 1 March": it
answers for people whose state waits to be recomputed after a catalogue change, and tests
hold the history equal to it.
"""

import csv
import io
import json
from datetime import datetime

from sqlalchemy import func, or_, select

from consent.core import ledger, reachable_copy, rules, shapes, subjects, tally
from consent.core.database import db, is_postgresql
from consent.core.models import (
    Event,
    Purpose,
    State,
    StateHistory,
    Subject,
    Suppression,
    utcnow,
)
from consent.core.reachable_replay import CHUNK, Row, replayed_at
from consent.core.vocabulary import NO_CHANNEL

__all__ = ["Row", "replayed_at"]  # the replay is read through this module too


def _now_query(purpose: Purpose, channel: str, now: datetime, min_notice_version=None):
    query = (
        select(Subject.public_id, Subject.email, State.basis)
        .join(Subject, Subject.id == State.subject_id)
        .where(
            State.purpose_id == purpose.id,
            State.channel == (channel or NO_CHANNEL),
            State.reachable.is_(True),
            or_(State.expires_at.is_(None), State.expires_at > now),
            Subject.erased_at.is_(None),
        )
    )
    if min_notice_version is not None:
        query = query.join(Event, Event.id == State.event_id).where(
            Event.notice_version >= min_notice_version
        )
    return query


def _history_query(purpose: Purpose, channel: str, at: datetime, min_notice_version=None):
    """The rows of the state history that held at `at` and reached then."""
    query = (
        select(Subject.public_id, Subject.email, StateHistory.basis)
        .join(Subject, Subject.id == StateHistory.subject_id)
        .where(
            StateHistory.purpose_id == purpose.id,
            StateHistory.channel == (channel or NO_CHANNEL),
            StateHistory.reachable.is_(True),
            StateHistory.valid_from <= at,
            or_(StateHistory.valid_to.is_(None), StateHistory.valid_to > at),
            or_(StateHistory.expires_at.is_(None), StateHistory.expires_at > at),
        )
    )
    if min_notice_version is not None:
        query = query.join(Event, Event.id == StateHistory.event_id).where(
            Event.notice_version >= min_notice_version
        )
    return query


def _query(purpose: Purpose, channel: str, at, min_notice_version):
    """The indexed query for `at` (None: now) and the last subject id it answers for (None:
    all); people after it wait for a recomputation and are replayed from the ledger."""
    through = purpose.controller.state_rebuilt_through
    if at is None:
        query, table = _now_query(purpose, channel, utcnow(), min_notice_version), State
    else:
        query, table = _history_query(purpose, channel, at, min_notice_version), StateHistory
    if through is not None:
        query = query.where(table.subject_id <= through)
    return query.order_by(table.subject_id), through


def reachable_now(purpose: Purpose, channel: str, now=None, min_notice_version=None):
    """Stream Rows reachable now, ordered by subject, from the indexed state table.

    While the worker recomputes state after a catalogue change, the people it has not
    reached yet are answered from the ledger."""
    now = now or utcnow()
    through = purpose.controller.state_rebuilt_through
    query = _now_query(purpose, channel, now, min_notice_version).order_by(State.subject_id)
    if through is not None:
        query = query.where(State.subject_id <= through)
    result = db.session.execute(query.execution_options(yield_per=CHUNK))
    for public_id, email, basis in result:
        yield Row(public_id, email, basis)
    if through is not None:
        yield from replayed_at(purpose, channel, now, min_notice_version, after=through)


def count_now(purpose: Purpose, channel: str, now=None, min_notice_version=None) -> int:
    """The length of reachable_now's list, from the tally of the state rows (tally.py), or
    while state is recomputed from the partial index ix_state_reachable_expiry. Neither
    joins the people: a person's erasure makes their state rows unreachable in its own
    transaction (subjects.erase records erasure_completed), so the list's test of erased_at
    leaves out nobody the state rows count."""
    now = now or utcnow()
    through = purpose.controller.state_rebuilt_through
    if through is None and min_notice_version is None:
        return tally.count(purpose.id, channel or NO_CHANNEL, now)
    done = [] if through is None else [State.subject_id <= through]
    if min_notice_version is None:
        query = select(func.count()).where(
            State.purpose_id == purpose.id,
            State.channel == (channel or NO_CHANNEL),
            State.reachable,
            or_(State.expires_at.is_(None), State.expires_at > now),
            *done,
        )
    else:
        inner = _now_query(purpose, channel, now, min_notice_version).where(*done)
        query = select(func.count()).select_from(inner.subquery())
    counted = db.session.scalar(query)
    if through is not None:
        counted += sum(1 for _ in replayed_at(purpose, channel, now, min_notice_version, through))
    return counted


def reachable_at(purpose: Purpose, channel: str, at: datetime, min_notice_version=None):
    """Stream Rows reachable at a past instant, ordered by subject, from the state history."""
    query, through = _query(purpose, channel, at, min_notice_version)
    for public_id, email, basis in db.session.execute(query.execution_options(yield_per=CHUNK)):
        yield Row(public_id, email, basis)
    if through is not None:
        yield from replayed_at(purpose, channel, at, min_notice_version, after=through)


def rows(purpose: Purpose, channel: str, at: datetime | None = None, min_notice_version=None):
    """The reachable list: from state for now, from the ledger for a given instant.

    `min_notice_version` keeps only people whose consent was given on that notice version
    of the purpose or a newer one (a campaign that must rest on the current text). The
    purpose is read again when the list is first read: a streamed answer is read after the
    request's own session has closed."""
    purpose_id = purpose.id

    def stream():
        current = db.session.get(Purpose, purpose_id)
        if at is None:
            yield from reachable_now(current, channel, min_notice_version=min_notice_version)
        else:
            yield from reachable_at(current, channel, at, min_notice_version)

    return stream()


def count(purpose: Purpose, channel: str, at: datetime | None = None, min_notice_version=None):
    if at is None:
        return count_now(purpose, channel, min_notice_version=min_notice_version)
    query, through = _query(purpose, channel, at, min_notice_version)
    counted = reachable_copy.count(query)
    if through is not None:
        counted += sum(1 for _ in replayed_at(purpose, channel, at, min_notice_version, through))
    return counted


def lines(purpose: Purpose, channel: str, at=None, min_notice_version=None, fmt="ndjson"):
    """The list's body in `fmt` (ndjson or csv): pieces of text, or of bytes when PostgreSQL
    formats it with COPY (while nobody's state waits to be recomputed). Read lazily, as
    rows() is, so a streamed answer opens its query after the request's session closed."""
    purpose_id = purpose.id

    def stream():
        current = db.session.get(Purpose, purpose_id)
        query, through = _query(current, channel, at, min_notice_version)
        if is_postgresql() and through is None:
            copied = reachable_copy.csv if fmt == "csv" else reachable_copy.ndjson
            yield from copied(query)
            return
        listed = rows(current, channel, at, min_notice_version)
        yield from (csv_lines(listed) if fmt == "csv" else ndjson_lines(listed))

    return stream()


def ndjson_lines(rows):
    """One {"subject", "email", "basis"} object a line."""
    for row in rows:
        yield json.dumps({"subject": row.subject, "email": row.email, "basis": row.basis}) + "\n"


def csv_lines(rows, chunk: int = 1000):
    """A header row `subject,email,basis`, then the rows, in pieces of `chunk` lines."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("subject", "email", "basis"))
    for number, row in enumerate(rows, start=1):
        writer.writerow(shapes.csv_row((row.subject, row.email, row.basis)))
        if number % chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _state_decision(row: State | None, purpose, channel, subject, now) -> rules.Decision:
    """The decision for one subject now; from its state row, or its ledger if it has none
    or the row waits to be recomputed after a catalogue change."""
    if row is None or not purpose.controller.state_is_current(subject.id):
        return rules.decide(purpose, channel, ledger.events_of(subject), now)
    decision = rules.Decision(row.reachable, row.basis, row.reason, row.event_id, row.expires_at)
    return rules.lapsed(decision, now)


def check(controller, purpose: Purpose, channel: str, emails: list, at: datetime | None = None):
    """Per address: may it be mailed for this purpose on this channel (now or at `at`)?

    Answers keep the order of the input. An unknown address is not reachable ("unknown");
    an erased person's address is recognised by its suppression hash ("erased").
    """
    now = utcnow()
    hashes = {}
    for email in emails:
        try:
            hashes[email] = subjects.email_hash(email) if isinstance(email, str) else None
        except subjects.InvalidEmail:
            hashes[email] = None
    wanted = sorted({h for h in hashes.values() if h})
    known, suppressed, states = {}, set(), {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for subject in db.session.scalars(
            select(Subject).where(
                Subject.controller_id == controller.id, Subject.email_hash.in_(chunk)
            )
        ):
            known[subject.email_hash] = subject
        suppressed.update(
            db.session.scalars(
                select(Suppression.email_hash).where(
                    Suppression.controller_id == controller.id,
                    Suppression.email_hash.in_(chunk),
                )
            )
        )
    ids = [s.id for s in known.values()]
    for start in range(0, len(ids), 500):
        for row in db.session.execute(
            select(State.__table__).where(
                State.subject_id.in_(ids[start : start + 500]),
                State.purpose_id == purpose.id,
                State.channel == (channel or NO_CHANNEL),
            )
        ):
            states[row.subject_id] = row
    results = []
    for email in emails:
        hashed = hashes[email]
        answer = {"email": email, "reachable": False, "basis": None}
        if hashed is None:
            answer["reason"] = "invalid_email"
        elif hashed in suppressed:
            answer.update(reason="erased", suppressed=True)
        elif hashed not in known:
            answer["reason"] = "unknown"
        else:
            subject = known[hashed]
            if at is None:
                decision = _state_decision(states.get(subject.id), purpose, channel, subject, now)
            else:
                decision = rules.decide(purpose, channel, ledger.events_of(subject), at)
            answer.update(
                subject=subject.public_id,
                reachable=decision.reachable,
                basis=decision.basis,
                reason=decision.reason,
            )
        results.append(answer)
    return results
