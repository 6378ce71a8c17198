"""`make bench`'s rows for issue 18 targets 3, 6 and 7, measured on its seeded database:

- the preference page GET through gunicorn against bench/floor_page.py (three runs);
- `flask consent links` over every seeded person to CSV: wall time and peak RSS;
- a checkpoint covering every event the seed, the imports and the one-clicks recorded
  (more than a million at full scale; nothing has checkpointed them yet).

bench/write_path.py calls `measure` once its own runs are done and adds these rows to its
table. Each row is (what, ours, floor, ratio, target, passed).
"""

import time
from pathlib import Path

from bench import campaign_csv, importing, preference_page

PAGES_PER_RUN = 1000
CHECKPOINT_TARGET_SECONDS = 10


def measure(url: str, folder: Path, sizes: dict) -> list[tuple]:
    from sqlalchemy import func, select

    from bench.write_path import _config
    from consent import create_app
    from consent.core import checkpoints, purposes
    from consent.core.database import db
    from consent.core.models import Event

    app = create_app(_config(url))
    rows = []
    with app.app_context():
        rows += preference_page.table_rows(preference_page.measure(url, folder, PAGES_PER_RUN))
        controller = purposes.controller_by_slug(importing.CONTROLLER)
        csv_result = campaign_csv.measure(url, controller, folder, sizes["seed"])
        rows += campaign_csv.table_rows(csv_result)
        controller = purposes.controller_by_slug(importing.CONTROLLER)
        events = db.session.scalar(
            select(func.count(Event.id)).where(Event.controller_id == controller.id)
        )
        started = time.perf_counter()
        checkpoints.run(controller)
        db.session.commit()
        seconds = time.perf_counter() - started
    # The target is for a million new events; fewer get the same budget.
    budget = CHECKPOINT_TARGET_SECONDS * max(events, 1_000_000) / 1_000_000
    rows.append(
        (
            f"checkpoint of {events:,} new events",
            f"{seconds:.1f} s",
            "–",
            "–",
            f"≤ {budget:g} s",
            seconds <= budget,
        )
    )
    return rows
