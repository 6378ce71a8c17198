"""The do-not-mail list: addresses of people who said no, for services that keep their own.

A mail service or CRM that holds its own suppression list takes this export: every person
whose standing answer for a purpose on a channel is a no they gave themselves (refused,
withdrew, objected, unsubscribed, switched the channel off) or that a bounce recorded
(the channel switched off). A choice that waits for the person's confirmation by mail
changes nothing until then, so the no it would undo stays on the list. It is read from the
state table, kept in step with the ledger; people whose state waits to be recomputed after
a catalogue change, and states that wait for a confirmation, are answered from the ledger.
Erased people are not in it: their address is gone, and their erasure reached the
services through the `erasure_completed` webhook when it happened.
"""

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import select

from consent.core import ledger, rules, shapes
from consent.core.database import db
from consent.core.models import Event, Purpose, State, Subject

CHUNK = 2000
# The state reasons that are a person's own no (or a bounce's channel_disabled); a consent
# never asked for or lapsed is no "do not mail".
SAID_NO = ("refused", "withdrawn", "objected", "standing_opt_out", "channel_disabled")
# A choice waiting for confirmation by mail has no effect yet: what it would undo may be a
# no that still holds (an objection whose withdrawal waits). Such rows are decided from
# the ledger (rules.in_force); a sign-up that waits is no "do not mail".
WAITING = "unconfirmed"
COLUMNS = ("email", "subject", "external_id", "purpose", "channel", "reason", "since")


@dataclass(frozen=True)
class Row:
    """One address not to mail for one purpose on one channel, why, and since when."""

    email: str
    subject: str
    external_id: str | None
    purpose: str
    channel: str
    reason: str
    since: str | None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def rows(controller, purpose: Purpose | None = None, channel: str = "email") -> Iterator[Row]:
    """Stream the list for one purpose, or for every purpose that offers the channel,
    ordered by person and then by the purposes' order in the catalogue.

    What the list needs of the controller is read now, before the caller streams the rows
    (a streamed answer outlives the request's objects)."""
    wanted = [p for p in controller.purposes if channel in p.channels]
    if purpose is not None:
        wanted = [p for p in wanted if p.id == purpose.id]
    through = controller.state_rebuilt_through
    return _stream(controller.id, wanted, channel, through)


def _stream(controller_id: int, wanted: list, channel: str, through) -> Iterator[Row]:
    if not wanted:
        return
    slugs = {p.id: p.slug for p in wanted}
    query = (
        select(
            Subject.id,
            Subject.email,
            Subject.public_id,
            Subject.external_id,
            State.purpose_id,
            State.reason,
            Event.occurred_at,
        )
        .join(Subject, Subject.id == State.subject_id)
        .join(Purpose, Purpose.id == State.purpose_id)
        .outerjoin(Event, Event.id == State.event_id)
        .where(
            Subject.controller_id == controller_id,
            Subject.erased_at.is_(None),
            Subject.email.is_not(None),
            State.purpose_id.in_(list(slugs)),
            State.channel == channel,
            State.reason.in_((*SAID_NO, WAITING)),
        )
        .order_by(State.subject_id, Purpose.position)
    )
    if through is not None:
        query = query.where(State.subject_id <= through)
    from_ledger = None
    for subject_id, email, public_id, external_id, purpose_id, reason, since in db.session.execute(
        query.execution_options(yield_per=CHUNK)
    ):
        if reason == WAITING:
            from_ledger = from_ledger or _Ledger(wanted, channel)
            found = from_ledger.said_no(db.session.get(Subject, subject_id), purpose_id)
            if found is None:
                continue
            reason, since = found
        yield Row(email, public_id, external_id, slugs[purpose_id], channel, reason, _iso(since))
    if through is not None:
        yield from _from_ledger(controller_id, wanted, channel, after=through)


class _Ledger:
    """The no in force for a person, decided from their events: for people whose state rows
    wait for the worker, and for a state that waits for the person's confirmation."""

    def __init__(self, wanted, channel: str):
        # The purposes as this session knows them (a streamed answer outlives the request's).
        self.purposes = {p.id: db.session.merge(p, load=False) for p in wanted}
        self.channel = channel
        self._events = (None, [])

    def said_no(self, subject: Subject, purpose_id: int):
        """(reason, since) of the subject's no in force for the purpose, or None."""
        if self._events[0] != subject.id:
            self._events = (subject.id, rules.in_order(ledger.events_of(subject)))
        events = self._events[1]
        decision = rules.in_force(self.purposes[purpose_id], self.channel, events)
        if decision.reason not in SAID_NO:
            return None
        deciding = next((e for e in events if e.id == decision.event_id), None)
        return decision.reason, deciding.occurred_at if deciding else None


def _from_ledger(controller_id: int, wanted, channel, after: int) -> Iterator[Row]:
    """People whose state rows wait for the worker: decided from their events."""
    from_ledger = _Ledger(wanted, channel)
    query = (
        select(Subject)
        .where(
            Subject.controller_id == controller_id,
            Subject.id > after,
            Subject.erased_at.is_(None),
            Subject.email.is_not(None),
        )
        .order_by(Subject.id)
    )
    for subject in db.session.scalars(query):
        for purpose in wanted:
            found = from_ledger.said_no(subject, purpose.id)
            if found is not None:
                reason, since = found
                yield Row(
                    subject.email,
                    subject.public_id,
                    subject.external_id,
                    purpose.slug,
                    channel,
                    reason,
                    _iso(since),
                )


def csv_lines(found: Iterator[Row], chunk: int = 1000) -> Iterator[str]:
    """A header row, then the rows, in pieces of `chunk` lines (formula-safe cells)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for number, row in enumerate(found, start=1):
        writer.writerow(shapes.csv_row(tuple(asdict(row)[column] for column in COLUMNS)))
        if number % chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def ndjson_lines(found: Iterator[Row]) -> Iterator[str]:
    for row in found:
        yield json.dumps(asdict(row), ensure_ascii=False) + "\n"
