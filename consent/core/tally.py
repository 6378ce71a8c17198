"""How many state rows reach, per purpose, channel and the UTC day their consent lapses,
kept as changes (+n, -n) beside the state rows, so "how many may we mail" is a sum of a
few hundred numbers instead of a count of a million index entries.

Triggers on the state table append what each statement changed (tally_ddl.py), in its
transaction: inserts only, so concurrent one-clicks never wait on a shared counter row,
and no writer of state can forget it. The worker folds the changes into one row per key
(`compact`),
deleting what it read and inserting the sums, which is safe beside writers: a change not
yet committed is not read, so it is neither deleted nor counted twice.

The count at `now` sums the rows of days after today (and of consents that never lapse)
and counts today's lapsing rows exactly from the index on state (they are few).
"""

from collections import Counter
from datetime import UTC, timedelta

from sqlalchemy import delete, func, insert, select

from consent.core.database import db
from consent.core.models import ReachableTally, State

COLUMNS = ("purpose_id", "channel", "lapses_on", "delta")


def day(at):
    """The start of the UTC day of `at` (None stays None)."""
    if at is None:
        return None
    return at.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def write(counted: Counter) -> None:
    rows = [
        dict(zip(COLUMNS, (*key, delta), strict=True)) for key, delta in counted.items() if delta
    ]
    if rows:
        db.session.execute(insert(ReachableTally.__table__), rows)


def count(purpose_id: int, channel: str, now) -> int:
    """The number of state rows of this purpose and channel that reach at `now`."""
    tomorrow = day(now) + timedelta(days=1)
    later = select(func.coalesce(func.sum(ReachableTally.delta), 0)).where(
        ReachableTally.purpose_id == purpose_id,
        ReachableTally.channel == channel,
        (ReachableTally.lapses_on.is_(None)) | (ReachableTally.lapses_on >= tomorrow),
    )
    today = select(func.count()).where(
        State.purpose_id == purpose_id,
        State.channel == channel,
        State.reachable,
        State.expires_at > now,
        State.expires_at < tomorrow,
    )
    return int(db.session.scalar(select(later.scalar_subquery() + today.scalar_subquery())))


def compact(now) -> int:
    """Fold the changes into one row per key and drop days already past (never summed
    again); the number of rows read. The caller commits."""
    read = db.session.execute(
        delete(ReachableTally).returning(
            ReachableTally.purpose_id,
            ReachableTally.channel,
            ReachableTally.lapses_on,
            ReachableTally.delta,
        )
    ).all()
    summed = Counter()
    for purpose_id, channel, lapses_on, delta in read:
        if lapses_on is None or lapses_on >= day(now):
            summed[(purpose_id, channel, lapses_on)] += delta
    write(summed)
    return len(read)
