"""What a transaction committed, told to whoever listens (metrics, logs) after the commit.

The core knows no metrics library and no log format; the operations door registers a
listener. The ledger notes the events and receipts it writes (with Core statements or COPY,
never through the session's unit of work); they are told only once the transaction commits
(a rollback forgets them), so a count never includes a change that was not kept.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import event
from sqlalchemy.orm import Session

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
    if not event.contains(Session, "after_commit", _tell):
        event.listen(Session, "after_commit", _tell)
        event.listen(Session, "after_soft_rollback", _forget)


def note(session: Session, controller_slug: str, events, receipts: int = 0) -> None:
    """The ledger wrote these events (of one controller) and receipts in the session's
    transaction: tell them with its commit."""
    if not _listeners:
        return
    pending = session.info.setdefault(PENDING, Committed())
    for recorded in events:
        pending.events.append(
            RecordedEvent(recorded.id, recorded.kind, recorded.source, controller_slug)
        )
    pending.receipts += receipts


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
