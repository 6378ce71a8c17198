"""Reachable and time travel over 1,000,000 people × 4 purposes on PostgreSQL (issue 18,
targets 4 and 5), each against its floor in the same run:

- the count (`count=1`) after VACUUM ANALYZE, in-process: ≤ 50 ms;
- the NDJSON and CSV lists, served by gunicorn with gunicorn.conf.py and read by one HTTP
  client, against `COPY (SELECT …) TO STDOUT` of the same rows read by psycopg: ≥ 40%
  of its speed, and the serving processes' RSS growing ≤ 50 MB while they stream;
- time travel (`at=`, from the state history) against the now-stream: ≤ 2×.

    python -m bench.queries [--quick] [--people=N]

Seeding: people, their events, state rows and state history are written by SQL (the
tally by the triggers on state, as for any writer)
(generate_series), not through the import: what is measured reads only state, state
history and subjects, the import has its own target (bench/write_path.py), and a million
people through it would take most of the hour this machine has. Rows follow the product's
shapes: 4 purposes (consent by email with a 24-month lifetime, legitimate interest by
email, contract by email, profiling without channels); for the newsletter every tenth
person withdrew (two history rows), every tenth consented only 100 days ago (two rows), and
every tenth consent has lapsed (expires_at past). --quick is 1/10 scale.
"""

import http.client
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

RUNS = 3
SCALES = {"full": 1_000_000, "quick": 100_000}
AGO = 200  # days: the instant time travel asks about


def _seed(url: str, people: int, purposes: dict) -> None:
    import psycopg

    from bench.importing import _plain

    news, offers, service, profile = (purposes[k] for k in ("news", "offers", "service", "prof"))
    with psycopg.connect(_plain(url), autocommit=True) as db:
        db.execute(
            """INSERT INTO subjects (id, controller_id, public_id, email, email_hash, locale,
                   created_at, event_count, last_hash)
               SELECT n, %(c)s, 'S' || lpad(n::text, 21, '0'), 'p' || n || '@example.test',
                   md5(n::text) || md5('x' || n), 'nl', now() - interval '400 days', 1,
                   md5(n::text) || md5('y' || n)
               FROM generate_series(1, %(n)s) n""",
            {"c": purposes["controller"], "n": people},
        )
        db.execute("SELECT setval('subjects_id_seq', %(n)s)", {"n": people})
        db.execute(
            """INSERT INTO events (id, controller_id, subject_id, seq, kind, purpose_id, scope,
                   channel, basis, source, actor, notice_version, occurred_at, recorded_at,
                   receipt_id, hash, hash_version, mailbox_proof)
               SELECT md5('e' || n)::uuid::text, %(c)s, n, 1, 'consent_given', %(p)s,
                   'newsletter', 'email', 'consent', 'import', 'bench', 1,
                   now() - interval '300 days', now() - interval '300 days',
                   md5('r' || n)::uuid::text, md5('h' || n) || md5('i' || n), 2, 'none'
               FROM generate_series(1, %(n)s) n""",
            {"c": purposes["controller"], "p": news, "n": people},
        )
        # state: the newsletter reaches 8 in 10 on paper, one of them lapsed; the others
        # reach 3 in 4, 1 in 2 and 1 in 3.
        db.execute(
            """INSERT INTO state (subject_id, purpose_id, channel, reachable, basis, reason,
                   event_id, expires_at)
               SELECT n, %(news)s, 'email', n %% 10 <> 0, 'consent',
                   CASE WHEN n %% 10 = 0 THEN 'withdrawn' ELSE 'consent_given' END,
                   md5('e' || n)::uuid::text,
                   CASE WHEN n %% 10 = 1 THEN now() - interval '10 days'
                        ELSE now() + interval '400 days' END
               FROM generate_series(1, %(n)s) n
               UNION ALL SELECT n, %(offers)s, 'email', n %% 4 <> 0, 'legitimate_interest',
                   CASE WHEN n %% 4 = 0 THEN 'objected' ELSE 'basis_asserted' END, NULL, NULL
               FROM generate_series(1, %(n)s) n
               UNION ALL SELECT n, %(service)s, 'email', n %% 2 = 0, 'contract',
                   CASE WHEN n %% 2 = 0 THEN 'basis_asserted' ELSE 'not_asserted' END,
                   NULL, NULL
               FROM generate_series(1, %(n)s) n
               UNION ALL SELECT n, %(prof)s, '', n %% 3 = 0, 'consent',
                   CASE WHEN n %% 3 = 0 THEN 'consent_given' ELSE 'never_asked' END,
                   NULL, NULL
               FROM generate_series(1, %(n)s) n""",
            {"news": news, "offers": offers, "service": service, "prof": profile, "n": people},
        )
        # The history: each state row, open since the person was known; a withdrawal and a
        # late consent each split the newsletter's into two rows.
        db.execute(
            """INSERT INTO state_history (subject_id, purpose_id, channel, valid_from, valid_to,
                   reachable, basis, reason, event_id, expires_at)
               SELECT s.subject_id, s.purpose_id, s.channel,
                   CASE WHEN s.purpose_id = %(news)s AND s.subject_id %% 10 IN (0, 2)
                        THEN now() - interval '100 days' ELSE now() - interval '400 days' END,
                   NULL, s.reachable, s.basis, s.reason, s.event_id, s.expires_at
               FROM state s
               UNION ALL SELECT n, %(news)s, 'email', now() - interval '400 days',
                   now() - interval '100 days', n %% 10 = 0, 'consent',
                   CASE WHEN n %% 10 = 0 THEN 'consent_given' ELSE 'never_asked' END,
                   CASE WHEN n %% 10 = 0 THEN md5('e' || n)::uuid::text END,
                   CASE WHEN n %% 10 = 0 THEN now() + interval '400 days' END
               FROM generate_series(1, %(n)s) n WHERE n %% 10 IN (0, 2)""",
            {"news": news, "n": people},
        )
        db.execute("VACUUM ANALYZE")


def _catalogue(app) -> dict:
    from consent.core import api_keys
    from consent.core.database import db
    from tests.support.factories import Factory

    with app.app_context():
        make = Factory()
        controller = make.controller()
        made = {
            "news": make.purpose(controller, "newsletter", consent_lifetime="P24M"),
            "offers": make.purpose(controller, "offers", basis="legitimate_interest"),
            "service": make.purpose(controller, "service", basis="contract", category="service"),
            "prof": make.purpose(
                controller, "profile", basis="consent", category="profiling", channels=()
            ),
        }
        key = api_keys.create(controller, "marketer")[1]
        db.session.commit()
        return {"controller": controller.id, "key": key, **{k: p.id for k, p in made.items()}}


def _floor(url: str, purpose_id: int, fmt: str) -> tuple[float, int]:
    """COPY of the list's rows, as psql would: seconds and bytes."""
    import psycopg

    from bench.importing import _plain

    options = "WITH (FORMAT csv, HEADER)" if fmt == "csv" else ""
    select = f"""SELECT s.public_id AS subject, s.email, st.basis FROM state st
        JOIN subjects s ON s.id = st.subject_id
        WHERE st.purpose_id = {purpose_id} AND st.channel = 'email' AND st.reachable
          AND (st.expires_at IS NULL OR st.expires_at > now()) AND s.erased_at IS NULL
        ORDER BY st.subject_id"""
    with psycopg.connect(_plain(url)) as connection, connection.cursor() as cursor:
        started = time.perf_counter()
        size = 0
        with cursor.copy(f"COPY ({select}) TO STDOUT {options}") as copy:
            for data in copy:
                size += len(data)
        return time.perf_counter() - started, size


def _rss(pids) -> int:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return found


def _get(port: int, key: str, query: str, server_pid: int) -> tuple[float, int, int, int]:
    """One streamed answer: seconds, lines, bytes and the servers' RSS growth meanwhile."""
    pids = [server_pid, *_children(server_pid)]
    before, peak, done = _rss(pids), [0], threading.Event()

    def watch():
        while not done.is_set():
            peak[0] = max(peak[0], _rss(pids))
            time.sleep(0.02)

    watcher = threading.Thread(target=watch)
    watcher.start()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    connection.request("GET", f"/api/v1/reachable?{query}", headers={"Authorization": key})
    response = connection.getresponse()
    assert response.status == 200, response.read()[:300]
    lines = size = 0
    while chunk := response.read(1 << 16):
        size += len(chunk)
        lines += chunk.count(b"\n")
    seconds = time.perf_counter() - started
    done.set()
    watcher.join()
    connection.close()
    return seconds, lines, size, max(peak[0], _rss(pids)) - before


def _count_ms(app, purpose_id: int, at=None) -> tuple[float, int]:
    from consent.core import reachability
    from consent.core.database import db
    from consent.core.models import Purpose

    with app.app_context():
        purpose = db.session.get(Purpose, purpose_id)
        reachability.count(purpose, "email", at)  # the plan and the catalogue, cached
        started = time.perf_counter()
        counted = reachability.count(purpose, "email", at)
        seconds = time.perf_counter() - started
        db.session.remove()
    return seconds * 1000, counted


def measure(people: int) -> dict:
    from bench.server import _environment, _wait, serve
    from bench.write_path import BIN, ROOT, _config
    from consent import create_app
    from consent.core.models import utcnow
    from tests.support.mail import free_port
    from tests.support.postgres import PostgresServer

    server = PostgresServer(durable=True)
    server.start()
    folder = Path(tempfile.mkdtemp(prefix="consent-queries-"))
    (folder / "metrics").mkdir()
    try:
        url, port = server.database("queries"), free_port()
        environment = _environment(url, port, str(folder / "metrics"))
        init = [str(BIN / "flask"), "--app", "app", "consent", "init-db"]
        import subprocess

        subprocess.run(init, cwd=ROOT, env=environment, check=True, capture_output=True)
        app = create_app(_config(url))
        made = _catalogue(app)
        started = time.perf_counter()
        _seed(url, people, made)
        print(f"seeded {people:,} people by SQL in {time.perf_counter() - started:.0f} s")
        at = (utcnow() - timedelta(days=AGO)).isoformat().replace("+00:00", "Z")
        process = serve("app:app", environment)
        try:
            _wait(port)
            key, news = f"Bearer {made['key']}", made["news"]
            now_q = "purpose=newsletter&channel=email&format="
            runs = []
            for _ in range(RUNS):
                run = {
                    "count": _count_ms(app, news),
                    "count_at": _count_ms(app, news, utcnow() - timedelta(days=AGO)),
                }
                for fmt in ("ndjson", "csv"):
                    run[fmt] = _get(port, key, now_q + fmt, process.pid)
                    run[f"floor_{fmt}"] = _floor(url, news, fmt)
                run["at"] = _get(port, key, f"{now_q}ndjson&at={at}", process.pid)
                runs.append(run)
                print(_describe(run))
        finally:
            process.terminate()
            process.wait(60)
    finally:
        server.stop()
    return {"people": people, "runs": runs}


def _describe(run: dict) -> str:
    return (
        f"count {run['count'][0]:.1f} ms ({run['count'][1]:,}); "
        f"ndjson {run['ndjson'][0]:.2f} s ({run['ndjson'][1]:,} lines) vs COPY "
        f"{run['floor_ndjson'][0]:.2f} s; csv {run['csv'][0]:.2f} s vs COPY "
        f"{run['floor_csv'][0]:.2f} s; at {run['at'][0]:.2f} s ({run['at'][1]:,} lines); "
        f"RSS +{max(run[k][3] for k in ('ndjson', 'csv', 'at')) / 2**20:.0f} MB"
    )


def _spread(values, fmt) -> str:
    return f"{fmt(statistics.median(values))} ({fmt(min(values))}–{fmt(max(values))})"


def rows(result: dict) -> list[tuple]:
    """Rows of `make bench`'s table: what, ours, floor, ratio, target, passed."""
    runs, people = result["runs"], result["people"]
    seconds, ms = (lambda v: f"{v:.2f} s"), (lambda v: f"{v:.0f} ms")
    share = lambda v: f"{v:.0%}"  # noqa: E731
    made = [
        (
            f"reachable count, {people:,} × 4 (= list length)",
            _spread([r["count"][0] for r in runs], lambda v: f"{v:.1f} ms"),
            "–",
            "–",
            "≤ 50 ms",
            # and it counts exactly the people the list lists
            statistics.median(r["count"][0] for r in runs) <= 50
            and all(r["count"][1] == r["ndjson"][1] for r in runs),
        )
    ]
    for fmt in ("ndjson", "csv"):
        ratio = [r[f"floor_{fmt}"][0] / r[fmt][0] for r in runs]
        made.append(
            (
                f"reachable {fmt}, {runs[0][fmt][1]:,} lines",
                _spread([r[fmt][0] for r in runs], seconds),
                _spread([r[f"floor_{fmt}"][0] for r in runs], seconds),
                _spread(ratio, share),
                "≥ 40% of COPY",
                statistics.median(ratio) >= 0.40,
            )
        )
    growth = [max(r[k][3] for k in ("ndjson", "csv", "at")) / 2**20 for r in runs]
    made.append(
        (
            "server RSS growth while streaming",
            _spread(growth, lambda v: f"{v:.0f} MB"),
            "–",
            "–",
            "≤ 50 MB",
            max(growth) <= 50,
        )
    )
    ratio = [r["at"][0] / r["ndjson"][0] for r in runs]
    made.append(
        (
            f"time travel ndjson, {AGO} days back, {runs[0]['at'][1]:,} lines",
            _spread([r["at"][0] for r in runs], seconds),
            _spread([r["ndjson"][0] for r in runs], seconds),
            _spread(ratio, lambda v: f"{v:.2f}×"),
            "≤ 2× now-stream",
            statistics.median(ratio) <= 2,
        )
    )
    made.append(
        (
            "time travel count",
            _spread([r["count_at"][0] for r in runs], ms),
            "–",
            "–",
            "–",
            True,
        )
    )
    return made


def table(result: dict) -> str:
    lines = [
        "| what | ours, median (min–max) | floor | ratio | target | result |",
        "|---|---:|---:|---:|---|---|",
    ]
    for what, ours, floor, ratio, target, passed in rows(result):
        lines.append(
            f"| {what} | {ours} | {floor} | {ratio} | {target} | {'pass' if passed else 'FAIL'} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    arguments = sys.argv[1:]
    counts = [int(a.partition("=")[2]) for a in arguments if a.startswith("--people=")]
    scale = SCALES["quick" if "--quick" in arguments else "full"]
    print(table(measure(counts[0] if counts else scale)))
