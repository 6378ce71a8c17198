"""Proof bundles: receipts, the exact notice texts, chain verification, reachability over time."""

import hashlib
import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import jwt
import pytest
from sqlalchemy import text

from consent.core import api_keys, ledger, purposes
from consent.core.database import db
from consent.core.models import utcnow
from tests.support.factories import REPLAY

NEW_TEXTS = {
    "nl": ("Nieuwsbrief", "Wij sturen u elke maand onze nieuwsbrief met aanbiedingen."),
    "nb": ("Nyhetsbrev", "Vi sender deg nyhetsbrevet vårt hver måned."),
    "en": ("Newsletter", "We send you our monthly newsletter with offers."),
}


@pytest.fixture
def withdrawn(app, make):
    """Consent given to notice v1 in Dutch, notice v2 published since, then withdrawn."""
    controller = make.controller()
    newsletter = make.purpose(controller)
    make.purpose(controller, slug="service", basis="contract", category="service")
    subject = make.subject(controller)
    shown = next(n for n in newsletter.notices if n.locale == "nl")
    given_at = utcnow() - timedelta(days=30)
    ledger.record(
        subject,
        [
            ledger.Change(
                "consent_given",
                purpose=newsletter,
                channel="email",
                notice_version=shown.version,
                notice_hash=shown.text_hash,
                occurred_at=given_at,
            )
        ],
        source="preference_page",
        actor="subject",
        locale="nl",
        backdate_window=REPLAY,
    )
    purposes.publish_notice(newsletter, NEW_TEXTS)
    ledger.record(
        subject,
        [ledger.Change("consent_withdrawn", purpose=newsletter, channel="email")],
        source="one_click",
        actor="subject",
        locale="nl",
        backdate_window=REPLAY,
    )
    db.session.commit()
    _row, key = api_keys.create(controller, "auditor")
    db.session.commit()
    return controller, subject, {"Authorization": f"Bearer {key}"}


def get_proof(client, subject, headers, query="?purpose=newsletter"):
    return client.get(f"/api/v1/subjects/{subject.public_id}/proof{query}", headers=headers)


def test_withdrawn_consent_shows_withdrawal_and_the_agreed_text(withdrawn, client):
    controller, subject, headers = withdrawn
    response = get_proof(client, subject, headers)
    assert response.status_code == 200
    bundle = response.get_json()
    assert bundle["purpose"] == "newsletter"
    assert bundle["controller"]["name"] == "Acme B.V."
    assert bundle["controller"]["supervisory_authority"]["name"] == "Autoriteit Persoonsgegevens"
    assert [e["kind"] for e in bundle["events"]] == ["consent_given", "consent_withdrawn"]
    (notice,) = bundle["notices"]
    assert (notice["version"], notice["locale"]) == (1, "nl")
    assert notice["description"] == "Wij sturen u onze nieuwsbrief."
    assert (
        notice["hash"]
        == hashlib.sha256(
            b"Nieuwsbrief\n\nWij sturen u onze nieuwsbrief.\n\n"
            b"retention: Zolang dit doel het vraagt."
        ).hexdigest()
    )
    assert notice["hash"] == bundle["events"][0]["notice_hash"]
    assert notice["hash_verified"] and notice["events"][0]["recorded_with_event"]
    (purpose,) = bundle["purposes"]
    assert purpose["reachability"]["now"]["email"]["reachable"] is False
    assert purpose["reachability"]["now"]["email"]["reason"] == "withdrawn"
    changes = purpose["reachability"]["changes"]
    assert [c["kind"] for c in changes] == ["consent_given", "consent_withdrawn"]
    assert changes[0]["channels"]["email"]["reachable"] is True
    assert changes[1]["channels"]["email"]["reason"] == "withdrawn"
    assert purpose["bases"] == [
        {"basis": "consent", "from": bundle["events"][0]["occurred_at"], "to": None}
    ]
    assert bundle["chain"]["intact"] and bundle["chain"]["state_matches_ledger"]
    assert len(bundle["receipts"]) == 2
    assert all(r["signature_valid"] and r["events_match_ledger"] for r in bundle["receipts"])


def test_bundle_is_verifiable_without_our_database(withdrawn, client):
    _controller, subject, headers = withdrawn
    bundle = get_proof(client, subject, headers, "").get_json()
    keys = jwt.PyJWKSet.from_dict(bundle["verification"]["jwks"])
    for receipt in bundle["receipts"]:
        kid = jwt.get_unverified_header(receipt["jws"])["kid"]
        key = next(k for k in keys.keys if k.key_id == kid)
        assert jwt.decode(receipt["jws"], key, algorithms=["EdDSA"]) == receipt["payload"]
    links = bundle["chain"]["links"]
    for event in bundle["events"]:
        assert hashlib.sha256(event["canonical"].encode()).hexdigest() == event["hash"]
        canonical = json.loads(event["canonical"])
        assert canonical["prev_hash"] == event["prev_hash"]
        assert canonical["kind"] == event["kind"]
    for before, after in zip(links, links[1:], strict=False):
        assert after["prev_hash"] == before["hash"]
    assert links[-1]["hash"] == bundle["chain"]["head"]
    assert {p["slug"] for p in bundle["purposes"]} == {"newsletter", "service"}


def test_purpose_never_had_gives_an_empty_honest_answer(withdrawn, client):
    _controller, subject, headers = withdrawn
    response = get_proof(client, subject, headers, "?purpose=service")
    assert response.status_code == 200
    bundle = response.get_json()
    assert bundle["events"] == [] and bundle["receipts"] == [] and bundle["notices"] == []
    (purpose,) = bundle["purposes"]
    assert purpose["bases"] == [] and purpose["reachability"]["changes"] == []
    assert purpose["reachability"]["now"]["email"] == {
        "reachable": False,
        "basis": "contract",
        "reason": "basis_not_asserted",
        "event_id": None,
        "expires_at": None,
    }
    assert bundle["chain"]["intact"] and bundle["chain"]["length"] == 2


def test_a_changed_row_shows_up_as_a_broken_chain(insider, withdrawn, client):
    _controller, subject, headers = withdrawn
    first = ledger.events_of(subject)[0]
    db.session.execute(text("UPDATE events SET channel = NULL WHERE id = :id"), {"id": first.id})
    db.session.commit()
    db.session.expire_all()
    bundle = get_proof(client, subject, headers).get_json()
    assert bundle["chain"]["intact"] is False
    assert any("hash mismatch" in p for p in bundle["chain"]["problems"])


def test_proof_bad_requests(withdrawn, client, make):
    controller, subject, headers = withdrawn
    assert get_proof(client, subject, {}).status_code == 401
    unknown = client.get("/api/v1/subjects/nobody/proof", headers=headers)
    assert unknown.status_code == 404 and unknown.get_json()["error"]["code"] == "unknown_subject"
    no_purpose = get_proof(client, subject, headers, "?purpose=nonsense")
    assert no_purpose.status_code == 404
    assert no_purpose.get_json()["error"]["code"] == "unknown_purpose"
    bad_format = get_proof(client, subject, headers, "?format=pdf")
    assert bad_format.status_code == 400 and "error" in bad_format.get_json()
    other = make.controller(slug="other")
    _row, key = api_keys.create(other, "auditor")
    db.session.commit()
    foreign = get_proof(client, subject, {"Authorization": f"Bearer {key}"})
    assert foreign.status_code == 404


def test_printable_proof_page(withdrawn, client):
    _controller, subject, headers = withdrawn
    page = get_proof(client, subject, headers, "?purpose=newsletter&format=html&lang=en")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "Wij sturen u onze nieuwsbrief." in html
    assert "consent_withdrawn" in html and "Acme B.V." in html
    assert "The hash chain of 2 events is intact" in html


def test_cli_proof(withdrawn, runner):
    _controller, subject, _headers = withdrawn
    result = runner.invoke(
        args=[
            "consent",
            "proof",
            subject.public_id,
            "--controller",
            "acme",
            "--purpose",
            "newsletter",
        ]
    )
    assert result.exit_code == 0, result.output
    bundle = json.loads(result.output)
    assert [e["kind"] for e in bundle["events"]] == ["consent_given", "consent_withdrawn"]
    assert bundle["notices"][0]["title"] == "Nieuwsbrief"
    missing = runner.invoke(
        args=[
            "consent",
            "proof",
            subject.public_id,
            "--controller",
            "acme",
            "--purpose",
            "nonsense",
        ]
    )
    assert missing.exit_code == 2 and "no purpose" in missing.output


SCRIPT = Path(__file__).resolve().parent.parent / "docs" / "verify_receipt.py"


def run_script(*args, cwd):
    return subprocess.run(
        [sys.executable, "-I", str(SCRIPT), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_standalone_script_verifies_receipts_and_bundles(withdrawn, client, tmp_path):
    assert "consent" not in {
        line.split()[1].split(".")[0]
        for line in SCRIPT.read_text().splitlines()
        if line.startswith(("import ", "from "))
    }
    _controller, subject, headers = withdrawn
    bundle = get_proof(client, subject, headers, "").get_json()
    (tmp_path / "bundle.json").write_text(json.dumps(bundle))
    (tmp_path / "jwks.json").write_text(client.get("/.well-known/jwks.json").get_data(as_text=True))
    jws = bundle["receipts"][0]["jws"]
    (tmp_path / "receipt.jws").write_text(jws)
    ok = run_script("receipt.jws", "--jwks", "jwks.json", cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout) == bundle["receipts"][0]["payload"]
    head, body, signature = jws.split(".")
    middle = len(signature) // 2
    flipped = (
        signature[:middle] + ("A" if signature[middle] != "A" else "B") + signature[middle + 1 :]
    )
    (tmp_path / "tampered.jws").write_text(f"{head}.{body}.{flipped}")
    bad = run_script("tampered.jws", "--jwks", "jwks.json", cwd=tmp_path)
    assert bad.returncode == 1 and "INVALID" in bad.stdout
    proof_ok = run_script("--proof", "bundle.json", cwd=tmp_path)
    assert proof_ok.returncode == 0 and "all verified" in proof_ok.stdout, proof_ok.stdout
    bundle["notices"][0]["description"] = "We never send anything."
    bundle["events"][0]["kind"] = "consent_refused"
    (tmp_path / "edited.json").write_text(json.dumps(bundle))
    edited = run_script("--proof", "edited.json", cwd=tmp_path)
    assert edited.returncode == 1
    assert "notice newsletter v1: hash mismatch" in edited.stdout
    assert "kind differs from the hashed text" in edited.stdout


def test_consent_without_a_named_notice_points_at_the_one_published(app, make, client):
    controller = make.controller()
    newsletter = make.purpose(controller)
    subject = make.subject(controller)
    make.record(subject, "consent_given", newsletter, source="import")
    purposes.publish_notice(newsletter, NEW_TEXTS)
    _row, key = api_keys.create(controller, "auditor")
    db.session.commit()
    bundle = get_proof(client, subject, {"Authorization": f"Bearer {key}"}).get_json()
    (notice,) = bundle["notices"]
    assert notice["version"] == 1 and notice["locale"] == "nl"
    assert notice["events"][0]["recorded_with_event"] is False


def test_a_marketing_objection_is_among_the_changes_of_a_purpose_serving_marketing(make):
    """An objection to direct marketing stops a purpose that serves it (profiling for ads):
    its proof lists that objection among what changed its reachability."""
    from consent.core import proof, rules
    from tests.support.pages import world

    c, s, p = world(make)
    profile = p["profile"]
    profile.marketing_related = True
    purposes.record_settings(profile, utcnow())
    make.record(s, "objection_recorded", scope="direct_marketing", source="one_click")
    db.session.commit()
    ordered = rules.in_order(ledger.events_of(s))
    answer = proof.reachability(profile, ordered, utcnow())
    kinds = [change["kind"] for change in answer["changes"]]
    assert kinds[-1] == "objection_recorded"
    assert not rules.standing(profile, None, ordered).reachable
