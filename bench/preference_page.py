"""The preference page GET through the production server against its floor.

    python -m bench.preference_page [PEOPLE]

Our side: gunicorn with gunicorn.conf.py serving the app, GETting the preference pages of
people imported through the product's import (bases and consents, as `make bench` seeds
them), each page opened once per run by a campaign link. The floor: the same gunicorn
config serving bench/floor_page.py (one row read by a unique index, rendered in a small
template) on the same database. Both are driven by the same client: 16 threads, each
with its own keep-alive connection. `make bench` calls `measure` on its own seeded
database; run alone, this starts its own PostgreSQL and imports PEOPLE (2,000) people.
"""

import signal
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

from bench import importing, load
from bench.server import BIN, ROOT, _environment, _wait, serve

CLIENTS = 16
RUNS = 3
TARGET = 0.35


def paths(limit: int) -> tuple[list[str], list[str]]:
    """Preference-page paths (campaign links) and floor paths for the same people."""
    from sqlalchemy import select

    from consent.core import purposes, signed_links
    from consent.core.database import db
    from consent.core.models import Subject

    controller = purposes.controller_by_slug(importing.CONTROLLER)
    public_ids = db.session.scalars(
        select(Subject.public_id)
        .where(Subject.controller_id == controller.id, Subject.erased_at.is_(None))
        .order_by(Subject.id)
        .limit(limit)
    ).all()
    ours = []
    for public_id in public_ids:
        link = signed_links.Link(controller.slug, public_id, made_by="command:make-links")
        token = signed_links.make(link, "preferences")
        ours.append(f"/preferences/{quote(token, safe=signed_links.URL_SAFE)}")
    return ours, [f"/floor/page/{public_id}" for public_id in public_ids]


def measure(url: str, folder: Path, per_run: int) -> list[tuple[load.Result, load.Result]]:
    """Three runs of `per_run` page GETs each, ours then the floor, on running servers."""
    from tests.support.mail import free_port

    ours_paths, floor_paths = paths(per_run)
    ports = free_port(), free_port()
    servers = []
    for target, port, name in (("app:app", ports[0], "m"), ("bench.floor_page:app", ports[1], "f")):
        (folder / f"page-metrics-{name}").mkdir(exist_ok=True)
        environment = _environment(url, port, str(folder / f"page-metrics-{name}"))
        servers.append(serve(target, environment))
    try:
        for port in ports:
            _wait(port)
        load.get_all(ports[0], ours_paths[:200])  # warm both: every worker has opened its pool
        load.get_all(ports[1], floor_paths[:200])
        runs = []
        for _ in range(RUNS):
            ours = load.get_all(ports[0], ours_paths)
            floor = load.get_all(ports[1], floor_paths)
            assert ours.failed == 0 and floor.failed == 0, (ours.statuses, floor.statuses)
            runs.append((ours, floor))
        return runs
    finally:
        for process in servers:
            process.send_signal(signal.SIGTERM)
            process.wait(60)


def _spread(values, fmt) -> str:
    return f"{fmt(statistics.median(values))} ({fmt(min(values))}–{fmt(max(values))})"


def table_rows(runs) -> list[tuple]:
    """(what, ours, floor, ratio, target, passed), the shape of `make bench`'s table."""
    rate = [ours.per_second for ours, _ in runs]
    floor = [floor.per_second for _, floor in runs]
    share = [ours.per_second / floor.per_second for ours, floor in runs]
    p99 = [ours.percentile(0.99) * 1000 for ours, _ in runs]
    floor_p99 = [floor.percentile(0.99) * 1000 for _, floor in runs]
    per_second, ms = (lambda v: f"{v:.0f}/s"), (lambda v: f"{v:.0f} ms")
    return [
        (
            f"preference page GET, {CLIENTS} clients",
            _spread(rate, per_second),
            _spread(floor, per_second),
            _spread(share, lambda v: f"{v:.0%}"),
            f"≥ {TARGET:.0%}",
            statistics.median(share) >= TARGET,
        ),
        ("preference page p99", _spread(p99, ms), _spread(floor_p99, ms), "–", "–", True),
    ]


def main(people: int) -> None:
    from bench.write_path import _config
    from consent import create_app
    from consent.core.database import db
    from consent.demo import loader
    from tests.support.mail import free_port
    from tests.support.postgres import PostgresServer

    server = PostgresServer(durable=True)
    server.start()
    folder = Path(tempfile.mkdtemp(prefix="consent-page-"))
    try:
        url = server.database("bench_page")
        environment = _environment(url, free_port(), str(folder))
        init = [str(BIN / "flask"), "--app", "app", "consent", "init-db"]
        subprocess.run(init, cwd=ROOT, env=environment, check=True, capture_output=True)
        app = create_app(_config(url))
        with app.app_context():
            loader.load()
            db.session.commit()
            importing.run_import(importing.write_file(folder / "people.csv", people, "p"), 2000)
            runs = measure(url, folder, people)
    finally:
        server.stop()
    for row in table_rows(runs):
        what, ours, floor, ratio, target, passed = row
        print(
            f"| {what} | {ours} | {floor} | {ratio} | {target} | {'pass' if passed else 'FAIL'} |"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
