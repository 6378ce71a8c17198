"""The only way events enter the ledger: validate, lock the subject, chain, update state.

`record()` writes everything with Core statements (one round trip on PostgreSQL for the
events, the chain head, the state, its history and the receipt: core/writes.py); the caller
commits, so one interaction is one transaction. Events are never updated or deleted
(models.py and the database refuse).
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace

from flask import current_app
from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm.attributes import set_committed_value

from consent.core import bulk, chain, observe, receipts, rules, state_history, webhooks
from consent.core.database import db, is_postgresql, this_transaction
from consent.core.models import (
    Controller,
    Event,
    Purpose,
    Receipt,
    State,
    StateHistory,
    Subject,
    new_uuid,
    utcnow,
)
from consent.core.vocabulary import (
    BASES,
    CHANNELS,
    CONSENT_DECISIONS,
    DIRECT_MARKETING,
    KINDS,
    MAILBOX_PROOFS,
    NO_CHANNEL,
    SOURCES,
    SUBJECT_WIDE_KINDS,
)
from consent.core.writes import JsonText, Writes


class LedgerError(ValueError):
    """A change the rules refuse; `code` is stable for programs, the message for people."""

    def __init__(self, code: str, message: str, status: int = 422):
        super().__init__(message)
        self.code = code
        self.status = status


@dataclass
class Change:
    """One event to record, as the caller means it."""

    kind: str
    purpose: Purpose | None = None
    scope: str | None = None
    channel: str | None = None
    basis: str | None = None
    reason: str | None = None
    evidence: str | None = None
    notice_version: int | None = None
    notice_hash: str | None = None
    occurred_at: datetime | None = None
    # When a decision collected elsewhere was given, if before it is recorded here.
    given_at: datetime | None = None
    # The existing-customer exception's conditions, on a basis_asserted (SPEC §2).
    sale_reference: str | None = None
    opt_out_offered_at: datetime | None = None


# Free text in events holds references (an order number, a ticket id), never an address.
_EMAIL_LIKE = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")


def _validate(subject: Subject, change: Change, source: str) -> None:
    if change.kind not in KINDS:
        raise LedgerError("unknown_kind", f"Unknown event kind {change.kind!r}.")
    if source not in SOURCES:
        raise LedgerError("unknown_source", f"Unknown source {source!r}.")
    purpose = change.purpose
    if purpose is not None and purpose.controller_id != subject.controller_id:
        raise LedgerError("unknown_purpose", "Unknown purpose.", 404)
    if change.scope == DIRECT_MARKETING:
        if change.kind not in ("objection_recorded", "objection_withdrawn") or purpose is not None:
            raise LedgerError(
                "invalid_scope", "Only an objection can have the direct_marketing scope."
            )
    elif purpose is None and change.kind not in SUBJECT_WIDE_KINDS:
        raise LedgerError("purpose_required", f"{change.kind} needs a purpose.")
    if change.channel is not None:
        channels = purpose.channels if purpose else CHANNELS
        if change.channel not in channels:
            raise LedgerError("unknown_channel", f"Channel {change.channel!r} is not offered.")
    elif change.kind == "consent_given" and purpose is not None and purpose.channels:
        raise LedgerError("channel_required", f"A consent names its channel: {purpose.channels}.")
    elif change.kind in ("channel_disabled", "channel_enabled"):
        raise LedgerError("channel_required", f"{change.kind} names the channel.")
    for text in (change.reason, change.evidence):
        if text and _EMAIL_LIKE.search(text):
            raise LedgerError(
                "personal_data_in_text",
                "evidence and reason hold references (an order number, a ticket id), "
                "never an email address.",
            )
    if change.kind == "objection_overridden":
        if purpose is None or rules.is_marketing(purpose):
            raise LedgerError(
                "override_refused",
                "An objection to direct marketing, or to processing that serves it, can "
                "never be overridden (GDPR Art. 21(2)-(3)).",
                409,
            )
        if not change.reason:
            raise LedgerError("reason_required", "An override needs its compelling grounds.")
    if change.kind == "basis_asserted":
        if purpose is None or change.basis == "consent" or change.basis != purpose.basis:
            raise LedgerError(
                "basis_not_allowed",
                "A purpose keeps its own basis: basis_asserted names it, and consent is "
                "given by the person, never asserted.",
            )
        if not change.evidence:
            raise LedgerError("evidence_required", "A basis is asserted with evidence.")
        if purpose.category == DIRECT_MARKETING and not rules.soft_opt_in_holds(
            purpose,
            change.sale_reference,
            change.opt_out_offered_at,
            change.occurred_at or utcnow(),
        ):
            raise LedgerError(
                "soft_opt_in_conditions",
                "Legitimate interest in direct marketing is the existing-customer exception: "
                "the purpose markets your own similar products by email or sms, and the "
                "assertion names the sale (sale_reference) and when the person was first "
                "offered the choice to refuse (opt_out_offered_at, not after the assertion).",
            )
    if (change.sale_reference or change.opt_out_offered_at) and change.kind != "basis_asserted":
        raise LedgerError("invalid_parameter", "Only basis_asserted carries a sale.")
    if change.kind == "basis_ended" and change.basis not in (None, *BASES):
        raise LedgerError("invalid_basis", f"Unknown basis {change.basis!r}.")
    if change.given_at is not None:
        if change.kind not in CONSENT_DECISIONS:
            raise LedgerError("invalid_given_at", "Only a consent decision carries given_at.")
        if change.given_at > utcnow():
            raise LedgerError("future_event", "A decision cannot be given in the future.")


def _check_time(subject: Subject, changes: list[Change], history: list[Event], window) -> None:
    """An event is dated now, or at most `window` back, never before the person existed or
    before the chain's last event: nobody rewrites the answer about a past instant. A
    decision collected earlier is recorded now and says when it was given (`given_at`)."""
    now = utcnow()
    latest = max((e.occurred_at for e in history), default=subject.created_at)
    for change in changes:
        at = change.occurred_at
        if at is None:
            continue
        if at > now:
            raise LedgerError("future_event", "An event cannot occur in the future.")
        if at < now - window:
            raise LedgerError(
                "backdated",
                "occurred_at is further back than allowed; record a decision collected "
                "earlier now, with given_at.",
            )
        if at < latest:
            raise LedgerError(
                "out_of_order",
                "occurred_at is before this person's last recorded event or before they "
                "were known here.",
            )
        latest = at


def _name_the_only_channel(change: Change) -> None:
    """A consent names its channel; for a purpose with one channel there is only one to name."""
    purpose = change.purpose
    if change.kind == "consent_given" and change.channel is None and purpose is not None:
        if len(purpose.channels) == 1:
            change.channel = purpose.channels[0]


def _check_standing_no(changes: list[Change], history: list[Event]) -> None:
    """An assertion never resets a person's no to direct marketing (SPEC §3 rule 4)."""
    asserted = [
        c.purpose
        for c in changes
        if c.kind == "basis_asserted" and c.purpose.category == DIRECT_MARKETING
    ]
    if not asserted:
        return
    ordered = rules.in_order(history)
    for purpose in asserted:
        if rules.standing_no(purpose, ordered) is not None:
            raise LedgerError(
                "standing_opt_out",
                "This person said no to this purpose; only they can undo that.",
                409,
            )


def lock(subject: Subject) -> list[Event]:
    """Serialise appends to one subject's chain (row lock on PostgreSQL, write lock on SQLite).

    Returns the chain as it stands under the lock, for callers that decide what to record.
    On PostgreSQL one SELECT … FOR UPDATE both locks and re-reads the row; SQLite has no row
    locks, so a write that changes nothing takes its write lock, and the row is read again.
    """
    if held(subject):
        # Read under its lock earlier in this transaction (subjects.by_link), with its chain
        # when that was read too; a chain is used once, as the next change makes it longer.
        chain = this_transaction().get("chains", {}).pop(subject.id, None)
        if chain is not None:
            return chain
    elif is_postgresql():
        db.session.execute(
            select(Subject)
            .where(Subject.id == subject.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).scalar_one()  # fetched, so the locked row's values replace the stale ones
    else:
        db.session.execute(
            update(Subject)
            .where(Subject.id == subject.id)
            .values(event_count=Subject.event_count)
            .execution_options(synchronize_session=False)
        )
        db.session.refresh(subject)
    return events_of(subject)


def hold(subject: Subject, chain: list[Event] | None = None) -> None:
    """Note that this transaction read the subject's row FOR UPDATE (PostgreSQL): `lock()`
    need not lock and read it again until the transaction ends.

    `chain`: the events read in the statement that took the lock. When that statement had
    to wait for the lock, PostgreSQL gives it the row as the other writer committed it but
    the events as they were before the wait; the chain is kept only when it ends where the
    locked row's head says, and otherwise `lock()` reads it again."""
    notes = this_transaction()
    notes.setdefault("locked", set()).add(subject.id)
    if chain is not None and _ends_at_head(subject, chain):
        notes.setdefault("chains", {})[subject.id] = chain


def held(subject: Subject) -> bool:
    return subject.id in this_transaction().get("locked", ())


def _ends_at_head(subject: Subject, chain: list[Event]) -> bool:
    if not chain:
        return subject.event_count == 0
    return (chain[-1].seq, chain[-1].hash) == (subject.event_count, subject.last_hash)


def events_of(subject: Subject) -> list[Event]:
    return list(
        db.session.scalars(select(Event).where(Event.subject_id == subject.id).order_by(Event.seq))
    )


def events_as_read(subject: Subject) -> list:
    """The subject's chain as read-only rows with Event's columns (no `purpose` object), for
    a page that shows it and records nothing: no ORM object is built for each event."""
    query = select(Event.__table__).where(Event.subject_id == subject.id).order_by(Event.seq)
    return list(db.session.execute(query))


def prepare(
    subject: Subject,
    controller: Controller,
    changes: list[Change],
    *,
    source: str,
    actor: str,
    locale: str | None,
    history: list[Event],
    receipt_id: str,
    mailbox_proof: str | None = None,
    backdate_window: timedelta | None = None,
    now: datetime | None = None,
) -> list[SimpleNamespace]:
    """Check the changes against the rules and the chain as it stands (`history`), and make
    their events, hashed and chained, without writing anything: `record()` writes them with
    the chain head, a bulk import copies a whole batch of them at once. Moves the subject's
    chain head (event_count, last_hash) in memory; LedgerError when the rules refuse.

    Each event is a plain record with the Event's columns, not an ORM object: it is written
    with Core statements or COPY and never joins the session, and a record is built in a
    hundredth of the time and read as fast by the rules.
    """
    if not changes:
        raise LedgerError("no_changes", "Nothing to record.")
    if subject.erased_at is not None:
        raise LedgerError("subject_erased", "This person's data has been erased.", 409)
    if mailbox_proof not in (None, *MAILBOX_PROOFS):
        raise LedgerError("invalid_mailbox_proof", f"Unknown mailbox proof {mailbox_proof!r}.")
    for change in changes:
        _name_the_only_channel(change)
        _validate(subject, change, source)
    if backdate_window is None:
        backdate_window = timedelta(seconds=current_app.config["BACKDATE_WINDOW_SECONDS"])
    _check_time(subject, changes, history, backdate_window)
    _check_standing_no(changes, history)
    now = now or utcnow()
    events = []
    for change in changes:
        fields = dict(
            id=new_uuid(),
            controller_id=subject.controller_id,
            subject_id=subject.id,
            seq=subject.event_count + 1,
            kind=change.kind,
            purpose_id=change.purpose.id if change.purpose else None,
            scope=change.scope or (change.purpose.slug if change.purpose else None),
            channel=change.channel,
            basis=change.basis or _basis_for(change, history + events),
            source=source,
            actor=actor,
            notice_version=change.notice_version,
            notice_hash=change.notice_hash,
            locale=locale,
            reason=change.reason,
            evidence=change.evidence,
            occurred_at=change.occurred_at or now,
            recorded_at=now,
            receipt_id=receipt_id,
            prev_hash=subject.last_hash,
            mailbox_proof=mailbox_proof or "none",
            given_at=change.given_at,
            sale_reference=change.sale_reference,
            opt_out_offered_at=change.opt_out_offered_at,
            hash_version=chain.CURRENT_FORM,
        )
        event = SimpleNamespace(**fields)
        event.hash = chain.event_hash(
            event, controller.slug, subject.public_id, change.purpose and change.purpose.slug
        )
        _move_head(subject, event)
        events.append(event)
    return events


def _move_head(subject, event) -> None:
    """The chain head, in memory. The ORM's subject is told these are its row's values: the
    head is written with the events (_write_chain), so the session has nothing to flush."""
    if isinstance(subject, Subject):
        set_committed_value(subject, "event_count", event.seq)
        set_committed_value(subject, "last_hash", event.hash)
    else:
        subject.event_count, subject.last_hash = event.seq, event.hash


def record(
    subject: Subject,
    changes: list[Change],
    *,
    source: str,
    actor: str,
    locale: str | None = None,
    history: list[Event] | None = None,
    mailbox_proof: str | None = None,
    backdate_window: timedelta | None = None,
    appended: list | None = None,
    controller: Controller | None = None,
) -> receipts.IssuedReceipt:
    """Append the changes to the subject's chain, refresh its state, issue one receipt.

    `history` is what `lock()` returned when the caller took the lock itself in this
    transaction to decide on the changes; otherwise the lock is taken here. A door reached
    through a signed link says what the link proved (`mailbox_proof`); every other door
    proves nothing about the mailbox. `backdate_window` overrides the configured
    BACKDATE_WINDOW_SECONDS (the demo's stories and tests replay a past). The new events
    are added to `appended` when given: a caller that shows the chain after the change then
    has it without reading it again. `controller`: the subject's, when
    the caller has it with a kept catalogue read under the lock (catalogue_snapshot.kept).
    """
    if history is None:
        history = lock(subject)
    if controller is None:
        controller = db.session.get(Controller, subject.controller_id)
    receipt_id = new_uuid()
    events = prepare(
        subject,
        controller,
        changes,
        source=source,
        actor=actor,
        locale=locale,
        history=history,
        mailbox_proof=mailbox_proof,
        backdate_window=backdate_window,
        receipt_id=receipt_id,
    )
    if appended is not None:
        appended += events
    # The events, the chain head, the state rows that changed, their history and the
    # receipt are written together, with Core statements (core/writes.py); the ORM's
    # session never holds them.
    writes = Writes()
    _write_chain(subject, events, writes)
    refresh_state(subject, controller, history + events, new=events, writes=writes)
    webhooks.enqueue(controller, subject, events)  # the deliveries commit with the events
    receipt = _issue_receipt(controller, subject, history, events, receipt_id, source, locale)
    writes.insert(Receipt.__table__, _receipt_row(receipt))
    writes.send()
    observe.note(db.session, controller.slug, events, receipts=1)
    return receipt


def _write_chain(subject: Subject, events: list[Event], writes: Writes) -> None:
    """The events' INSERT and the subject's new chain head (prepare moved it in memory)."""
    head = {"event_count": subject.event_count, "last_hash": subject.last_hash}
    for event in events:
        writes.insert(Event.__table__, _row(event, _EVENT_COLUMNS))
    writes.update(Subject.__table__, {"id": subject.id}, head)


def _issue_receipt(
    controller, subject, history, events, receipt_id, source, locale
) -> receipts.IssuedReceipt:
    """Build and sign the one receipt of an interaction, for the caller to store."""
    payload = receipts.build(
        controller, subject, events, receipt_id, source, locale, chain=history + events
    )
    return receipts.IssuedReceipt.sign(
        receipt_id, controller.id, subject.id, events[-1].recorded_at, payload
    )


def _basis_for(change: Change, earlier: list[Event]) -> str | None:
    """The lawful basis in force for the purpose when this change is made."""
    if change.purpose is None:
        return None
    return rules.basis_in_force(change.purpose, rules.in_order(earlier))


def decisions_for(purposes, events) -> dict[tuple[int, str], rules.Decision]:
    """Standing decision for every purpose × channel of the controller; a purpose without
    channels has one, keyed NO_CHANNEL."""
    ordered = rules.in_order(events)
    return {
        (purpose.id, channel or NO_CHANNEL): rules.standing(purpose, channel, ordered)
        for purpose in purposes
        for channel in purpose.channels or [None]
    }


def refresh_state(
    subject: Subject,
    controller: Controller,
    events: list[Event],
    new: list[Event] = (),
    writes: Writes | None = None,
) -> None:
    """Rewrite the subject's state rows and state history from its ledger (same transaction
    as the events); `new` are the events just appended, when the caller knows them.

    Only the rows whose decision changed are written, with no ORM objects: a one-click
    changes one or two of a dozen rows. While the controller's state is current, the rows
    stored are the decisions of the chain before `new` (the state equals a rebuild from
    the ledger), so they need not be read first, and only a purpose one of the new events
    may change (rules.may_change) is decided, before and after them; a row found missing
    falls back to reading and deciding them all. The updates and the history's closing and
    opening rows join `writes`, the change's other writes, when given; otherwise they are
    written here."""
    current = controller.state_is_current(subject.id)
    sent_here = writes is None
    writes = Writes() if sent_here else writes
    if new and current:
        touched = [p for p in controller.purposes if any(rules.may_change(p, e) for e in new)]
        before = decisions_for(touched, events[: len(events) - len(new)])
        wanted = decisions_for(touched, events)
        _update_changed(subject, before, wanted, writes)
        if not state_history.follow(subject, controller.purposes, new, before, wanted, writes):
            state_history.rewrite(subject, controller.purposes, events)
        writes.if_a_row_is_missing(lambda: _rewrite(subject, controller, events))
    else:
        wanted = decisions_for(controller.purposes, events)
        before = _write_difference(subject, wanted)
        if not (
            current
            and state_history.follow(subject, controller.purposes, new, before, wanted, writes)
        ):
            state_history.rewrite(subject, controller.purposes, events)
    if sent_here:
        writes.send()


def _rewrite(subject: Subject, controller: Controller, events) -> None:
    """The state rows were not what the chain says: write what differs, and the history."""
    _write_difference(subject, decisions_for(controller.purposes, events))
    state_history.rewrite(subject, controller.purposes, events)


def _update_changed(subject: Subject, before: dict, wanted: dict, writes: Writes) -> None:
    """Update the rows whose decision changed, one statement each, each expected to find
    its row (the caller rewrites the state and its history when one is not there)."""
    for key in wanted.keys():
        if wanted[key] == before[key]:
            continue
        purpose_id, channel = key
        found_by = {"subject_id": subject.id, "purpose_id": purpose_id, "channel": channel}
        writes.update(STATE, found_by, _fields(wanted[key]), one_row=True)


def _write_difference(subject: Subject, wanted: dict) -> dict:
    """Read the subject's state rows and write what differs from `wanted`; the rows as read."""
    before = {
        (row.purpose_id, row.channel): rules.Decision(*row[2:])
        for row in db.session.execute(
            select(STATE.c.purpose_id, STATE.c.channel, *STATE_DECISION).where(
                STATE.c.subject_id == subject.id
            )
        )
    }
    changed = [key for key in wanted.keys() & before.keys() if wanted[key] != before[key]]
    if changed:
        db.session.execute(
            update(STATE)
            .where(
                STATE.c.subject_id == subject.id,
                STATE.c.purpose_id == bindparam("p"),
                STATE.c.channel == bindparam("c"),
            )
            .values({name: bindparam(f"new_{name}") for name in DECISION_FIELDS}),
            [_state_values(key, wanted[key]) for key in changed],
        )
    added = wanted.keys() - before.keys()
    if added:
        db.session.execute(
            insert(STATE),
            [
                {"subject_id": subject.id, "purpose_id": p, "channel": c, **_fields(wanted[(p, c)])}
                for p, c in added
            ],
        )
    for purpose_id, channel in before.keys() - wanted.keys():  # a channel no longer offered
        db.session.execute(
            delete(STATE).where(
                STATE.c.subject_id == subject.id,
                STATE.c.purpose_id == purpose_id,
                STATE.c.channel == channel,
            )
        )
    return before


STATE = State.__table__
DECISION_FIELDS = ("reachable", "basis", "reason", "event_id", "expires_at")
STATE_DECISION = tuple(STATE.c[name] for name in DECISION_FIELDS)


def _fields(decision: rules.Decision) -> dict:
    return {name: getattr(decision, name) for name in DECISION_FIELDS}


def _state_values(key, decision: rules.Decision) -> dict:
    purpose_id, channel = key
    values = {f"new_{name}": value for name, value in _fields(decision).items()}
    return {"p": purpose_id, "c": channel, **values}


def rebuild_states(controller: Controller, after: int = 0, limit: int | None = None) -> int | None:
    """Recompute the state of the controller's people with an id above `after` (at most
    `limit` of them) after its purposes changed; the last id done, or None when none was.
    Each person is locked as a write to their chain would lock them, so a choice recorded
    meanwhile is never overwritten by state computed from the chain before it."""
    query = (
        select(Subject)
        .where(Subject.controller_id == controller.id, Subject.id > after)
        .order_by(Subject.id)
        .limit(limit)
    )
    last = None
    for subject in db.session.scalars(query).all():
        refresh_state(subject, controller, lock(subject))
        last = subject.id
    return last


def write_prepared(controller: Controller, people, notices) -> None:
    """Write what `prepare()` made for many people at once (a bulk import batch): their
    events, their state rows recomputed from their whole chain, one receipt per
    interaction and the webhook deliveries, with one statement per table.

    Each of `people` has `subject` (already written, with its id), `history` (its chain,
    new events included), `new` (the new events), `issued` ((receipt id, events, locale)
    per interaction) and `created`. The caller holds the subjects' locks and commits.
    """
    events = [event for person in people for event in person.new]
    for person in people:
        for event in person.new:
            event.subject_id = person.subject.id
    restated = [p for p in people if p.created or p.new]
    # The purposes as in force now, as plain records (what rules.decide reads for any
    # instant): the same answers, without an ORM attribute read per rule per person.
    now = utcnow()
    purposes = [purpose.settings_at(now) for purpose in controller.purposes]
    # Rows that read (a purpose's settings, a receipt's notices) are made before the COPY,
    # which holds the connection until it ends.
    decided = [(p, decisions_for(purposes, p.history)) for p in restated]
    states = [
        (
            p.subject.id,
            purpose_id,
            channel,
            d.reachable,
            d.basis,
            d.reason,
            d.event_id,
            d.expires_at,
        )
        for p, decisions in decided
        for (purpose_id, channel), d in decisions.items()
    ]
    # The state history of the people restated: read and compared before the COPY too.
    history = state_history.rewrite_many(
        [(p.subject, p.history, p.created, decisions) for p, decisions in decided],
        controller.purposes,
    )
    issued = []
    for person in people:
        for receipt_id, its_events, locale in person.issued:
            payload = receipts.build(
                controller, person.subject, its_events, receipt_id, "import", locale, notices
            )
            receipt = receipts.IssuedReceipt.sign(
                receipt_id, controller.id, person.subject.id, its_events[-1].recorded_at, payload
            )
            issued.append(_receipt_values(receipt))
    bulk.insert(Event.__table__, _EVENT_COLUMNS, (_values(e, _EVENT_COLUMNS) for e in events))
    stale = [p.subject.id for p in restated if not p.created]
    if stale:
        db.session.execute(delete(State).where(State.subject_id.in_(stale)))
    bulk.insert(State.__table__, _STATE_COLUMNS, states)
    bulk.insert(StateHistory.__table__, state_history.COLUMNS, history)
    bulk.insert(Receipt.__table__, _RECEIPT_COLUMNS, issued)
    observe.note(db.session, controller.slug, events, len(issued))
    for person in people:
        for _receipt_id, its_events, _locale in person.issued:
            webhooks.enqueue(controller, person.subject, its_events)


_EVENT_COLUMNS = tuple(column.name for column in Event.__table__.columns)
_STATE_COLUMNS = (
    "subject_id",
    "purpose_id",
    "channel",
    "reachable",
    "basis",
    "reason",
    "event_id",
    "expires_at",
)
_RECEIPT_COLUMNS = ("id", "controller_id", "subject_id", "created_at", "payload", "jws")


def _receipt_values(receipt: receipts.IssuedReceipt) -> tuple:
    """The receipt's row in _RECEIPT_COLUMNS order; the payload as the JSON its JWS signs."""
    payload = JsonText(receipt.serialised.decode())
    return (
        receipt.id,
        receipt.controller_id,
        receipt.subject_id,
        receipt.created_at,
        payload,
        receipt.stored_jws,
    )


def _receipt_row(receipt: receipts.IssuedReceipt) -> dict:
    return dict(zip(_RECEIPT_COLUMNS, _receipt_values(receipt), strict=True))


def _row(instance, columns) -> dict:
    return dict(zip(columns, _values(instance, columns), strict=True))


def _values(instance, columns) -> tuple:
    values = instance.__dict__
    return tuple(values.get(name) for name in columns)
