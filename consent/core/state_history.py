"""The state history: what each subject × purpose × channel decision was, over which
interval, so "who could we mail on 1 March" is an indexed query instead of a replay of a
million chains.

A row says: for every instant t with valid_from <= t < valid_to (valid_to None: until a
later change), `rules.decide` answers this decision, a consent lapsing at expires_at. The
intervals break where the subject's events happen and where a version of a purpose's
settings takes effect, because decide() reads the settings in force at t (SPEC §3). Before
valid_from of a subject's first row they were not known here and are in no list.

The history is a function of the ledger and the versioned settings, computed by replaying
both: a recomputation (a catalogue change, `consent rebuild-state`) uses the settings as
they were in force at each instant, so the past comes out as it was, and only rows that
differ from what is stored are written. It is written in the transaction of each state
change (ledger.refresh_state, ledger.write_prepared). The replay stays the proof:
tests/test_state_history.py holds the indexed answer equal to it.
"""

from bisect import bisect_right

from sqlalchemy import delete, select

from consent.core import bulk, rules
from consent.core.database import db
from consent.core.models import StateHistory
from consent.core.vocabulary import NO_CHANNEL

COLUMNS = (
    "subject_id",
    "purpose_id",
    "channel",
    "valid_from",
    "valid_to",
    "reachable",
    "basis",
    "reason",
    "event_id",
    "expires_at",
)


def _keys(purpose) -> list[str | None]:
    """Every channel the purpose offered in any version of its settings (None: a version
    without channels), so a channel dropped later keeps its past."""
    versions = list(purpose.settings) or [purpose]
    channels, without = [], False
    for version in [*versions, purpose]:
        if not version.channels:
            without = True
        for channel in version.channels:
            if channel not in channels:
                channels.append(channel)
    return channels + ([None] if without else [])


def rows_for(subject_id: int, created_at, purposes, events, final=None) -> list[tuple]:
    """The subject's whole history as tuples in the order of COLUMNS.

    `purposes` are the controller's purposes (anything with `settings` and `settings_at`),
    `events` the subject's chain; both are only read. `final` may hold the decisions after
    every event under the latest settings (ledger.decisions_for's, for the state rows): the
    last interval, when every version of the settings is in force by then, reuses them."""
    ordered = rules.in_order(events)
    times = [event.occurred_at for event in ordered]
    start = min([created_at, *times[:1]])
    rows = []
    for purpose in purposes:
        changes = {start, *times}
        changes.update(v.effective_at for v in purpose.settings if v.effective_at > start)
        points = sorted(changes)
        settled = final is not None and all(v.effective_at <= points[-1] for v in purpose.settings)
        for channel in _keys(purpose):
            held = None  # (valid_from, decision) of the interval being built
            for point in points:
                key = (purpose.id, channel or NO_CHANNEL)
                if settled and point is points[-1] and key in final:
                    decision = final[key]
                else:
                    settings = purpose.settings_at(point)
                    seen = ordered[: bisect_right(times, point)]
                    decision = rules.standing(settings, channel, seen)
                if held is not None and held[1] == decision:
                    continue
                if held is not None:
                    rows.append(_row(subject_id, purpose.id, channel, held, point))
                held = (point, decision)
            rows.append(_row(subject_id, purpose.id, channel, held, None))
    return rows


def _row(subject_id, purpose_id, channel, held, valid_to) -> tuple:
    valid_from, d = held
    key = channel or NO_CHANNEL
    return (subject_id, purpose_id, key, valid_from, valid_to, *_decision(d))


def _decision(d: rules.Decision) -> tuple:
    return (d.reachable, d.basis, d.reason, d.event_id, d.expires_at)


def rewrite(subject, purposes, events) -> None:
    """Bring one subject's stored history in line with its ledger: rows that differ are
    replaced, rows that agree (the past, normally) are left as they are."""
    stored = db.session.execute(
        select(StateHistory.id, *(getattr(StateHistory, c) for c in COLUMNS)).where(
            StateHistory.subject_id == subject.id
        )
    ).all()
    stale, fresh = difference(stored, rows_for(subject.id, subject.created_at, purposes, events))
    if stale:
        db.session.execute(delete(StateHistory).where(StateHistory.id.in_(stale)))
    if fresh:
        bulk.insert(StateHistory.__table__, COLUMNS, fresh)


def difference(stored, wanted) -> tuple[list[int], list[tuple]]:
    """(ids of stored rows to delete, rows to insert) to turn `stored` (id first) into
    `wanted`. Times are compared as instants, whatever the driver's time zone."""
    keep = {_comparable(row): row for row in wanted}
    stale = []
    for row in stored:
        key = _comparable(tuple(row[1:]))
        if key in keep:
            del keep[key]
        else:
            stale.append(row[0])
    return stale, list(keep.values())


def _comparable(row) -> tuple:
    return tuple(value.timestamp() if hasattr(value, "timestamp") else value for value in row)


def rewrite_many(people, purposes) -> list[tuple]:
    """rewrite() for a batch of (subject, events, created, final decisions) at once, the
    bulk import's way: deletes the stored rows that differ and returns the rows to insert,
    which the caller copies with the batch's other rows. Subjects just created have nothing
    stored."""
    wanted = {
        subject.id: rows_for(subject.id, subject.created_at, purposes, events, final)
        for subject, events, _created, final in people
    }
    existing = [subject.id for subject, _events, created, _final in people if not created]
    stale, fresh = [], []
    stored = {}
    if existing:
        for row in db.session.execute(
            select(StateHistory.id, *(getattr(StateHistory, c) for c in COLUMNS)).where(
                StateHistory.subject_id.in_(existing)
            )
        ):
            stored.setdefault(row[1], []).append(row)
    for subject_id, rows in wanted.items():
        gone, new = difference(stored.get(subject_id, []), rows)
        stale += gone
        fresh += new
    if stale:
        db.session.execute(delete(StateHistory).where(StateHistory.id.in_(stale)))
    return fresh


def follow(subject, purposes, new, before: dict, after: dict, writes) -> bool:
    """The common case of rewrite(), without reading the history: events appended at one
    instant t, after every version of the settings took effect, to a subject whose state
    rows (`before`, keyed as ledger.decisions_for keys them) are current and so say what
    the history's open rows say. Each decision that changed closes its open row at t and
    opens one from t, statements added to `writes` (core/writes.py). False, having added
    nothing, when the case is not this one."""
    instants = {event.occurred_at for event in new}
    if len(instants) != 1 or before.keys() != after.keys():
        return False
    (at,) = instants
    if any(v.effective_at > at for purpose in purposes for v in purpose.settings):
        return False
    changed = [key for key, decision in after.items() if before[key] != decision]
    if not changed:
        return True
    table = StateHistory.__table__
    for purpose_id, channel in changed:
        open_row = {"subject_id": subject.id, "purpose_id": purpose_id, "channel": channel}
        writes.update(table, {**open_row, "valid_to": None}, {"valid_to": at})
    for key in changed:
        opened = (subject.id, *key, at, None, *_decision(after[key]))
        writes.insert(table, dict(zip(COLUMNS, opened, strict=True)))
    return True


def problems(subject, controller, events) -> list[str]:
    """Where the stored history says other than the replay (for `consent verify`), in the
    intervals that reach (what time travel reads; before a person's first event nothing
    reaches), compared once empty intervals are left out and neighbours that say the same
    are joined, as the fast path of follow() may leave them."""
    if not controller.state_is_current(subject.id):
        return []
    stored = db.session.execute(
        select(*(getattr(StateHistory, c) for c in COLUMNS))
        .where(StateHistory.subject_id == subject.id)
        .order_by(StateHistory.purpose_id, StateHistory.channel, StateHistory.valid_from)
    ).all()
    wanted = rows_for(subject.id, subject.created_at, controller.purposes, events)
    got, want = _joined(stored), _joined(sorted(wanted, key=lambda r: (r[1], r[2], r[3])))
    if got == want:
        return []
    return [f"subject {subject.public_id}: state history differs from the ledger's replay"]


def _joined(rows) -> list[tuple]:
    joined = []
    for row in rows:
        row = _comparable(tuple(row))
        if not row[5] or (row[4] is not None and row[4] <= row[3]):
            continue  # one that does not reach, or an empty interval (two changes at once)
        last = joined[-1] if joined else None
        if last and last[:3] == row[:3] and last[4] == row[3] and last[5:] == row[5:]:
            joined[-1] = (*last[:4], row[4], *last[5:])
        else:
            joined.append(row)
    return joined
