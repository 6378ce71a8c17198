"""Signed checkpoints (SPEC §10): proof an insider cannot rewrite.

A checkpoint run gives every committed event of a controller that no checkpoint covers yet
its leaf in the controller's Merkle tree (deterministic order: recorded_at, then id), stores
the leaves and the completed subtrees insert-only, and signs the new tree head. The event
write path takes no lock for this: after the first run, new events are found with an
anti-join over the events recorded since the last covered one (less
CHECKPOINT_GRACE_SECONDS for transactions that commit late), so a run costs O(new events)
and a late commit is covered by the next run.

Verification recomputes each stored checkpoint's root from the events as they are now,
and checks copies kept outside the database the same way: a rewrite after a checkpoint
is caught by anyone who kept a copy of it.
"""

import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import repeat

from flask import current_app
from sqlalchemy import DateTime, select, text, type_coerce

from consent.core import bulk, merkle, signing
from consent.core.database import db, is_postgresql
from consent.core.models import Checkpoint, Controller, Event, Leaf, TreeNode, as_utc

TYP = "consent-checkpoint+jwt"
CHUNK = 20_000
LEAF_COLUMNS = ("controller_id", "leaf_index", "event_id", "event_hash")
NODE_COLUMNS = ("controller_id", "level", "index", "hash")
# Subtrees of fewer leaves are not stored: one read of their (at most 63) leaves gives
# their hash for a proof, and a run writes a 64th of the nodes it would otherwise (nodes
# of 16 and 32 leaves stored by earlier versions are still there, and not needed).
NODE_MIN_WIDTH = 64


class CheckpointError(ValueError):
    """A request for a tree size or a consistency proof that cannot be answered."""


def _lock(controller: Controller) -> None:
    """Runs for one controller never overlap: an advisory lock on PostgreSQL; on SQLite the
    database write lock, taken before the new events are read."""
    if is_postgresql():
        db.session.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": 7_310_000 + controller.id}
        )
    else:
        db.session.execute(
            text("UPDATE controllers SET id = id WHERE id = :id"), {"id": controller.id}
        )


def latest(controller: Controller) -> Checkpoint | None:
    return db.session.scalar(
        select(Checkpoint)
        .where(Checkpoint.controller_id == controller.id)
        .order_by(Checkpoint.tree_size.desc())
        .limit(1)
    )


def _new_events(controller: Controller, previous: Checkpoint | None):
    """The events no leaf covers yet, in leaf order (recorded_at, then id): (id, hash,
    recorded_at), the time as the driver reads it (only the last of a chunk is used, so it
    is made aware UTC only then: per row that was a fifth of a run's Python).

    Before the first checkpoint no leaf exists (leaves are written only with one), so every
    event is new: they stream in the order of the (controller_id, recorded_at) index, the
    run hashing and writing from the first row. After it, new events are found with an
    anti-join over the recent ledger only: those recorded since the last covered one, less
    a grace period for transactions that commit late. On PostgreSQL, where another
    connection reads them (_reader), that anti-join is a materialised CTE, sorted: the
    database finishes it before it returns the first row, so it never reads the leaves this
    run writes meanwhile (a nested loop over a table that grows under it would cost n²)."""
    recorded_at = type_coerce(Event.recorded_at, DateTime(timezone=True)).label("recorded_at")
    query = select(Event.id, Event.hash, recorded_at).where(Event.controller_id == controller.id)
    if previous is None:
        return query.order_by(Event.recorded_at, Event.id).execution_options(yield_per=CHUNK)
    covered = select(Leaf.event_id).where(Leaf.event_id == Event.id).exists()
    query = query.where(~covered)
    if previous.covered_until is not None:
        grace = timedelta(seconds=current_app.config["CHECKPOINT_GRACE_SECONDS"])
        query = query.where(Event.recorded_at >= previous.covered_until - grace)
    found = query.cte("new_events").prefix_with("MATERIALIZED", dialect="postgresql")
    return (
        select(found).order_by(found.c.recorded_at, found.c.id).execution_options(yield_per=CHUNK)
    )


@contextmanager
def _reader():
    """Where a run reads the new events. On PostgreSQL a connection of its own (committed
    events, as the run's own transaction sees them too): the database finds the next chunk
    and writes the leaves of the last one while Python hashes, instead of each in turn.
    SQLite reads on the run's own connection, between its inserts."""
    if is_postgresql():
        with db.engine.connect() as connection:
            yield connection
    else:
        yield db.session.connection()


class _Growth:
    """The tree as a run extends it: the frontier, the leaf count, the subtrees completed
    (to store, NODE_MIN_WIDTH and wider) and the last covered event's recorded_at."""

    def __init__(self, controller: Controller, previous: Checkpoint | None):
        self.controller_id = controller.id
        self.frontier = [(n, bytes.fromhex(h)) for n, h in (previous.frontier if previous else [])]
        self.size = previous.tree_size if previous else 0
        self.nodes = []
        self.covered_until = previous.covered_until if previous else None

    def _merged(self, width: int, index: int, digest: bytes) -> None:
        if width >= NODE_MIN_WIDTH:
            self.nodes.append((self.controller_id, width.bit_length() - 1, index, digest.hex()))

    def leaves(self, chunks):
        """The leaf rows of the new events, chunk by chunk, the tree grown by each chunk."""
        for chunk in chunks:
            ids, hashes, times = zip(*chunk, strict=True)
            first = self.size
            self.size = merkle.extend(self.frontier, first, hashes, self._merged)
            last = as_utc(times[-1])
            self.covered_until = max(self.covered_until or last, last)
            yield from zip(repeat(self.controller_id), range(first, self.size), ids, hashes)


def claims_of(checkpoint: Checkpoint, slug: str) -> dict:
    return {
        "controller": slug,
        "tree_size": checkpoint.tree_size,
        "root_hash": checkpoint.root_hash,
        "issued_at": checkpoint.issued_at,
    }


def run(controller: Controller) -> Checkpoint | None:
    """Cover the controller's new events and sign a checkpoint (the caller commits); None
    when there is nothing new since the last one.

    The new events are read in chunks and each chunk's leaves written (COPY on PostgreSQL)
    as the tree grows by them: no event row crosses to Python twice, and memory stays flat
    in their number."""
    _lock(controller)
    previous = latest(controller)
    growth = _Growth(controller, previous)
    with _reader() as reader:
        chunks = reader.execute(_new_events(controller, previous)).partitions()
        added = bulk.insert(Leaf.__table__, LEAF_COLUMNS, growth.leaves(chunks))
    if not added and previous is not None:
        return None  # (a first run signs the empty tree)
    bulk.insert(TreeNode.__table__, NODE_COLUMNS, growth.nodes)
    checkpoint = Checkpoint(
        controller_id=controller.id,
        tree_size=growth.size,
        root_hash=merkle.root(growth.frontier).hex(),
        issued_at=int(time.time()),
        frontier=[[n, digest.hex()] for n, digest in growth.frontier],
        covered_until=growth.covered_until,
    )
    checkpoint.jws = signing.sign(claims_of(checkpoint, controller.slug), signing.CHECKPOINT, TYP)
    db.session.add(checkpoint)
    db.session.flush()
    return checkpoint


def entry(checkpoint: Checkpoint, slug: str) -> dict:
    """A checkpoint as published: its claims and its JWS."""
    return {**claims_of(checkpoint, slug), "jws": checkpoint.jws}


def published(controller: Controller | None = None, since: int | None = None) -> list[dict]:
    """SPEC §10: every checkpoint, oldest first, of one controller or all."""
    query = select(Checkpoint, Controller.slug).join(Controller)
    if controller is not None:
        query = query.where(Checkpoint.controller_id == controller.id)
    if since is not None:
        query = query.where(Checkpoint.issued_at >= since)
    query = query.order_by(Checkpoint.issued_at, Checkpoint.controller_id, Checkpoint.tree_size)
    return [entry(checkpoint, slug) for checkpoint, slug in db.session.execute(query)]


# --- the tree as stored: subtree hashes for proofs ---


class StoredTree:
    """MTH of any range of a controller's leaves, from the stored nodes (O(log n) lookups)."""

    def __init__(self, controller: Controller):
        self.controller_id = controller.id
        self._cache: dict[tuple[int, int], bytes] = {}

    def _leaf(self, index: int) -> bytes:
        stored = db.session.scalar(
            select(Leaf.event_hash).where(
                Leaf.controller_id == self.controller_id, Leaf.leaf_index == index
            )
        )
        if stored is None:
            raise CheckpointError(f"leaf {index} is missing")
        return merkle.leaf_hash(stored)

    def _node(self, level: int, index: int) -> bytes:
        stored = db.session.scalar(
            select(TreeNode.hash).where(
                TreeNode.controller_id == self.controller_id,
                TreeNode.level == level,
                TreeNode.index == index,
            )
        )
        if stored is None:
            raise CheckpointError(f"tree node {level}/{index} is missing")
        return bytes.fromhex(stored)

    def _leaves(self, start: int, end: int) -> bytes:
        """MTH of a few leaves, from the leaves themselves (one read)."""
        stored = db.session.scalars(
            select(Leaf.event_hash)
            .where(
                Leaf.controller_id == self.controller_id,
                Leaf.leaf_index >= start,
                Leaf.leaf_index < end,
            )
            .order_by(Leaf.leaf_index)
        ).all()
        if len(stored) != end - start:
            raise CheckpointError(f"a leaf between {start} and {end - 1} is missing")
        frontier = []
        merkle.extend(frontier, 0, stored)
        return merkle.root(frontier)

    def __call__(self, start: int, end: int) -> bytes:
        if (start, end) not in self._cache:
            width = end - start
            if width == 1:
                digest = self._leaf(start)
            elif width < NODE_MIN_WIDTH:
                digest = self._leaves(start, end)
            elif width & (width - 1) == 0 and start % width == 0:
                digest = self._node(width.bit_length() - 1, start // width)
            else:
                k = merkle.split(width)
                digest = merkle.node_hash(self(start, start + k), self(start + k, end))
            self._cache[(start, end)] = digest
        return self._cache[(start, end)]


def inclusion(controller: Controller, event_ids: list[str]) -> dict[str, dict | None]:
    """Per event: {leaf_index, tree_size, path} against the latest checkpoint, or None for
    an event no checkpoint covers yet."""
    head = latest(controller)
    answers = dict.fromkeys(event_ids)
    if head is None or not event_ids:
        return answers
    tree = StoredTree(controller)
    rows = db.session.execute(
        select(Leaf.event_id, Leaf.leaf_index).where(
            Leaf.controller_id == controller.id,
            Leaf.event_id.in_(event_ids),
            Leaf.leaf_index < head.tree_size,
        )
    )
    for event_id, index in rows:
        path = merkle.inclusion_path(index, head.tree_size, tree)
        answers[event_id] = {
            "leaf_index": index,
            "tree_size": head.tree_size,
            "path": [digest.hex() for digest in path],
        }
    return answers


def consistency(controller: Controller, old: int, new: int) -> list[str]:
    """The consistency path between two published tree sizes of the controller."""
    sizes = set(
        db.session.scalars(
            select(Checkpoint.tree_size).where(Checkpoint.controller_id == controller.id)
        )
    )
    if old not in sizes or new not in sizes:
        raise CheckpointError("both sizes must be tree sizes of published checkpoints")
    if old > new:
        raise CheckpointError("from must not be larger than to")
    return [d.hex() for d in merkle.consistency_path(old, new, StoredTree(controller))]


# --- verification ---


@dataclass
class Verdict:
    """What checking the checkpoints found; `problems` is empty when all hold."""

    checkpoints: int = 0
    problems: list[str] = field(default_factory=list)


def _ledger_leaves(controller: Controller, upto: int) -> list[tuple[int, str | None, str | None]]:
    """(leaf index, stored event hash, the event's hash now or None if gone) up to a size."""
    rows = db.session.execute(
        select(Leaf.leaf_index, Leaf.event_hash, Event.hash)
        .outerjoin(Event, Event.id == Leaf.event_id)
        .where(Leaf.controller_id == controller.id, Leaf.leaf_index < upto)
        .order_by(Leaf.leaf_index)
    )
    return list(rows)


def _root_now(rows, size: int) -> tuple[bytes, str | None]:
    """The root of the first `size` leaves as the events are now, and the first leaf whose
    event is missing or changed (or a gap in the leaves)."""
    frontier, first_bad = [], None
    expected = 0
    for index, stored_hash, event_hash in rows:
        if index >= size:
            break
        if index != expected and first_bad is None:
            first_bad = f"leaf {expected} is missing"
        expected = index + 1
        if event_hash is None and first_bad is None:
            first_bad = f"leaf {index}: its event is missing"
        elif event_hash != stored_hash and first_bad is None:
            first_bad = f"leaf {index}: its event was changed"
        merkle.append(frontier, merkle.leaf_hash(event_hash or "00" * 32))
    if expected < size and first_bad is None:
        first_bad = f"leaf {expected} is missing"
    return merkle.root(frontier), first_bad


def left_behind(controller: Controller) -> list[str]:
    """Events recorded before the window the next run looks at, yet covered by no leaf
    (a transaction that committed later than the grace period allows)."""
    head = latest(controller)
    if head is None or head.covered_until is None:
        return []
    grace = timedelta(seconds=current_app.config["CHECKPOINT_GRACE_SECONDS"])
    covered = select(Leaf.event_id).where(Leaf.event_id == Event.id).exists()
    missed = db.session.scalars(
        select(Event.id).where(
            Event.controller_id == controller.id,
            Event.recorded_at < head.covered_until - grace,
            ~covered,
        )
    )
    return [f"event {event_id}: no checkpoint covers it, nor will one" for event_id in missed]


def check(controller: Controller, copies: list[dict] | None = None) -> Verdict:
    """Check the controller's stored checkpoints, or the given copies of them, against the
    ledger as it is now; name the first that no longer matches and the first bad leaf."""
    verdict = Verdict(problems=left_behind(controller) if copies is None else [])
    stored = db.session.scalars(
        select(Checkpoint)
        .where(Checkpoint.controller_id == controller.id)
        .order_by(Checkpoint.tree_size)
    ).all()
    heads = copies if copies is not None else [entry(c, controller.slug) for c in stored]
    heads = sorted(heads, key=lambda head: head["tree_size"])
    if not heads:
        return verdict
    rows = _ledger_leaves(controller, max(head["tree_size"] for head in heads))
    keyset = signing.jwks()
    held = None
    for head in heads:
        verdict.checkpoints += 1
        name = (
            f"{controller.slug} checkpoint tree_size {head['tree_size']} "
            f"(issued {head['issued_at']})"
        )
        try:
            claims = signing.verify(head["jws"], keyset)
        except signing.InvalidReceipt as error:
            verdict.problems.append(f"{name}: signature does not verify ({error})")
            continue
        if {k: claims.get(k) for k in ("controller", "tree_size", "root_hash", "issued_at")} != {
            k: head[k] for k in ("controller", "tree_size", "root_hash", "issued_at")
        }:
            verdict.problems.append(f"{name}: its fields differ from its signed claims")
            continue
        root, first_bad = _root_now(rows, head["tree_size"])
        if root.hex() != head["root_hash"]:
            since = f"; tree sizes up to {held} still hold" if held is not None else ""
            cause = first_bad or "the stored leaves were rewritten"
            verdict.problems.append(f"{name} no longer matches the ledger: {cause}{since}")
            break
        held = head["tree_size"]
    if copies is not None:
        sizes = {c.tree_size for c in stored}
        for head in heads:
            if head["tree_size"] not in sizes:
                verdict.problems.append(
                    f"{controller.slug} checkpoint tree_size {head['tree_size']} is missing "
                    "from the database"
                )
    return verdict
