"""Backups: a pg_dump of the demo, restored into a fresh database, verifies as the original.

The commands are the ones docs/deploy.md gives (pg_dump --format=custom, pg_restore
--no-owner into an empty database), run against the test session's real PostgreSQL.
"""

import json
import os
import subprocess
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from consent import create_app
from consent.core.database import db
from tests.support.settings import config_on

# Whole rows in a stable order: equal lists mean the restored database holds the same state.
SNAPSHOT = {
    "events": "SELECT id, subject_id, seq, kind, source, hash, prev_hash FROM events ORDER BY id",
    "state": "SELECT subject_id, purpose_id, channel, reachable, basis, reason, event_id "
    "FROM state ORDER BY subject_id, purpose_id, channel",
    "receipts": "SELECT id, jws FROM receipts ORDER BY id",
    "subjects": "SELECT id, public_id, email_hash, event_count, last_hash FROM subjects "
    "ORDER BY id",
    "checkpoints": "SELECT controller_id, tree_size, root_hash, jws FROM checkpoints "
    "ORDER BY controller_id, tree_size",
    "leaves": "SELECT controller_id, leaf_index, event_hash FROM leaves "
    "ORDER BY controller_id, leaf_index",
}


def snapshot(app) -> dict:
    with app.app_context():
        taken = {
            name: [tuple(row) for row in db.session.execute(text(query))]
            for name, query in SNAPSHOT.items()
        }
        db.session.remove()
        db.engine.dispose()
    return taken


def pg(server, program, *args):
    """A PostgreSQL client program of the server's own version (they live beside initdb)."""
    bindir = os.path.dirname(os.path.realpath(os.path.join(server.bindir, "initdb")))
    result = subprocess.run(
        [os.path.join(bindir, program), "-h", "127.0.0.1", "-p", str(server.port),
         "-U", "postgres", *map(str, args)],
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture
def server(postgres_server):
    assert postgres_server is not None, "the backup test needs the PostgreSQL binaries"
    return postgres_server


def test_a_restored_dump_of_the_demo_verifies_with_the_same_state(server, tmp_path):
    name = f"backup_{uuid.uuid4().hex[:10]}"
    original = create_app(config_on(server.database(name), MAIL_OUTBOX=str(tmp_path / "mail")))
    runner = original.test_cli_runner()
    for command in (["init-db"], ["demo"]):
        result = runner.invoke(args=["consent", *command])
        assert result.exit_code == 0, result.output
    signed = runner.invoke(args=["consent", "checkpoint"])
    assert signed.exit_code == 0, signed.output
    kept_outside = tmp_path / "checkpoints.json"
    kept_outside.write_text(json.dumps([json.loads(line) for line in signed.stdout.splitlines()]))
    before = snapshot(original)
    assert before["events"] and before["checkpoints"]

    dump = tmp_path / "consent.dump"
    pg(server, "pg_dump", "--format=custom", f"--file={dump}", f"--dbname={name}")
    restored_name = f"{name}_restored"
    restored_url = server.database(restored_name)
    pg(server, "pg_restore", "--no-owner", "--exit-on-error", f"--dbname={restored_name}", dump)

    restored = create_app(config_on(restored_url, MAIL_OUTBOX=str(tmp_path / "mail")))
    assert snapshot(restored) == before
    runner = restored.test_cli_runner()
    verified = runner.invoke(args=["consent", "verify"])
    assert verified.exit_code == 0, verified.output
    assert "all chains intact, state matches the ledger, checkpoints hold" in verified.output
    outside = runner.invoke(args=["consent", "verify", "--checkpoint", str(kept_outside)])
    assert outside.exit_code == 0, outside.output
    # The append-only triggers came back with the schema: the copy is proof as the original.
    with restored.app_context():
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text("DELETE FROM events"))
        db.session.rollback()
        assert restored.test_client().get("/readyz").status_code == 200
        db.session.remove()
        db.engine.dispose()
