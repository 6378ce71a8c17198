"""What a transaction committed, told to whoever listens (metrics, logs) after the commit.

The core knows no metrics library and no log format; the operations door registers a
listener. Events and receipts are seen as the session flushes them and told only once the
transaction commits (a rollback forgets them), so a count never includes a change that was
not kept. Nothing here touches the ledger: it observes the session from outside.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import event
from sqlalchemy.orm import Session

from consent.core.models import Controller, Event, Receipt

PENDING = "consent.observe.pending"


@dataclass(frozen=True)
class RecordedEvent:
    """An event as a listener may see it: no subject, no address, no free text."""

    id: str
    kind: str
    source: str
    controller: str


@dataclass
class Committed:
    events: list[RecordedEvent] = field(default_factory=list)
    receipts: int = 0


_listeners: list[Callable[[Committed], None]] = []


def on_commit(listener: Callable[[Committed], None]) -> None:
    """Call `listener` after each commit that recorded events or receipts (once per function)."""
    if listener not in _listeners:
        _listeners.append(listener)
    if not event.contains(Session, "after_flush", _collect):
        event.listen(Session, "after_flush", _collect)
        event.listen(Session, "after_commit", _tell)
        event.listen(Session, "after_soft_rollback", _forget)


def note(session: Session, events: list[Event], receipts: int = 0) -> None:
    """For a writer that bypasses the session's unit of work (a bulk COPY): count its rows
    as if they had been flushed, to be told with the transaction's commit."""
    if not _listeners:
        return
    pending = session.info.setdefault(PENDING, Committed())
    for instance in events:
        slug = _slug(session, instance.controller_id)
        pending.events.append(RecordedEvent(instance.id, instance.kind, instance.source, slug))
    pending.receipts += receipts


def _slug(session: Session, controller_id: int) -> str:
    """The controller the ledger loaded for the event, from the session without a query."""
    key = session.identity_key(Controller, controller_id)
    controller = session.identity_map.get(key)
    return controller.slug if controller is not None else str(controller_id)


def _collect(session: Session, flush_context) -> None:
    pending = None
    for instance in session.new:
        if isinstance(instance, Event | Receipt):
            pending = pending or session.info.setdefault(PENDING, Committed())
        if isinstance(instance, Event):
            slug = _slug(session, instance.controller_id)
            pending.events.append(RecordedEvent(instance.id, instance.kind, instance.source, slug))
        elif isinstance(instance, Receipt):
            pending.receipts += 1


def _tell(session: Session) -> None:
    committed = session.info.pop(PENDING, None)
    if committed is None:
        return
    for listener in _listeners:
        try:
            listener(committed)
        except Exception:
            # The change is committed: a failing counter or log line must not turn it into
            # an error answer.
            logging.getLogger(__name__).exception("a commit listener failed")


def _forget(session: Session, previous_transaction) -> None:
    session.info.pop(PENDING, None)
