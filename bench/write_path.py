"""`make bench` / `make bench-quick`: the write path on PostgreSQL against its floors.

    python -m bench.write_path [--quick]

Starts its own PostgreSQL (PostgreSQL's durable defaults, unlike the tests), creates the
schema with the migrations (`flask consent init-db`), loads the demo catalogues and seeds
people through the product's own import, then measures three times, each time ours and its
floor in the same run:

- import: a file of new people (bases and consent decisions with given_at, mixed) against
  COPYing the rows it wrote into empty tables (bench/importing.py);
- one-click: gunicorn with gunicorn.conf.py serving the app, and the same gunicorn config
  serving bench/floor_app.py (one durable INSERT per POST) on the same database, both
  driven by bench/load.py with 16 clients; afterwards every chain touched is verified.

It prints one table: ours, the floor, the ratio, the target, pass or fail, and the min-max
of the three runs. The full scale seeds 1,000,000 people and imports 100,000; --quick is 1/10.
"""

import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import importing, load, queries, read_path
from bench.server import BIN, ROOT, SECRETS, _environment, _wait, serve

SCALES = {
    "full": {"seed": 1_000_000, "imported": 100_000, "clicks": 3000},
    "quick": {"seed": 100_000, "imported": 10_000, "clicks": 1000},
}
RUNS = 3
CLIENTS = 16
IMPORT_BATCH = 2000
WARM_UP = 100
ONE_CLICK_PURPOSE = "customer-marketing"  # legitimate interest: each one-click objects


def main(scale: str, seed: int | None = None) -> None:
    from tests.support.mail import free_port
    from tests.support.postgres import PostgresServer

    sizes = {**SCALES[scale], **({"seed": seed} if seed else {})}
    server = PostgresServer(durable=True)
    server.start()
    folder = Path(tempfile.mkdtemp(prefix="consent-bench-"))
    try:
        url, floor_url = server.database("bench"), server.database("bench_floor")
        ports = free_port(), free_port()
        ours_env = _environment(url, ports[0], str(folder / "metrics"))
        floor_env = _environment(url, ports[1], str(folder / "floor-metrics"))
        (folder / "metrics").mkdir()
        (folder / "floor-metrics").mkdir()
        init = [str(BIN / "flask"), "--app", "app", "consent", "init-db"]
        subprocess.run(init, cwd=ROOT, env=ours_env, check=True, capture_output=True)
        results = _measure(url, floor_url, folder, ports, (ours_env, floor_env), sizes)
        # Preference page, campaign CSV, checkpoint (targets 3, 6, 7): bench/read_path.py.
        results["read_path"] = read_path.measure(url, folder, sizes)
    finally:
        server.stop()
    # Reachable and time travel (targets 4 and 5): bench/queries.py, on its own database.
    results["queries"] = queries.rows(queries.measure(sizes["seed"]))
    print(table(results, sizes))


def _config(url: str):
    """The settings the servers get from their environment, for the work done in-process."""
    from consent.config import Config

    keys = SECRETS["SECRET_KEYS"].split(",")
    settings = {
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEYS": keys,
        "SECRET_KEY": keys[0],
        "EMAIL_HASH_KEY": SECRETS["EMAIL_HASH_KEY"],
        "PUBLIC_BASE_URL": SECRETS["PUBLIC_BASE_URL"],
    }
    return type("BenchConfig", (Config,), settings)


def _measure(url, floor_url, folder, ports, environments, sizes) -> dict:
    from consent import create_app
    from consent.core.database import db
    from consent.demo import loader

    app = create_app(_config(url))
    with app.app_context():
        loader.load()
        db.session.commit()
        started = time.perf_counter()
        seeded = importing.run_import(
            importing.write_file(folder / "seed.csv", sizes["seed"], "s"), IMPORT_BATCH
        )
        print(f"seeded: {seeded.describe()} in {time.perf_counter() - started:.0f} s")
        _vacuum_analyze(url)
        imports = [_import_once(url, floor_url, folder, sizes, run) for run in range(RUNS)]
        paths = _one_click_paths(sizes["seed"], WARM_UP + RUNS * sizes["clicks"])
    servers = [
        serve("app:app", environments[0]),
        serve("bench.floor_app:app", environments[1]),
    ]
    try:
        for port in ports:
            _wait(port)
        _create_floor_table(url)
        load.post_all(ports[0], paths[:WARM_UP], CLIENTS)
        load.post_all(ports[1], [f"/floor/w{n}" for n in range(WARM_UP)], CLIENTS)
        clicks = []
        for run in range(RUNS):
            batch = paths[WARM_UP + run * sizes["clicks"] :][: sizes["clicks"]]
            ours = load.post_all(ports[0], batch, CLIENTS)
            floor_paths = [f"/floor/{run}-{n}" for n in range(len(batch))]
            floor = load.post_all(ports[1], floor_paths, CLIENTS)
            clicks.append((ours, floor))
    finally:
        for process in servers:
            process.send_signal(signal.SIGTERM)
            process.wait(60)
    with app.app_context():
        checked = _check_chains(paths)
    return {"imports": imports, "clicks": clicks, "checked": checked}


def _vacuum_analyze(url: str) -> None:
    import psycopg

    with psycopg.connect(importing._plain(url), autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


def _import_once(url, floor_url, folder, sizes, run) -> tuple[float, float, dict]:
    from sqlalchemy import create_engine

    from consent.core.database import db

    path = importing.write_file(folder / f"import-{run}.csv", sizes["imported"], f"r{run}x")
    before = importing.largest_subject_id()
    started = time.perf_counter()
    summary = importing.run_import(path, IMPORT_BATCH)
    ours = time.perf_counter() - started
    assert summary.created == sizes["imported"], summary.describe()
    exported = importing.export_written(url, before)
    engine = create_engine(floor_url)
    db.metadata.drop_all(engine)
    db.metadata.create_all(engine)
    engine.dispose()
    floor = importing.copy_floor(floor_url, exported)
    counts = importing.counts(exported)
    print(f"import run {run + 1}: {ours:.1f} s, COPY of the same rows {floor:.1f} s, {counts}")
    return ours, floor, counts


def _one_click_paths(seeded: int, wanted: int) -> list[str]:
    """One-click links of seeded customers (every fourth seeded row), one per person."""
    from sqlalchemy import select

    from consent.core import purposes, signed_links
    from consent.core.database import db
    from consent.core.models import Subject

    controller = purposes.controller_by_slug(importing.CONTROLLER)
    customers = [f"S-{n}" for n in range(0, seeded, 4)][:wanted]
    assert len(customers) == wanted, "seed more people for this many one-clicks"
    public_ids = db.session.scalars(
        select(Subject.public_id).where(
            Subject.controller_id == controller.id, Subject.external_id.in_(customers)
        )
    ).all()
    return [
        "/unsubscribe/"
        + signed_links.make(
            signed_links.Link(controller.slug, public_id, (ONE_CLICK_PURPOSE,), "email"),
            "unsubscribe",
        )
        for public_id in public_ids
    ]


def _create_floor_table(url: str) -> None:
    import psycopg

    from bench import floor_app

    with psycopg.connect(importing._plain(url), autocommit=True) as connection:
        connection.execute(floor_app.CREATE)


def _check_chains(paths: list[str]) -> dict:
    """Every person one-clicked: one objection recorded each, chain and state verified."""
    from sqlalchemy import func, select

    from consent.core import integrity, ledger, purposes, signed_links, subjects
    from consent.core.database import db
    from consent.core.models import Event

    controller = purposes.controller_by_slug(importing.CONTROLLER)
    problems, recorded = [], 0
    for path in paths:
        link = signed_links.read(path.rpartition("/")[2], "unsubscribe")
        subject = subjects.by_public_id(controller, link.subject)
        events = ledger.events_of(subject)
        problems += integrity.check_chain(subject, controller, events)
        problems += integrity.check_state(subject, controller, events)
        recorded += sum(1 for e in events if e.source == "one_click")
    one_clicks = db.session.scalar(select(func.count(Event.id)).where(Event.source == "one_click"))
    return {"asked": len(paths), "recorded": recorded, "all": one_clicks, "problems": problems}


def _spread(values, fmt) -> str:
    return f"{fmt(statistics.median(values))} ({fmt(min(values))}–{fmt(max(values))})"


def table(results: dict, sizes: dict) -> str:
    imports, clicks, checked = results["imports"], results["clicks"], results["checked"]
    import_ratio = [ours / floor for ours, floor, _ in imports]
    rate = [ours.per_second for ours, _ in clicks]
    share = [ours.per_second / floor.per_second for ours, floor in clicks]
    p99 = [ours.percentile(0.99) * 1000 for ours, _ in clicks]
    floor_p99 = [floor.percentile(0.99) * 1000 for _, floor in clicks]
    lost = checked["asked"] - checked["recorded"] + sum(o.failed for o, _ in clicks)
    seconds, per_second = (lambda v: f"{v:.1f} s"), (lambda v: f"{v:.0f}/s")
    rows = [
        (
            f"import {sizes['imported']:,} rows",
            _spread([o for o, _, _ in imports], seconds),
            _spread([f for _, f, _ in imports], seconds),
            _spread(import_ratio, lambda v: f"{v:.1f}×"),
            "≤ 4×",
            statistics.median(import_ratio) <= 4,
        ),
        (
            f"one-click, {CLIENTS} clients",
            _spread(rate, per_second),
            _spread([f.per_second for _, f in clicks], per_second),
            _spread(share, lambda v: f"{v:.0%}"),
            "≥ 35%",
            statistics.median(share) >= 0.35,
        ),
        (
            "one-click p99",
            _spread(p99, lambda v: f"{v:.0f} ms"),
            _spread(floor_p99, lambda v: f"{v:.0f} ms"),
            "–",
            "≤ 100 ms",
            statistics.median(p99) <= 100,
        ),
        (
            "one-click lost; chains verified",
            f"{lost} lost; {len(checked['problems'])} problems",
            "–",
            "–",
            "0; 0",
            lost == 0 and not checked["problems"],
        ),
    ]
    rows += results.get("queries", [])  # bench/queries.py: reachable and time travel
    rows += results.get("read_path", [])  # bench/read_path.py: page, links CSV, checkpoint
    lines = [
        "| what | ours, median (min–max) | floor | ratio | target | result |",
        "|---|---:|---:|---:|---|---|",
    ]
    for what, ours, floor, ratio, target, passed in rows:
        result = "pass" if passed else "FAIL"
        lines.append(f"| {what} | {ours} | {floor} | {ratio} | {target} | {result} |")
    return "\n".join(lines)


if __name__ == "__main__":
    arguments = sys.argv[1:]
    # --seed=N: fewer people seeded, to try the harness itself quickly.
    seeds = [int(a.partition("=")[2]) for a in arguments if a.startswith("--seed=")]
    main("quick" if "--quick" in arguments else "full", seeds[0] if seeds else None)
