"""Receipts: Kantara v1.1 valid, signed with Ed25519, verifiable with the JWKS, shown by link."""

import base64
import json
from datetime import timedelta
from pathlib import Path

import jsonschema
import jwt
import pytest
from sqlalchemy import text

from consent.core import ledger, purposes, receipts, signed_links, signing, subjects
from consent.core.database import db
from consent.core.models import Event, Receipt, utcnow
from tests.support.factories import REPLAY, RETENTION

STANDARDS = Path(__file__).resolve().parent / "data"
SCHEMA = json.loads((STANDARDS / "kantara-consent-receipt-v1_1-schema.json").read_text())

PARTNER_TEXTS = {
    "nl": ("Partneraanbiedingen", "Wij delen uw adres met onze partners."),
    "nb": ("Partnertilbud", "Vi deler adressen din med partnerne våre."),
    "en": ("Partner offers", "We share your address with our partners."),
}


@pytest.fixture
def world(app, make):
    controller = make.controller()
    newsletter = make.purpose(controller, consent_lifetime="P24M")
    partners = make.purpose(
        controller,
        slug="partners",
        texts=PARTNER_TEXTS,
        third_parties=["Partner Events B.V."],
        pii_categories=["Contact", "Company"],
    )
    subject = make.subject(controller)
    db.session.commit()
    return controller, newsletter, partners, subject


def notice_of(purpose, locale="nl", version=1):
    return next(n for n in purpose.notices if n.locale == locale and n.version == version)


def give(subject, purpose, locale="nl", source="preference_page"):
    notice = notice_of(purpose, locale)
    receipt = ledger.record(
        subject,
        [
            ledger.Change(
                "consent_given",
                purpose=purpose,
                channel="email",
                notice_version=notice.version,
                notice_hash=notice.text_hash,
            )
        ],
        source=source,
        actor="subject",
        locale=locale,
    )
    db.session.commit()
    return receipt


def keyset(client):
    response = client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    return jwt.PyJWKSet.from_dict(response.get_json())


def decode(jws, jwks):
    kid = jwt.get_unverified_header(jws)["kid"]
    key = next(k for k in jwks.keys if k.key_id == kid)
    return jwt.decode(jws, key, algorithms=["EdDSA"])


def test_receipt_verifies_with_the_published_jwks(world, client):
    controller, newsletter, _partners, subject = world
    receipt = give(subject, newsletter)
    header = jwt.get_unverified_header(receipt.jws)
    assert header["alg"] == "EdDSA" and header["kid"]
    payload = decode(receipt.jws, keyset(client))
    assert payload == receipt.payload
    assert payload["consentReceiptID"] == receipt.id
    assert db.session.get(Receipt, receipt.id).jws == receipt.jws
    jwk = next(
        k
        for k in client.get("/.well-known/jwks.json").get_json()["keys"]
        if k["kid"] == header["kid"]
    )
    assert jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519" and "d" not in jwk


def test_the_row_keeps_the_payload_once_and_the_jws_without_it(world, client):
    """The receipt's JSON is stored once: the row's JWS is detached (RFC 7515 Appendix F),
    and the whole JWS, rebuilt from the row's payload, verifies; an edited payload does not."""
    _controller, newsletter, _partners, subject = world
    receipt = give(subject, newsletter, locale="nb")
    db.session.expire_all()
    stored = db.session.execute(
        text("SELECT jws FROM receipts WHERE id = :id"), {"id": receipt.id}
    ).scalar_one()
    header, body, signature = stored.split(".")
    assert header and body == "" and signature
    read_back = db.session.get(Receipt, receipt.id)
    assert receipts.verify(read_back.jws) == read_back.payload
    assert read_back.jws.startswith(f"{header}.") and read_back.jws.endswith(f".{signature}")
    if db.engine.dialect.name == "postgresql":  # a json column keeps the text it was given
        payload_text = db.session.execute(
            text("SELECT payload::text FROM receipts WHERE id = :id"), {"id": receipt.id}
        ).scalar_one()
        assert payload_text.encode() == signing.serialise(read_back.payload)  # as signed
    edited = dict(read_back.payload, piiPrincipalId="someone-else")
    with pytest.raises(receipts.InvalidReceipt):
        receipts.verify(signing.attached(stored, edited))


def _flip(text: str, index: int) -> str:
    replacement = "A" if text[index] != "A" else "B"
    return text[:index] + replacement + text[index + 1 :]


def test_one_changed_byte_breaks_the_signature(world, client):
    _controller, newsletter, _partners, subject = world
    receipt = give(subject, newsletter)
    jwks = keyset(client)
    header, body, signature = receipt.jws.split(".")
    for tampered in (
        f"{header}.{body}.{_flip(signature, len(signature) // 2)}",
        f"{header}.{_flip(body, len(body) // 2)}.{signature}",
    ):
        with pytest.raises(jwt.InvalidTokenError):
            decode(tampered, jwks)
    # a meaningful edit, re-encoded cleanly, fails on the signature itself
    claims = dict(receipt.payload, piiPrincipalId="someone-else")
    forged_body = (
        base64.urlsafe_b64encode(json.dumps(claims, separators=(",", ":")).encode())
        .rstrip(b"=")
        .decode()
    )
    with pytest.raises(jwt.InvalidSignatureError):
        decode(f"{header}.{forged_body}.{signature}", jwks)
    with pytest.raises(receipts.InvalidReceipt):
        receipts.verify(f"{header}.{forged_body}.{signature}")
    assert receipts.verify(receipt.jws) == receipt.payload


def test_every_kind_of_receipt_is_valid_kantara(world, make):
    controller, newsletter, partners, subject = world
    issued = [give(subject, newsletter), give(subject, partners, locale="en")]
    issued.append(make.record(subject, "objection_recorded", scope="direct_marketing"))
    issued.append(make.record(subject, "restriction_started"))
    issued.append(make.record(subject, "consent_withdrawn", partners, channel="email"))
    issued.append(subjects.erase(subject, source="api", actor="dpo"))
    db.session.commit()
    validator = jsonschema.Draft4Validator(SCHEMA)
    for receipt in issued:
        validator.validate(receipt.payload)
        assert receipt.payload["version"] == "KI-CR-v1.1.0"
        assert isinstance(receipt.payload["consentTimestamp"], int)
        for entry in receipt.payload["services"][0]["purposes"]:
            assert isinstance(entry["purpose"], str) and entry["purpose"]
    assert issued[-1].payload["services"][0]["purposes"] == []
    assert [e["kind"] for e in issued[-1].payload["events"]] == ["erasure_completed"]


def test_purpose_text_and_iso_27560_additions(world):
    controller, newsletter, partners, subject = world
    receipt = ledger.record(
        subject,
        [
            ledger.Change(
                "consent_given",
                purpose=newsletter,
                channel="email",
                notice_version=1,
                notice_hash=notice_of(newsletter, "nb").text_hash,
            ),
            ledger.Change(
                "consent_refused",
                purpose=partners,
                notice_version=1,
                notice_hash=notice_of(partners, "nb").text_hash,
            ),
        ],
        source="widget",
        actor="subject",
        locale="nb",
    )
    db.session.commit()
    payload = receipt.payload
    assert payload["language"] == "nb"
    assert payload["collectionSource"] == "widget"
    assert payload["jwksUri"] == "https://prefs.example.test/.well-known/jwks.json"
    assert payload["piiControllers"][0]["piiController"] == "Acme B.V."
    first, second = payload["services"][0]["purposes"]
    assert first["purpose"] == "Nyhetsbrev"
    assert first["purposeDescription"] == "Vi sender deg nyhetsbrevet vårt."
    assert first["noticeVersion"] == 1 and first["noticeLocale"] == "nb"
    shown = {"retention": RETENTION["nb"]}
    assert first["noticeHash"] == purposes.notice_hash(
        "Nyhetsbrev", first["purposeDescription"], shown
    )
    assert first["lawfulBasis"] == "https://w3id.org/dpv#Consent"
    assert first["gdprArticle"] == "https://w3id.org/dpv/legal/eu/gdpr#A6-1-a"
    assert first["consentState"] == "https://w3id.org/dpv#ConsentGiven"
    assert first["consentType"] == "EXPLICIT" and first["termination"] == "P24M"
    assert second["purpose"] == "Partnertilbud"
    assert second["consentState"] == "https://w3id.org/dpv#ConsentRefused"
    assert second["thirdPartyDisclosure"] is True
    assert second["thirdPartyName"] == "Partner Events B.V."
    stored = {e.id: e for e in db.session.query(Event).filter_by(receipt_id=receipt.id)}
    assert len(stored) == 2 and len(payload["events"]) == 2
    for listed in payload["events"]:
        assert stored[listed["id"]].hash == listed["hash"]
        assert stored[listed["id"]].prev_hash == listed["prev_hash"]
    assert {first["eventId"], second["eventId"]} == set(stored)


def test_a_marketing_objection_lists_every_marketing_purpose(world, make):
    controller, newsletter, partners, subject = world
    make.purpose(controller, slug="support", basis="contract", category="support")
    receipt = make.record(subject, "objection_recorded", scope="direct_marketing")
    entries = receipt.payload["services"][0]["purposes"]
    assert sorted(e["purposeSlug"] for e in entries) == ["newsletter", "partners"]
    assert all(e["consentState"].endswith("#LegitimateInterestObjected") for e in entries)
    assert all(e["scope"] == "direct_marketing" and e["noticeRecorded"] is False for e in entries)


def test_rotation_keeps_old_receipts_verifiable(world, app, client):
    _controller, newsletter, partners, subject = world
    old = give(subject, newsletter)
    old_kid = jwt.get_unverified_header(old.jws)["kid"]
    app.config["RECEIPT_SIGNING_KEYS"] = ["receipt-key-2027", "test-secret-new"]
    new = give(subject, partners)
    new_kid = jwt.get_unverified_header(new.jws)["kid"]
    assert new_kid != old_kid
    jwks = keyset(client)
    assert decode(old.jws, jwks) == old.payload and decode(new.jws, jwks) == new.payload
    # the old private key is destroyed; its public key stays published
    retired = receipts.SigningKey("test-secret-new").jwk
    app.config["RECEIPT_SIGNING_KEYS"] = ["receipt-key-2027"]
    app.config["RECEIPT_PUBLIC_KEYS"] = [retired]
    published = {k["kid"] for k in client.get("/.well-known/jwks.json").get_json()["keys"]}
    checkpoint_kid = signing.signing_keys(signing.CHECKPOINT)[0].kid
    assert published == {old_kid, new_kid, checkpoint_kid}
    assert decode(old.jws, keyset(client)) == old.payload
    app.config["RECEIPT_PUBLIC_KEYS"] = []
    with pytest.raises(receipts.InvalidReceipt):
        receipts.verify(old.jws)


def test_pem_key_material_from_configuration(world, app, client):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
    )

    pem = (
        Ed25519PrivateKey.generate()
        .private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        .decode()
    )
    app.config["RECEIPT_SIGNING_KEYS"] = pem
    _controller, newsletter, _partners, subject = world
    receipt = give(subject, newsletter)
    assert jwt.get_unverified_header(receipt.jws)["kid"] == receipts.SigningKey(pem).kid
    assert decode(receipt.jws, keyset(client)) == receipt.payload


def receipt_url(controller, subject, receipt, locale=None):
    return receipts.url(receipt, controller, subject, locale).removeprefix(
        "https://prefs.example.test"
    )


def test_receipt_page_in_the_persons_language(world, client):
    controller, newsletter, _partners, subject = world
    receipt = give(subject, newsletter, locale="nl")
    page = client.get(receipt_url(controller, subject, receipt, locale="nb"))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'lang="nb"' in html
    assert "Nyhetsbrev" in html and receipt.id in html
    assert "noindex" in page.headers["X-Robots-Tag"]
    english = client.get(receipt_url(controller, subject, receipt) + "?lang=en")
    assert "Newsletter" in english.get_data(as_text=True)
    jws = client.get(receipt_url(controller, subject, receipt) + "?format=jws")
    assert jws.status_code == 200 and jws.get_data(as_text=True) == receipt.jws


def test_receipt_page_needs_a_valid_link_for_that_receipt(world, client, make):
    controller, newsletter, _partners, subject = world
    receipt = give(subject, newsletter)
    assert client.get(f"/receipts/{receipt.id}").status_code == 404
    good = receipt_url(controller, subject, receipt)
    assert client.get(good[:-3] + "xyz").status_code == 404
    other = make.subject(controller, email="bob@example.test")
    db.session.commit()
    foreign = signed_links.make(
        signed_links.Link(controller.slug, other.public_id, purposes=(), extra=receipt.id),
        "receipt",
    )
    assert client.get(f"/receipts/{foreign}").status_code == 404
    unsubscribe = signed_links.make(
        signed_links.Link(controller.slug, subject.public_id, purposes=(), extra=receipt.id),
        "unsubscribe",
    )
    assert client.get(f"/receipts/{unsubscribe}").status_code == 404
    elsewhere = make.controller(slug="other")
    db.session.commit()
    wrong_controller = signed_links.make(
        signed_links.Link(elsewhere.slug, subject.public_id, purposes=(), extra=receipt.id),
        "receipt",
    )
    assert client.get(f"/receipts/{wrong_controller}").status_code == 404


def test_backdated_import_keeps_its_own_time(world):
    _controller, newsletter, _partners, subject = world
    then = utcnow() - timedelta(days=400)
    receipt = ledger.record(
        subject,
        [ledger.Change("consent_given", purpose=newsletter, occurred_at=then)],
        source="import",
        actor="crm",
        backdate_window=REPLAY,
    )
    db.session.commit()
    (listed,) = receipt.payload["events"]
    assert listed["occurred_at"] == then.isoformat()
    (entry,) = receipt.payload["services"][0]["purposes"]
    assert entry["noticeRecorded"] is False and entry["noticeVersion"] == 1
