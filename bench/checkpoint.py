"""Checkpointing new events: a run that covers N events beside the floor it is measured
against, the same RFC 9162 root computed in memory from the same event hashes (no reading,
no storing, no signing), measured in the same run. Then one more run over 1,000 new events,
to show a checkpoint costs O(new events), not O(ledger): it looks for new events only
among those recorded since the last covered one, less CHECKPOINT_GRACE_SECONDS (300).

    python -m bench.checkpoint [N]          # SQLite file in a temp dir
    DATABASE_URL=postgresql://… python -m bench.checkpoint 1000000

Events are bulk-inserted to set the scene (the ledger's write path is not what is measured).
"""

import hashlib
import os
import sys
import tempfile
import time
import uuid
from datetime import timedelta

from sqlalchemy import insert, text

from consent import create_app
from consent.config import TestConfig
from consent.core import checkpoints, merkle
from consent.core.database import db
from consent.core.models import Event, Subject, utcnow
from tests.support.factories import Factory

CHUNK = 20_000


def populate(count: int, first: int = 0) -> list[str]:
    """`count` events over 1,000 people of controller 1, recorded 10 ms apart and ending
    now, as a busy ledger's would be; returns their hashes in order."""
    now = utcnow() - timedelta(milliseconds=10 * count)
    hashes = []
    for start in range(first, first + count, CHUNK):
        rows = []
        for n in range(start, min(start + CHUNK, first + count)):
            digest = hashlib.sha256(str(n).encode()).hexdigest()
            hashes.append(digest)
            rows.append(
                {"id": str(uuid.UUID(int=n)), "controller_id": 1, "subject_id": n % 1000 + 1,
                 "seq": n // 1000 + 1, "kind": "consent_given", "source": "api", "actor": "bench",
                 "occurred_at": now, "recorded_at": now + timedelta(milliseconds=10 * (n - first)),
                 "receipt_id": str(uuid.UUID(int=n)), "hash": digest, "hash_version": 2}
            )  # fmt: skip
        db.session.execute(insert(Event), rows)
        db.session.commit()
    return hashes


def floor(hashes: list[str]) -> float:
    start = time.perf_counter()
    frontier = []
    for digest in hashes:
        merkle.append(frontier, merkle.leaf_hash(digest))
    merkle.root(frontier)
    return time.perf_counter() - start


def measure(count: int) -> list[tuple]:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"
    config = type("BenchConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url})
    app = create_app(config)
    with app.app_context():
        db.drop_all()
        db.create_all()
        controller = Factory().controller()
        db.session.execute(
            insert(Subject),
            [{"id": n, "controller_id": controller.id, "public_id": f"b{n:08d}",
              "event_count": 0, "created_at": utcnow()} for n in range(1, 1001)],
        )  # fmt: skip
        db.session.commit()
        hashes = populate(count)
        # As autovacuum would have by now: statistics for a big ledger and its empty leaves.
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        start = time.perf_counter()
        head = checkpoints.run(controller)
        db.session.commit()
        ours = time.perf_counter() - start
        in_memory = floor(hashes)
        more = populate(1000, first=count)
        start = time.perf_counter()
        checkpoints.run(controller)
        db.session.commit()
        incremental = time.perf_counter() - start
        assert head.tree_size == count and len(more) == 1000
        dialect = db.engine.dialect.name
        db.session.execute(text("SELECT 1"))
    return [
        (f"checkpoint {count:,} new events ({dialect})", ours, in_memory, count),
        ("then 1,000 more (same tree)", incremental, floor(more), 1000),
    ]


def table(rows) -> str:
    lines = [
        "| run | ours (s) | in-memory root of the same hashes (s) | ratio | events/s |",
        "|---|---|---|---|---|",
    ]
    for name, ours, base, count in rows:
        lines.append(
            f"| {name} | {ours:.2f} | {base:.2f} | {ours / base:.1f}x | {count / ours:,.0f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)))
