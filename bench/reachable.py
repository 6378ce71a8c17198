"""Reachable-now over many subjects on SQLite: count and full stream, queries, peak memory,
and the query plan showing the state index is used.

Subjects and state rows are bulk-inserted to set the scene quickly (the ledger is not what
is measured here); every fifth subject is not reachable, every seventh has a lapsed consent.
"""

import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta

from sqlalchemy import event, insert, text

from consent import create_app
from consent.config import TestConfig
from consent.core import reachability
from consent.core.database import db
from consent.core.models import State, Subject, utcnow
from tests.support.factories import Factory


def populate(subjects: int):
    make = Factory()
    controller = make.controller()
    purpose = make.purpose(controller, "newsletter")
    make.purpose(controller, "offers", basis="legitimate_interest")
    now = utcnow()
    for start in range(0, subjects, 10_000):
        numbers = range(start, min(start + 10_000, subjects))
        db.session.execute(
            insert(Subject),
            [{"id": n + 1, "controller_id": controller.id, "public_id": f"s{n:010d}",
              "email": f"p{n}@example.test", "email_hash": f"{n:064x}", "event_count": 0,
              "created_at": now} for n in numbers],
        )  # fmt: skip
        db.session.execute(
            insert(State),
            [{"subject_id": n + 1, "purpose_id": purpose.id, "channel": "email",
              "reachable": n % 5 != 0, "basis": "consent",
              "reason": "consent_given" if n % 5 else "withdrawn",
              "expires_at": now - timedelta(days=1) if n % 7 == 0 else now + timedelta(days=700)}
             for n in numbers],
        )  # fmt: skip
    db.session.commit()
    return purpose


def measure(subjects: int = 100_000) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        config = type("Bench", (TestConfig,), {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite"})  # fmt: skip
        app = create_app(config)
        with app.app_context():
            db.create_all()
            purpose = populate(subjects)
            queries = []
            event.listen(db.engine, "before_cursor_execute",
                         lambda *args: queries.append(args[2]))  # fmt: skip

            start = time.perf_counter()
            count = reachability.count(purpose, "email")
            count_seconds = time.perf_counter() - start
            count_queries = len(queries)

            queries.clear()
            start = time.perf_counter()
            lines = reachability.ndjson_lines(reachability.rows(purpose, "email"))
            streamed = sum(1 for _ in lines)
            stream_seconds = time.perf_counter() - start
            stream_queries = len(queries)

            tracemalloc.start()
            for _ in reachability.ndjson_lines(reachability.rows(purpose, "email")):
                pass
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()

            query = reachability._now_query(purpose, "email", utcnow()).order_by(State.subject_id)
            compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
            plan = db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
            db.session.remove()
            db.engine.dispose()
    return {
        "subjects": subjects,
        "reachable": count,
        "streamed": streamed,
        "count_seconds": count_seconds,
        "count_queries": count_queries,
        "stream_seconds": stream_seconds,
        "stream_queries": stream_queries,
        "peak_mib": peak / 2**20,
        "plan": [row[-1] for row in plan],
    }


def table(result: dict) -> str:
    lines = [
        f"{result['subjects']:,} subjects, {result['reachable']:,} reachable now "
        "(withdrawn and lapsed left out)",
        "",
        "| question | time | queries | peak Python memory |",
        "|---|---:|---:|---:|",
        f"| count=1 | {result['count_seconds'] * 1000:.0f} ms | {result['count_queries']} | – |",
        f"| full NDJSON stream ({result['streamed']:,} rows) | "
        f"{result['stream_seconds']:.2f} s | {result['stream_queries']} | "
        f"{result['peak_mib']:.1f} MiB |",
        "",
        "EXPLAIN QUERY PLAN (reachable now):",
        "",
        *[f"    {line}" for line in result["plan"]],
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)))
