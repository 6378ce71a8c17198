"""The outbox: messages leave through a table in the same database, never inside a request.

A change and the messages that report it commit in one transaction or not at all. The
worker takes one due row at a time (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so several
workers never hold the same row; SQLite runs one worker), hands it to the handler for its
kind, and records the outcome. A crash mid-delivery rolls the claim back: the row is
delivered again later (at least once). Failures retry with exponential backoff until the
row is dead after `OUTBOX_MAX_ATTEMPTS`, or at once when the handler raises `Undeliverable`
(nothing a retry could fix). Rows sharing an `ordering_key` leave in the order they were
written: a later one is not claimed while an earlier one is pending.
"""

from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import case, delete, exists, func, or_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import aliased

from consent.core.database import db
from consent.core.models import OutboxMessage, Subject, utcnow

PENDING, DELIVERED, DEAD = "pending", "delivered", "dead"
LONGEST_WAIT = timedelta(hours=6)

Handler = Callable[[OutboxMessage], None]


class Undeliverable(Exception):
    """A handler's failure that no retry can fix (a missing secret): the row is dead at once."""


def enqueue(
    kind, controller, payload: dict, subject=None, recipient_hash=None, ordering_key=None
) -> OutboxMessage:
    """Add a message to the caller's transaction; it leaves when that transaction commits."""
    message = OutboxMessage(
        kind=kind,
        controller_id=controller.id,
        subject_id=subject.id if subject is not None else None,
        recipient_hash=recipient_hash,
        ordering_key=ordering_key,
        payload=payload,
        state=PENDING,
        due_at=utcnow(),
        attempts=0,
    )
    db.session.add(message)
    return message


def purge_person(subject: Subject, keep_kinds: tuple[str, ...] = ()) -> int:
    """Erasure: remove every queued message to this person, by id or by address, except
    rows of `keep_kinds` (webhooks, which their own module scrubs of the person instead)."""
    concerns = [OutboxMessage.subject_id == subject.id]
    if subject.email_hash:
        concerns.append(OutboxMessage.recipient_hash == subject.email_hash)
    result = db.session.execute(
        delete(OutboxMessage)
        .where(
            OutboxMessage.controller_id == subject.controller_id,
            or_(*concerns),
            OutboxMessage.kind.not_in(keep_kinds),
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def _claim(now: datetime) -> OutboxMessage | None:
    earlier = aliased(OutboxMessage)
    waits = exists().where(
        earlier.ordering_key == OutboxMessage.ordering_key,
        earlier.state == PENDING,
        earlier.id < OutboxMessage.id,
    )
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.state == PENDING, OutboxMessage.due_at <= now, ~waits)
        .order_by(OutboxMessage.due_at, OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return db.session.scalar(query)


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff after the n-th failed attempt, capped."""
    base = current_app.config["OUTBOX_RETRY_SECONDS"]
    return min(timedelta(seconds=base * 2 ** (attempts - 1)), LONGEST_WAIT)


def deliver_next(handlers: dict[str, Handler], now: datetime | None = None) -> str | None:
    """Deliver the next due message and commit; the outcome (state), or None when idle."""
    now = now or utcnow()
    message = _claim(now)
    if message is None:
        db.session.rollback()
        return None
    handler = handlers.get(message.kind)
    try:
        if handler is None:
            raise LookupError(f"no handler for {message.kind!r}")
        handler(message)
    except SQLAlchemyError:
        # The database failed, not the delivery: the claim rolls back, the row stays due.
        db.session.rollback()
        raise
    except Exception as error:  # any failure of one delivery is the row's, not the worker's
        _failed(message, error, now)
    else:
        message.state = DELIVERED
        message.delivered_at = utcnow()
        message.last_error = None
    message.attempts += 1
    db.session.commit()
    return message.state


def _failed(message: OutboxMessage, error: Exception, now: datetime) -> None:
    current_app.logger.warning(
        "outbox %s #%s attempt %s failed: %s",
        message.kind,
        message.id,
        message.attempts + 1,
        type(error).__name__,
    )
    message.last_error = f"{type(error).__name__}: {error}"[:1000]
    if isinstance(error, Undeliverable):
        message.state = DEAD
    elif message.attempts + 1 >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
        message.state = DEAD
    else:
        message.due_at = now + retry_delay(message.attempts + 1)


def deliver_due(handlers: dict[str, Handler], should_stop=lambda: False) -> Counter:
    """Deliver everything due now, one row at a time; how many ended in each state."""
    outcomes = Counter()
    while not should_stop():
        outcome = deliver_next(handlers)
        if outcome is None:
            break
        outcomes[outcome] += 1
    return outcomes


def status(now: datetime | None = None) -> list[dict]:
    """Per kind: pending rows, how many are due, the oldest due time, dead and delivered rows."""
    now = now or utcnow()
    rows = db.session.execute(
        select(
            OutboxMessage.kind,
            OutboxMessage.state,
            func.count(OutboxMessage.id),
            func.min(OutboxMessage.due_at),
            func.sum(case((OutboxMessage.due_at <= now, 1), else_=0)),
        ).group_by(OutboxMessage.kind, OutboxMessage.state)
    )
    kinds: dict[str, dict] = {}
    for kind, state, count, oldest, due in rows:
        entry = kinds.setdefault(
            kind, {"kind": kind, PENDING: 0, "due": 0, "oldest_due": None, DEAD: 0, DELIVERED: 0}
        )
        entry[state] = count
        if state == PENDING:
            entry["due"] = int(due or 0)
            entry["oldest_due"] = oldest
    return [kinds[kind] for kind in sorted(kinds)]


def retry_dead(kind: str | None = None) -> int:
    """Give dead rows (of one kind, or all) a fresh set of attempts, due now."""
    query = select(OutboxMessage).where(OutboxMessage.state == DEAD)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    rows = list(db.session.scalars(query.with_for_update()))
    for message in rows:
        message.state, message.attempts, message.due_at = PENDING, 0, utcnow()
    return len(rows)


def replay(message: OutboxMessage) -> None:
    """Send one message again (dead or delivered): due now, with a fresh set of attempts."""
    db.session.refresh(message, with_for_update=True)
    message.state, message.attempts, message.due_at = PENDING, 0, utcnow()
    message.last_error = None
