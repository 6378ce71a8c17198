"""Bulk import: bases with evidence, idempotence, per-line errors, suppression, and a crash
(SIGKILL of a real `flask consent import` process) that leaves only whole batches."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from consent.core import importer, rules, subjects
from consent.core.database import db
from consent.core.models import Event, ImportBatch, State, Subject
from tests.support import api as api_support

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def world(make):
    return api_support.build(make)


def events_count() -> int:
    return db.session.scalar(select(func.count(Event.id)))


def post(client, world, subjects_):
    response = client.post(
        "/api/v1/subjects", json={"subjects": subjects_}, headers=world.auth("admin")
    )
    assert response.status_code == 200, response.data
    return response.get_json()


SALE = {"sale_reference": "order 2026-17", "opt_out_offered_at": "2026-01-05T10:00:00+00:00"}
CUSTOMER = {
    "email": "Klant@Example.test",
    "external_id": "crm-1",
    "locale": "nb-NO",
    "bases": [
        {"purpose": "offers", "basis": "legitimate_interest", "evidence": "order 2026-17",
         **SALE},
        {"purpose": "service", "basis": "contract", "evidence": "contract 123"},
    ],
}  # fmt: skip


def test_api_import_asserts_bases_with_evidence(client, world):
    answer = post(client, world, [CUSTOMER])
    [row] = answer["subjects"]
    assert answer["errors"] == []
    assert row["created"] is True and row["suppressed"] is False
    assert row["email"] == "klant@example.test" and row["events"] == 2
    subject = subjects.by_public_id(world.controller, row["id"])
    assert (subject.external_id, subject.locale) == ("crm-1", "nb")
    events = db.session.scalars(select(Event).where(Event.subject_id == subject.id)).all()
    assert {(e.kind, e.basis, e.evidence, e.source) for e in events} == {
        ("basis_asserted", "legitimate_interest", "order 2026-17", "import"),
        ("basis_asserted", "contract", "contract 123", "import"),
    }
    state = db.session.get(State, (subject.id, world.service.id, "email"))
    assert state.reachable and state.basis == "contract"


def test_api_import_is_idempotent(client, world):
    first = post(client, world, [CUSTOMER])["subjects"][0]
    before = events_count()
    again = post(client, world, [CUSTOMER])["subjects"][0]
    assert again == {**first, "created": False, "events": 0}
    assert events_count() == before
    changed = {**CUSTOMER, "bases": [{**CUSTOMER["bases"][1], "evidence": "contract 456"}]}
    assert post(client, world, [changed])["subjects"][0]["events"] == 1
    assert events_count() == before + 1


def test_api_import_reports_invalid_items_and_keeps_the_valid_ones(client, world):
    items = [
        {"email": "good@example.test"},
        {"email": "not-an-address"},
        {"email": "x@example.test", "bases": [{"purpose": "nope", "basis": "contract",
                                               "evidence": "e"}]},
        {"email": "y@example.test", "bases": [{"purpose": "offers", "basis": "consent",
                                               "evidence": "e"}]},
        {"email": "z@example.test", "bases": [{"purpose": "service", "basis": "contract"}]},
        {"email": "w@example.test", "locale": "klingon"},
        "just a string",
        {"email": "also-good@example.test"},
    ]  # fmt: skip
    answer = post(client, world, items)
    assert [s["index"] for s in answer["subjects"]] == [0, 7]
    assert {e["index"]: e["code"] for e in answer["errors"]} == {
        1: "invalid_email",
        2: "unknown_purpose",
        3: "basis_not_allowed",
        4: "evidence_required",
        5: "invalid_locale",
        6: "invalid_row",
    }
    assert all(e["message"] for e in answer["errors"])
    assert db.session.scalar(select(func.count(Subject.id))) == 2


def test_erased_address_comes_back_suppressed(client, world, make):
    gone = make.subject(world.controller, email="gone@example.test")
    subjects.erase(gone, source="api", actor="test")
    db.session.commit()
    before = events_count()
    [row] = post(client, world, [{**CUSTOMER, "email": "GONE@example.test"}])["subjects"]
    assert row["suppressed"] is True and row["id"] is None and row["created"] is False
    assert events_count() == before
    check = client.post(
        "/api/v1/reachable/check",
        json={"purpose": "offers", "emails": ["gone@example.test"]},
        headers=world.auth("marketer"),
    ).get_json()["results"][0]
    assert check["reachable"] is False and check["reason"] == "erased"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_file_errors_by_line_and_rerun_changes_nothing(world, tmp_path):
    path = write(
        tmp_path / "contacts.csv",
        "email;external_id;locale;purpose;basis;evidence;sale_reference;opt_out_offered_at\n"
        "anna@example.test;c-1;nl;offers;legitimate_interest;order 19;order 19;2019-03-01\n"
        "broken;c-2;nl;offers;legitimate_interest;x;x;2019-03-01\n"
        "bob@example.test;c-3;en;service;contract;;;\n"
        "anna@example.test;c-1;nl;service;contract;contract 123;;\n"
        "carl@example.test;;;;;;;\n",
    )
    summary = importer.import_file(world.controller, path, batch_size=2)
    assert {o.line: o.error.code for o in summary.errors} == {3: "invalid_email",
                                                               4: "evidence_required"}  # fmt: skip
    assert (summary.created, summary.updated, summary.unchanged) == (2, 1, 0)
    anna = subjects.by_email(world.controller, "anna@example.test")
    events = rules.in_order(db.session.scalars(select(Event).where(Event.subject_id == anna.id)))
    assert [(e.basis, e.evidence) for e in events] == [
        ("legitimate_interest", "order 19"),
        ("contract", "contract 123"),
    ]
    before = events_count()
    # The same file again: every committed batch is skipped.
    again = importer.import_file(world.controller, path, batch_size=2)
    assert again.skipped_batches == 3 and again.batches == 0
    # The same rows in another file: every row is seen and none changes anything.
    copy = write(tmp_path / "copy.csv", path.read_text() + "\n")
    third = importer.import_file(world.controller, copy, batch_size=10)
    assert (third.created, third.updated, third.unchanged) == (0, 0, 3)
    assert events_count() == before


def test_json_lines_file(world, tmp_path):
    lines = [
        json.dumps(CUSTOMER),
        "{not json",
        "",
        json.dumps({"email": "p@example.test", "bases": [
            {"purpose": "offers", "basis": "legitimate_interest", "evidence": "order 9",
             **SALE}]}),
    ]  # fmt: skip
    path = write(tmp_path / "contacts.jsonl", "\n".join(lines) + "\n")
    summary = importer.import_file(world.controller, path)
    assert [(o.line, o.error.code) for o in summary.errors] == [(2, "invalid_json")]
    assert summary.created == 2
    assert db.session.scalar(select(func.count(ImportBatch.id))) == 1


def test_csv_without_email_column_is_refused(world, tmp_path):
    path = write(tmp_path / "bad.csv", "name,phone\nAnna,123\n")
    with pytest.raises(importer.RowError):
        importer.import_file(world.controller, path)


def _run_import(database_url, path, *extra):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEYS": "test-secret-new,test-secret-old",
        "EMAIL_HASH_KEY": "test-email-hash-key",
        "PUBLIC_BASE_URL": "https://prefs.example.test",
    }
    env.pop("CONSENT_ENV", None)
    command = [sys.executable, "-m", "flask", "--app", "app", "consent", "import", str(path)]
    return subprocess.Popen(
        [*command, "--controller", "acme", *extra],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _committed():
    db.session.rollback()  # see what other connections committed since
    batches = db.session.execute(select(func.count(ImportBatch.id), func.sum(ImportBatch.rows)))
    count, rows = batches.one()
    return count, rows or 0


def test_killed_import_leaves_whole_batches_and_resumes(world, database_url, tmp_path):
    rows = 400
    path = tmp_path / "big.csv"
    with open(path, "w") as handle:
        handle.write("email,external_id,purpose,basis,evidence\n")
        for number in range(rows):
            handle.write(f"p{number}@example.test,crm-{number},service,contract,c {number}\n")
    process = _run_import(database_url, path, "--batch-size", "50", "--pause", "0.3")
    deadline = time.time() + 60
    while _committed()[0] < 2:
        assert process.poll() is None, process.communicate()
        assert time.time() < deadline, "the import did not commit two batches in time"
        time.sleep(0.05)
    time.sleep(0.35)  # into the next batch's transaction, most likely
    process.kill()
    process.communicate()
    batches, batch_rows = _committed()
    assert 2 <= batches < rows // 50
    # Only whole batches: every committed row, and nothing else, is in the database.
    assert db.session.scalar(select(func.count(Subject.id))) == batch_rows == batches * 50
    assert events_count() == batch_rows

    resumed = _run_import(database_url, path)
    out, err = resumed.communicate(timeout=120)
    assert resumed.returncode == 0, err
    assert f"{batches} batches already imported" in out
    assert "importing" in err  # the progress bar, on stderr
    assert _committed() == (rows // 50, rows)
    assert db.session.scalar(select(func.count(Subject.id))) == rows
    assert events_count() == rows


def test_nul_characters_are_invalid_rows(world, tmp_path):
    path = write(
        tmp_path / "nul.csv", "email,external_id\nnul@example.test,a\x00b\nok@example.test,c\n"
    )
    summary = importer.import_file(world.controller, path)
    assert [(o.line, o.error.code) for o in summary.errors] == [(2, "invalid_external_id")]
    assert summary.created == 1


def test_the_import_answers_why_an_assertion_is_refused(client, world, make):
    """Items 1, 2 and 4 at the import door: a row whose assertion is refused is not written
    at all, and its code says why."""
    said_no = make.subject(world.controller, email="no@example.test")
    make.record(said_no, "consent_refused", world.offers, channel="email")
    db.session.commit()
    offers = {"purpose": "offers", "basis": "legitimate_interest", "evidence": "order 1"}
    items = [
        {"email": "no@example.test", "bases": [{**offers, **SALE}]},
        {"email": "n1@example.test", "bases": [{**offers, "purpose": "newsletter", **SALE}]},
        {"email": "n2@example.test", "bases": [offers]},
        {"email": "n3@example.test",
         "bases": [{**offers, **SALE, "opt_out_offered_at": "2099-01-01T00:00:00Z"}]},
    ]  # fmt: skip
    response = client.post(
        "/api/v1/subjects", json={"subjects": items}, headers=world.auth("admin")
    )
    errors = {e["index"]: e["code"] for e in response.get_json()["errors"]}
    assert errors == {
        0: "standing_opt_out",
        1: "basis_not_allowed",
        2: "soft_opt_in_conditions",
        3: "invalid_opt_out_offered_at",
    }
    assert subjects.by_email(world.controller, "n1@example.test") is None


def test_consent_collected_elsewhere_is_recorded_now_with_when_it_was_given(world, tmp_path):
    """Item 16: decisions with given_at and the notice version shown; recorded now, the
    lifetime counted from given_at, no proof of the mailbox; re-importing changes nothing."""
    path = write(
        tmp_path / "consents.csv",
        "email,purpose,decision,channel,notice_version,given_at\n"
        "old@example.test,newsletter,given,email,1,2024-06-01T09:00:00Z\n"
        "recent@example.test,newsletter,given,email,1,2026-06-01T09:00:00Z\n"
        "bad@example.test,newsletter,given,email,7,2026-06-01T09:00:00Z\n",
    )
    summary = importer.import_file(world.controller, path)
    assert [(o.line, o.error.code) for o in summary.errors] == [(4, "unknown_notice")]
    old = subjects.by_email(world.controller, "old@example.test")
    [given] = db.session.scalars(select(Event).where(Event.subject_id == old.id)).all()
    assert given.given_at.isoformat() == "2024-06-01T09:00:00+00:00"
    assert given.occurred_at > given.given_at and given.mailbox_proof == "none"
    assert given.notice_version == 1 and given.source == "import"
    lapsed = db.session.get(State, (old.id, world.newsletter.id, "email"))
    assert lapsed.expires_at.isoformat().startswith("2026-06-01")  # P24M from given_at
    before = events_count()
    importer.import_file(world.controller, write(tmp_path / "again.csv", path.read_text() + "\n"))
    assert events_count() == before


def test_the_import_records_the_country_of_residence(client, world):
    answer = post(
        client,
        world,
        [{**CUSTOMER, "country": "no"}, {"email": "x@example.test", "country": "Norway"}],
    )
    assert [e["code"] for e in answer["errors"]] == ["invalid_country"]
    assert subjects.by_email(world.controller, "klant@example.test").country == "NO"


def test_the_sample_files_in_the_docs_import_and_make_links(runner, make, app):
    """The README's sample files stay true: every row of contacts.csv imports, and
    campaign.csv names the people it made."""

    controller = make.controller()
    make.purpose(controller, "newsletter")
    make.purpose(controller, "customer-marketing", basis="legitimate_interest")
    make.purpose(controller, "invoices", basis="legitimate_interest", category="service")
    db.session.commit()
    examples = ROOT / "docs" / "examples"
    imported = runner.invoke(
        args=["consent", "import", str(examples / "contacts.csv"), "--controller", "acme"]
    )
    assert imported.exit_code == 0, imported.output
    assert "4 rows: 3 created, 1 updated, 0 unchanged, 0 suppressed, 0 invalid" in imported.output
    assert subjects.by_email(controller, "kari.nordmann@example.no").country == "NO"
    links = runner.invoke(
        args=["consent", "links", str(examples / "campaign.csv"), "--controller", "acme"]
    )
    assert links.exit_code == 0 and "3 links made, 0 unknown subjects" in links.output
