"""Read-only numbers about a running deployment, for the metrics a monitor scrapes.

Each is one aggregate query, cheap enough to run at every scrape: how many messages wait in
the outbox and how long the oldest has waited (a slow or stopped worker), and how long ago
each controller's newest checkpoint was signed (a stopped hourly job).
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from consent.core.database import db
from consent.core.models import Checkpoint, Controller, OutboxMessage, utcnow
from consent.core.outbox import DEAD, PENDING


@dataclass(frozen=True)
class Queue:
    # (kind, state) → how many rows, for the states that still need someone: pending, dead.
    depth: dict[tuple[str, str], int]
    oldest_pending_age: float


def queue(now: datetime | None = None) -> Queue:
    now = now or utcnow()
    rows = db.session.execute(
        select(OutboxMessage.kind, OutboxMessage.state, func.count())
        .where(OutboxMessage.state.in_((PENDING, DEAD)))
        .group_by(OutboxMessage.kind, OutboxMessage.state)
    )
    depth = {(kind, state): count for kind, state, count in rows}
    oldest = db.session.scalar(
        select(func.min(OutboxMessage.created_at)).where(OutboxMessage.state == PENDING)
    )
    age = (now - _aware(oldest)).total_seconds() if oldest else 0.0
    return Queue(depth, max(age, 0.0))


def checkpoint_ages(now: datetime | None = None) -> dict[str, float]:
    """Seconds since each controller's newest checkpoint; a controller without one counts
    from its creation, so a job that never ran shows as old, not as missing."""
    now = now or utcnow()
    rows = db.session.execute(
        select(Controller.slug, Controller.created_at, func.max(Checkpoint.issued_at))
        .outerjoin(Checkpoint, Checkpoint.controller_id == Controller.id)
        .group_by(Controller.id, Controller.slug, Controller.created_at)
    )
    ages = {}
    for slug, created_at, issued_at in rows:
        since = issued_at if issued_at is not None else _aware(created_at).timestamp()
        ages[slug] = max(now.timestamp() - since, 0.0)
    return ages


def _aware(moment: datetime) -> datetime:
    """SQLite hands back what UTCDateTime stored; an aggregate skips the column's type."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)
