"""Signed checkpoints: a rewrite by someone with database access is caught by anyone who
kept a copy of an earlier checkpoint (SPEC §10), on both databases."""

import json
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import jwt
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from consent.core import chain, checkpoints, integrity, ledger, merkle, signing
from consent.core.database import db
from consent.core.models import Checkpoint, Controller, Event, Leaf, Purpose, Subject, TreeNode

ROOT = Path(__file__).resolve().parent.parent
CLAIMS = {"controller", "tree_size", "root_hash", "issued_at"}


@pytest.fixture
def ledgered(make):
    """One controller, two people, a few decisions each."""
    controller = make.controller()
    news = make.purpose(controller, channels=("email", "sms"))
    anna, ben = make.subject(controller), make.subject(controller, email="ben@example.test")
    for kind, channel in (("consent_given", "email"), ("consent_given", "sms")):
        make.record(anna, kind, news, channel=channel)
    make.record(anna, "consent_withdrawn", news, channel="sms")
    make.record(ben, "consent_given", news, channel="email")
    db.session.commit()
    return controller, news, anna, ben


def checkpoint(runner, slug="acme") -> dict:
    result = runner.invoke(args=["consent", "checkpoint", "--controller", slug])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.strip().splitlines()[-1])


def verify(runner, *args):
    return runner.invoke(args=["consent", "verify", *args])


def chains_alone_hold(controller) -> bool:
    """The hash-chain check by itself: what an insider who recomputes hashes can satisfy."""
    db.session.expire_all()
    for subject in db.session.scalars(
        select(Subject).where(Subject.controller_id == controller.id)
    ):
        if integrity.check_chain(subject, controller, ledger.events_of(subject)):
            return False
    return True


def test_a_checkpoint_is_a_signed_tree_head(app, client, runner, ledgered):
    controller, *_ = ledgered
    head = checkpoint(runner)
    assert set(head) == CLAIMS | {"jws"}
    assert (head["controller"], head["tree_size"]) == ("acme", 4)
    header = jwt.get_unverified_header(head["jws"])
    assert (header["alg"], header["typ"]) == ("EdDSA", "consent-checkpoint+jwt")
    jwks = client.get("/.well-known/jwks.json").get_json()
    assert header["kid"] in {key["kid"] for key in jwks["keys"]}
    assert signing.verify(head["jws"], jwks) == {k: head[k] for k in CLAIMS}
    events = db.session.scalars(
        select(Event)
        .where(Event.controller_id == controller.id)
        .order_by(Event.recorded_at, Event.id)
    ).all()
    frontier = []
    for event in events:
        merkle.append(frontier, merkle.leaf_hash(event.hash))
    assert head["root_hash"] == merkle.root(frontier).hex()
    published = client.get("/.well-known/consent-checkpoints.json?controller=acme").get_json()
    assert published == {"checkpoints": [head]}
    again = runner.invoke(args=["consent", "checkpoint", "--controller", "acme"])
    assert json.loads(again.stdout) == head and "no new events" in again.stderr


def test_later_checkpoints_are_consistent_with_earlier_ones(app, client, runner, make, ledgered):
    _controller, news, anna, _ben = ledgered
    first = checkpoint(runner)
    for _ in range(5):
        make.record(anna, "consent_given", news, channel="sms")
        make.record(anna, "consent_withdrawn", news, channel="sms")
    db.session.commit()
    second = checkpoint(runner)
    assert second["tree_size"] == first["tree_size"] + 10
    answer = client.get(
        "/.well-known/consent-checkpoints/consistency?controller=acme&from=4&to=14"
    ).get_json()
    assert (answer["from"], answer["to"]) == (4, 14)
    assert merkle.verify_consistency(
        4,
        14,
        bytes.fromhex(first["root_hash"]),
        bytes.fromhex(second["root_hash"]),
        [bytes.fromhex(step) for step in answer["path"]],
    )
    assert (
        "consistent" in verify(runner, "--from", "4", "--to", "14", "--controller", "acme").output
    )
    unknown = client.get(
        "/.well-known/consent-checkpoints/consistency?controller=acme&from=3&to=14"
    )
    assert unknown.status_code == 404
    assert client.get("/.well-known/consent-checkpoints.json?since=x").status_code == 400
    since = client.get(f"/.well-known/consent-checkpoints.json?since={second['issued_at']}")
    assert second in since.get_json()["checkpoints"]


def test_an_untouched_ledger_verifies_with_its_checkpoints(app, runner, ledgered):
    checkpoint(runner)
    result = verify(runner)
    assert result.exit_code == 0, result.output
    assert "1 checkpoints: all chains intact" in result.output


# --- an insider at work: triggers dropped, rows rewritten ---


def _rewind(subject: Subject) -> None:
    """Set the chain head to the last remaining event, as a careful insider would."""
    events = ledger.events_of(subject)
    db.session.execute(
        text("UPDATE subjects SET event_count = :n, last_hash = :h WHERE id = :id"),
        {"n": len(events), "h": events[-1].hash if events else None, "id": subject.id},
    )


def _rehash_from(subject: Subject, controller: Controller, seq: int) -> None:
    """Recompute every hash from event `seq` on, so the chain check passes again."""
    db.session.expire_all()
    slugs = {p.id: p.slug for p in controller.purposes}
    prev = None
    for event in ledger.events_of(subject):
        if event.seq >= seq:
            event_hash = chain.event_hash(
                _with(event, prev_hash=prev),
                controller.slug,
                subject.public_id,
                slugs.get(event.purpose_id),
            )
            db.session.execute(
                text("UPDATE events SET prev_hash = :p, hash = :h WHERE id = :id"),
                {"p": prev, "h": event_hash, "id": event.id},
            )
            prev = event_hash
        else:
            prev = event.hash
    db.session.execute(
        text("UPDATE subjects SET last_hash = :h WHERE id = :id"), {"h": prev, "id": subject.id}
    )
    db.session.commit()
    db.session.expire_all()


def _with(event, **changes):
    copy = type("EventCopy", (), {})()
    for column in Event.__table__.columns:
        setattr(copy, column.key, getattr(event, column.key))
    for name, value in changes.items():
        setattr(copy, name, value)
    return copy


def _delete_last_withdrawal(controller, news, anna, ben):
    last = ledger.events_of(anna)[-1]
    assert last.kind == "consent_withdrawn"
    db.session.execute(text("DELETE FROM events WHERE id = :id"), {"id": last.id})
    db.session.execute(text("DELETE FROM receipts WHERE id = :id"), {"id": last.receipt_id})
    _rewind(anna)
    db.session.commit()
    return "its event is missing"


def _rewrite_a_middle_event(controller, news, anna, ben):
    middle = ledger.events_of(anna)[1]
    db.session.execute(
        text("UPDATE events SET channel = 'email' WHERE id = :id"), {"id": middle.id}
    )
    db.session.commit()
    _rehash_from(anna, controller, middle.seq)
    return "its event was changed"


def _reorder_two_events(controller, news, anna, ben):
    second, third = ledger.events_of(anna)[1:3]
    db.session.execute(text("UPDATE events SET seq = 99 WHERE id = :id"), {"id": second.id})
    db.session.execute(
        text("UPDATE events SET seq = :s WHERE id = :id"), {"s": second.seq, "id": third.id}
    )
    db.session.execute(
        text("UPDATE events SET seq = :s WHERE id = :id"), {"s": third.seq, "id": second.id}
    )
    db.session.commit()
    _rehash_from(anna, controller, second.seq)
    return "its event was changed"


def _delete_a_person(controller, news, anna, ben):
    for table, column in (
        ("state", "subject_id"),
        ("state_history", "subject_id"),
        ("events", "subject_id"),
        ("receipts", "subject_id"),
    ):
        db.session.execute(text(f"DELETE FROM {table} WHERE {column} = :id"), {"id": ben.id})
    db.session.execute(text("DELETE FROM subjects WHERE id = :id"), {"id": ben.id})
    db.session.commit()
    return "its event is missing"


TAMPERING = {
    "delete the last withdrawal and rewind the head": _delete_last_withdrawal,
    "rewrite a middle event and recompute later hashes": _rewrite_a_middle_event,
    "reorder two events": _reorder_two_events,
    "delete a whole person": _delete_a_person,
}


@pytest.mark.parametrize("case", sorted(TAMPERING))
def test_a_rewrite_passes_the_chain_check_but_not_an_outside_copy(
    insider, app, runner, tmp_path, ledgered, case
):
    controller = ledgered[0]
    head = checkpoint(runner)
    copy = tmp_path / "kept-by-the-dpo.json"
    copy.write_text(json.dumps({"checkpoints": [head]}))
    assert verify(runner, "--checkpoint", str(copy)).exit_code == 0

    expected = TAMPERING[case](*ledgered)
    assert chains_alone_hold(controller), "the insider's rewrite should fool the chain check"
    result = verify(runner, "--checkpoint", str(copy))
    assert result.exit_code == 1
    assert f"acme checkpoint tree_size {head['tree_size']}" in result.output
    assert "no longer matches the ledger" in result.output and expected in result.output
    assert verify(runner).exit_code == 1  # the stored checkpoint says the same


def test_rewritten_leaves_are_caught_by_the_signature_they_cannot_make(
    insider, app, runner, make, ledgered
):
    controller, news, anna, _ben = ledgered
    first = checkpoint(runner)
    make.record(anna, "consent_given", news, channel="sms")
    db.session.commit()
    checkpoint(runner)
    middle = ledger.events_of(anna)[1]
    db.session.execute(
        text("UPDATE events SET channel = 'email' WHERE id = :id"), {"id": middle.id}
    )
    db.session.commit()
    _rehash_from(anna, controller, middle.seq)
    for event in ledger.events_of(anna):  # the insider rewrites the leaves too
        db.session.execute(
            text("UPDATE leaves SET event_hash = :h WHERE event_id = :id"),
            {"h": event.hash, "id": event.id},
        )
    db.session.commit()
    output = verify(runner).output
    assert f"acme checkpoint tree_size {first['tree_size']}" in output
    assert "the stored leaves were rewritten" in output


def test_a_dropped_receipt_and_a_deleted_checkpoint_are_named(
    insider, app, runner, tmp_path, ledgered
):
    _controller, _news, anna, _ben = ledgered
    head = checkpoint(runner)
    copy = tmp_path / "copy.json"
    copy.write_text(json.dumps(head))
    receipt_id = ledger.events_of(anna)[0].receipt_id
    db.session.execute(text("DELETE FROM receipts WHERE id = :id"), {"id": receipt_id})
    db.session.execute(text("DELETE FROM checkpoints"))
    db.session.commit()
    plain = verify(runner)
    assert plain.exit_code == 1 and f"its receipt {receipt_id} is missing" in plain.output
    outside = verify(runner, "--checkpoint", str(copy))
    assert outside.exit_code == 1
    assert (
        f"acme checkpoint tree_size {head['tree_size']} is missing from the database"
        in outside.output
    )


@pytest.mark.parametrize(
    "table", ["events", "receipts", "leaves", "tree_nodes", "checkpoints", "purpose_settings"]
)
def test_the_database_refuses_to_rewrite_proof(app, runner, make, ledgered, table):
    for _ in range(2):  # two runs: leaves, two checkpoints and a tree node
        for _ in range(checkpoints.NODE_MIN_WIDTH // 2):
            make.record(ledgered[2], "consent_given", ledgered[1], channel="sms")
        db.session.commit()
        checkpoint(runner)
    for statement in (
        f"UPDATE {table} SET {_column(table)} = {_column(table)}",
        f"DELETE FROM {table}",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()


def _column(table: str) -> str:
    return {
        "tree_nodes": "hash",
        "leaves": "event_hash",
        "checkpoints": "jws",
        "purpose_settings": "channels",
        "events": "kind",
        "receipts": "jws",
    }[table]


def test_checkpoints_hold_across_concurrent_writes(app, runner, ledgered):
    _controller, news, anna, _ben = ledgered
    anna_id, news_id = anna.id, news.id
    stop, errors = threading.Event(), []

    def write():
        with app.app_context():
            try:
                while not stop.is_set():
                    me = db.session.get(Subject, anna_id)
                    purpose = db.session.get(Purpose, news_id)
                    for kind in ("consent_given", "consent_withdrawn"):
                        ledger.record(
                            me,
                            [ledger.Change(kind, purpose, channel="sms")],
                            source="api",
                            actor="w",
                        )
                        db.session.commit()
                    # Busy, not a tight loop: SQLite has one writer at a time, and a
                    # checkpoint run must get its turn within the busy timeout.
                    stop.wait(0.005)
            except Exception as error:  # reported below
                errors.append(repr(error))
            finally:
                db.session.remove()

    writers = [threading.Thread(target=write, daemon=True) for _ in range(3)]
    for thread in writers:
        thread.start()
    try:
        heads = [checkpoint(runner) for _ in range(6)]
    finally:
        stop.set()
        for thread in writers:
            thread.join(timeout=60)
    heads.append(checkpoint(runner))
    assert errors == []
    sizes = [h["tree_size"] for h in heads]
    assert sizes == sorted(sizes)
    total = db.session.scalar(text("SELECT COUNT(*) FROM events"))
    assert sizes[-1] == total  # every committed event is covered by the last run
    tree = checkpoints.StoredTree(ledgered[0])
    for old, new in zip(heads, heads[1:], strict=False):
        path = merkle.consistency_path(old["tree_size"], new["tree_size"], tree)
        assert merkle.verify_consistency(
            old["tree_size"],
            new["tree_size"],
            bytes.fromhex(old["root_hash"]),
            bytes.fromhex(new["root_hash"]),
            path,
        )
    db.session.expire_all()
    result = verify(runner)
    assert result.exit_code == 0, result.output


def test_inclusion_proofs_verify_offline_and_fail_after_one_changed_byte(
    app, client, runner, make, ledgered, tmp_path
):
    controller, news, anna, _ben = ledgered
    checkpoint(runner)
    make.record(anna, "consent_given", news, channel="sms")  # not covered yet
    db.session.commit()
    from consent.core import api_keys

    _row, key = api_keys.create(controller, "auditor")
    db.session.commit()
    bundle = client.get(
        f"/api/v1/subjects/{anna.public_id}/proof", headers={"Authorization": f"Bearer {key}"}
    ).get_json()
    covered = [e for e in bundle["events"] if e["inclusion"]]
    assert len(covered) == 3 and bundle["events"][-1]["inclusion"] is None
    assert bundle["checkpoint"]["tree_size"] == covered[0]["inclusion"]["tree_size"] == 4
    script = [sys.executable, str(ROOT / "docs" / "verify_receipt.py"), "--proof"]
    good = tmp_path / "bundle.json"
    good.write_text(json.dumps(bundle))
    result = subprocess.run([*script, str(good)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    step = covered[0]["inclusion"]["path"][0]
    covered[0]["inclusion"]["path"][0] = step[:-1] + ("0" if step[-1] != "0" else "1")
    bad = tmp_path / "changed.json"
    bad.write_text(json.dumps(bundle))
    result = subprocess.run([*script, str(bad)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "not in the signed checkpoint's tree" in result.stdout


def test_a_late_commit_is_covered_within_the_grace_period_and_reported_beyond_it(
    app, runner, make, ledgered, monkeypatch
):
    _controller, news, anna, _ben = ledgered
    checkpoint(runner)
    real_now = ledger.utcnow()

    def committed_late(minutes):
        """An event whose transaction began `minutes` ago and commits only now."""
        monkeypatch.setattr(ledger, "utcnow", lambda: real_now - timedelta(minutes=minutes))
        make.record(anna, "consent_given", news, channel="sms")
        db.session.commit()
        monkeypatch.undo()

    committed_late(3)
    assert checkpoint(runner)["tree_size"] == 5
    assert verify(runner).exit_code == 0
    committed_late(120)  # longer than CHECKPOINT_GRACE_SECONDS (five minutes)
    assert "no new events" in runner.invoke(args=["consent", "checkpoint"]).stderr
    result = verify(runner)
    assert result.exit_code == 1 and "no checkpoint covers it, nor will one" in result.output


def test_every_proof_of_a_tree_past_its_stored_nodes_verifies(app, runner, make, ledgered):
    """Past NODE_MIN_WIDTH leaves a run stores subtree hashes; smaller subtrees are read
    from their leaves. Over 4 + 3 × (¾ NODE_MIN_WIDTH - 1) leaves in three more runs (two
    levels of stored subtrees), every leaf's inclusion path and every consistency path
    between the published sizes verify."""
    controller, news, anna, _ben = ledgered
    per_run = 3 * checkpoints.NODE_MIN_WIDTH // 4 - 1
    sizes = [checkpoint(runner)["tree_size"]]
    for _ in range(3):
        for _ in range(per_run):
            make.record(anna, "consent_given", news, channel="sms")
        db.session.commit()
        sizes.append(checkpoint(runner)["tree_size"])
    total = 4 + 3 * per_run
    assert sizes == [4, 4 + per_run, 4 + 2 * per_run, total]
    heads = {
        c.tree_size: bytes.fromhex(c.root_hash) for c in db.session.scalars(select(Checkpoint))
    }
    events = ledger.events_of(anna) + ledger.events_of(_ben)
    proofs = checkpoints.inclusion(controller, [e.id for e in events])
    leaves = dict(db.session.execute(select(Leaf.event_id, Leaf.event_hash)).all())
    assert len(proofs) == len(events) == total
    for event_id, proof in proofs.items():
        assert merkle.verify_inclusion(
            merkle.leaf_hash(leaves[event_id]),
            proof["leaf_index"],
            total,
            [bytes.fromhex(step) for step in proof["path"]],
            heads[total],
        )
    for old in sizes:
        for new in sizes:
            if old <= new:
                path = [bytes.fromhex(p) for p in checkpoints.consistency(controller, old, new)]
                assert merkle.verify_consistency(old, new, heads[old], heads[new], path)
    widths = db.session.scalars(select(TreeNode.level)).all()
    smallest = checkpoints.NODE_MIN_WIDTH.bit_length() - 1  # nothing smaller is stored
    assert widths and min(widths) == smallest and max(widths) == smallest + 1
