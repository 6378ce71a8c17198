"""One-click unsubscribes per second through the production server: gunicorn with
gunicorn.conf.py on a throw-away PostgreSQL, clients posting each person's one-click at once.

    python -m bench.server [PEOPLE] [CLIENTS]

The clients run on the same machine as the server and the database, so the numbers are a
floor for one machine, not a ceiling. Each one-click is the real thing: a signed link
checked, the person's row locked, the event chained, state and receipt written, committed.
"""

import http.client
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import load

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SECRETS = {
    "SECRET_KEYS": "bench-secret-key-of-enough-length-000001",
    "EMAIL_HASH_KEY": "bench-email-hash-key-of-enough-length-02",
    "CHECKPOINT_SIGNING_KEYS": "bench-checkpoint-key-of-enough-length-3",
    "PUBLIC_BASE_URL": "https://prefs.example.test",
}


def _environment(database_url: str, port: int, metrics: str) -> dict:
    return {
        **os.environ,
        **SECRETS,
        "CONSENT_ENV": "production",
        "DATABASE_URL": database_url,
        "BIND": f"127.0.0.1:{port}",
        "LOG_FORMAT": "json",
        "GUNICORN_ACCESS_LOG": "",
        "PROMETHEUS_MULTIPROC_DIR": metrics,
    }


def serve(target: str, environment: dict) -> subprocess.Popen:
    """gunicorn with the production config (gunicorn.conf.py) serving `target`."""
    return subprocess.Popen(
        [str(BIN / "gunicorn"), "--config", "gunicorn.conf.py", target],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _people(database_url: str, count: int) -> list[str]:
    """`count` people with consent to the newsletter by email; their one-click paths."""
    os.environ.update(SECRETS, DATABASE_URL=database_url, CONSENT_ENV="development")
    from consent import create_app
    from consent.core import signed_links
    from consent.core.database import db
    from tests.support.factories import Factory

    app = create_app()
    paths = []
    with app.app_context():
        make = Factory()
        controller = make.controller()
        newsletter = make.purpose(controller, channels=("email",))
        for n in range(count):
            person = make.subject(controller, email=f"person{n}@example.test")
            make.record(person, "consent_given", newsletter, channel="email")
            link = signed_links.Link(
                controller.slug, person.public_id, purposes=("newsletter",), channel="email"
            )
            paths.append("/unsubscribe/" + signed_links.make(link, "unsubscribe"))
            if n % 500 == 499:
                db.session.commit()
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return paths


def measure(people: int = 2000, clients: int = 16) -> dict:
    from tests.support.mail import free_port
    from tests.support.postgres import PostgresServer

    server = PostgresServer()
    server.start()
    try:
        database_url = server.database("bench_server")
        port = free_port()
        environment = _environment(database_url, port, tempfile.mkdtemp(prefix="metrics-"))
        flask = [str(BIN / "flask"), "--app", "app", "consent", "init-db"]
        subprocess.run(flask, cwd=ROOT, env=environment, check=True, capture_output=True)
        paths = _people(database_url, people)
        gunicorn = serve("app:app", environment)
        try:
            _wait(port)
            result = load.post_all(port, paths, clients)
        finally:
            gunicorn.send_signal(signal.SIGTERM)
            gunicorn.wait(60)
    finally:
        server.stop()
    workers = int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 1))  # gunicorn.conf.py's
    return {
        "people": people,
        "clients": clients,
        "workers": workers,
        "seconds": result.seconds,
        "per_second": people / result.seconds,
        "statuses": result.statuses,
    }


def _wait(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/readyz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not become ready")


def table(result: dict) -> str:
    return "\n".join(
        [
            "| one-clicks | clients | gunicorn workers × threads | seconds | one-clicks/s "
            "| answers |",
            "|---:|---:|---|---:|---:|---|",
            f"| {result['people']:,} | {result['clients']} | {result['workers']} × 4 "
            f"| {result['seconds']:.1f} | {result['per_second']:.0f} | {result['statuses']} |",
        ]
    )


if __name__ == "__main__":
    people = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    clients = int(sys.argv[2]) if len(sys.argv) > 2 else 16
    print(table(measure(people, clients)))
