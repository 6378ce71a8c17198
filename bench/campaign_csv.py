"""A million campaign rows to CSV through `flask consent links FILE`, timed from the outside.

    python -m bench.campaign_csv [N]        # SQLite file in a temp dir, N people (1,000,000)

The command runs as its own process, exactly as a marketer runs it: it reads the file of
subject ids, looks the people up a thousand at a time (are they reachable for the scope?),
signs both links and the headers per row and writes the CSV. The wall time covers all of
it, start-up included; the peak RSS is the process's own (its VmHWM), so memory that grew
with the file would show. `make bench` runs `measure` on its PostgreSQL seeded by the import.
People are bulk-inserted here to set the scene (the import is not what is measured).
"""

import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import insert, select

from bench.server import BIN, ROOT, SECRETS
from consent.core.database import db
from consent.core.models import State, Subject, utcnow

CAMPAIGN = "2026-12-bench"
TARGET_SECONDS, TARGET_MIB = 20, 300


def write_refs(path: Path, controller, limit: int) -> int:
    """The controller's first `limit` subject ids, one a line under a `subject` header."""
    query = (
        select(Subject.public_id)
        .where(Subject.controller_id == controller.id, Subject.erased_at.is_(None))
        .order_by(Subject.id)
        .limit(limit)
        .execution_options(yield_per=10_000)
    )
    written = 0
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("subject\n")
        for public_id in db.session.scalars(query):
            handle.write(f"{public_id}\n")
            written += 1
    return written


def run(database_url: str, refs: Path, slug: str, output: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of `flask consent links` over the file.

    The peak is the command's own: its VmHWM, read from /proc while it runs. Not the
    rusage of wait4, which also counts the image the child was forked from, before its
    exec: the harness's, 382 MB by the end of a full `make bench`."""
    environment = {**os.environ, **SECRETS, "DATABASE_URL": database_url, "LOG_FORMAT": "json"}
    environment["CONSENT_ENV"] = "production"
    command = [str(BIN / "flask"), "--app", "app", "consent", "links", str(refs)]
    command += ["--controller", slug, "--campaign", CAMPAIGN, "--output", str(output)]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=environment, stderr=subprocess.PIPE)
    stderr: list[bytes] = []
    reader = threading.Thread(target=lambda: stderr.append(process.stderr.read()))
    reader.start()
    peak = 0
    while process.poll() is None:
        peak = max(peak, _peak_rss_kib(process.pid))
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    reader.join()
    if process.returncode != 0:
        raise RuntimeError(f"flask consent links failed: {stderr[0].decode()[-2000:]}")
    return seconds, peak / 1024


def _peak_rss_kib(pid: int) -> int:
    """VmHWM of a running process (0 once it has exited)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except FileNotFoundError:
        pass
    return 0


def measure(database_url: str, controller, folder: Path, limit: int) -> dict:
    refs = folder / "campaign-refs.csv"
    rows = write_refs(refs, controller, limit)
    db.session.remove()
    output = folder / "campaign-links.csv"
    seconds, mib = run(database_url, refs, controller.slug, output)
    with open(output, encoding="utf-8") as handle:
        written = sum(1 for _ in handle) - 1
    output.unlink()
    assert written == rows, (written, rows)
    return {"rows": rows, "seconds": seconds, "mib": mib}


def table_rows(result: dict) -> list[tuple]:
    """(what, ours, floor, ratio, target, passed), the shape of `make bench`'s table."""
    rows, seconds, mib = result["rows"], result["seconds"], result["mib"]
    # The target is for a million rows, start-up included; fewer rows get the same budget.
    budget = TARGET_SECONDS * max(rows, 1_000_000) / 1_000_000
    return [
        (
            f"`consent links`: {rows:,} rows to CSV",
            f"{seconds:.1f} s, {mib:.0f} MB RSS",
            "–",
            f"{rows / seconds:,.0f} rows/s",
            f"≤ {budget:g} s, ≤ {TARGET_MIB} MB",
            seconds <= budget and mib <= TARGET_MIB,
        )
    ]


def _populate(people: int):
    from tests.support.factories import Factory

    make = Factory()
    controller = make.controller()
    newsletter = make.purpose(controller, "newsletter")
    now = utcnow()
    for start in range(0, people, 10_000):
        numbers = range(start, min(start + 10_000, people))
        db.session.execute(
            insert(Subject),
            [{"id": n + 1, "controller_id": controller.id, "public_id": f"c{n:021d}",
              "email": f"p{n}@example.test", "email_hash": f"{n:064x}", "event_count": 0,
              "created_at": now} for n in numbers],
        )  # fmt: skip
        db.session.execute(
            insert(State),
            [{"subject_id": n + 1, "purpose_id": newsletter.id, "channel": "email",
              "reachable": n % 5 != 0, "basis": "consent",
              "reason": "consent_given" if n % 5 else "withdrawn"} for n in numbers],
        )  # fmt: skip
    db.session.commit()
    return controller


def main(people: int) -> None:
    from consent import create_app
    from consent.config import TestConfig

    folder = Path(tempfile.mkdtemp(prefix="consent-links-"))
    url = f"sqlite:///{folder}/bench.sqlite"
    app = create_app(type("Bench", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    with app.app_context():
        db.create_all()
        controller = _populate(people)
        result = measure(url, controller, folder, people)
    for what, ours, _floor, rate, target, passed in table_rows(result):
        print(f"| {what} | {ours} | {rate} | {target} | {'pass' if passed else 'FAIL'} |")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
