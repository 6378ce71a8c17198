"""The set-based import batch keeps the ledger's rules and chain: a person twice in one
batch, a person already known, a row the rules refuse among valid ones, all in one batch
written with COPY (PostgreSQL) or multi-row INSERTs (SQLite), and `verify` clean after."""

from pathlib import Path

from sqlalchemy import func, select

from consent.core import importer, integrity, subjects
from consent.core.database import db
from consent.core.models import Event, Receipt, State
from tests.support import api as api_support

HEADER = "email,external_id,purpose,basis,evidence,sale_reference,opt_out_offered_at,decision,channel,given_at\n"  # noqa: E501
SALE = "order 7,2026-01-05T10:00:00Z"


def chain_of(subject) -> list[Event]:
    return list(
        db.session.scalars(select(Event).where(Event.subject_id == subject.id).order_by(Event.seq))
    )


def test_one_batch_keeps_every_rule_and_the_chain(make, tmp_path: Path):
    world = api_support.build(make)
    known = make.subject(world.controller, email="known@example.test", external_id="crm-k")
    make.record(known, "consent_given", world.newsletter, channel="email")
    said_no = make.subject(world.controller, email="no@example.test")
    make.record(said_no, "consent_refused", world.offers, channel="email")
    db.session.commit()
    known_head = known.last_hash
    path = tmp_path / "batch.csv"
    path.write_text(
        HEADER
        + "twice@example.test,crm-2,service,contract,c 1,,,,,\n"
        + "twice@example.test,,newsletter,,,,,given,email,2025-11-20T14:05:00Z\n"
        + f"known@example.test,,offers,legitimate_interest,order 7,{SALE},,,\n"
        + f"no@example.test,,offers,legitimate_interest,order 8,{SALE},,,\n"
        + "new@example.test,crm-3,,,,,,,,\n",
        encoding="utf-8",
    )
    summary = importer.import_file(world.controller, path)
    assert [(o.line, o.error.code) for o in summary.errors] == [(5, "standing_opt_out")]
    assert (summary.created, summary.updated, summary.batches) == (2, 2, 1)
    db.session.expire_all()

    twice = subjects.by_email(world.controller, "twice@example.test")
    first, second = chain_of(twice)
    assert (first.seq, second.seq) == (1, 2) and second.prev_hash == first.hash
    assert (first.kind, second.kind) == ("basis_asserted", "consent_given")
    assert twice.external_id == "crm-2" and twice.event_count == 2
    assert twice.last_hash == second.hash
    # Two interactions, two receipts, each naming its own events.
    assert first.receipt_id != second.receipt_id
    assert db.session.get(Receipt, second.receipt_id).payload["events"]

    db.session.refresh(known)
    *before, appended = chain_of(known)
    assert appended.prev_hash == known_head and appended.seq == len(before) + 1
    assert appended.sale_reference == "order 7" and appended.source == "import"
    offers = db.session.get(State, (known.id, world.offers.id, "email"))
    assert offers.reachable and offers.event_id == appended.id

    db.session.refresh(said_no)
    assert [e.kind for e in chain_of(said_no)] == ["consent_refused"]
    newcomer = subjects.by_email(world.controller, "new@example.test")
    assert chain_of(newcomer) == []
    assert db.session.get(State, (newcomer.id, world.service.id, "email")) is not None

    report = integrity.verify()
    assert report.problems == []

    # The same rows in another file (another hash, so no batch is skipped) change nothing.
    again = tmp_path / "again.csv"
    again.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    summary = importer.import_file(world.controller, again)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 4)


def test_a_batch_larger_than_one_statement_is_written_whole(make, tmp_path: Path):
    """SQLite binds at most so many values per statement: a batch's state rows then go in
    several multi-row INSERTs, still in the batch's one transaction."""
    world = api_support.build(make)
    path = tmp_path / "many.csv"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("email,purpose,basis,evidence\n")
        for number in range(1200):
            handle.write(f"p{number}@example.test,service,contract,c {number}\n")
    summary = importer.import_file(world.controller, path)
    assert (summary.created, summary.batches, summary.errors) == (1200, 1, [])
    per_person = sum(len(p.channels or [None]) for p in world.controller.purposes)
    assert db.session.scalar(select(func.count()).select_from(State)) == 1200 * per_person
    assert db.session.scalar(select(func.count(Receipt.id))) == 1200
    assert integrity.verify().problems == []
