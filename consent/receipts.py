"""Consent receipts: Kantara CR v1.1 with ISO/IEC TS 27560 additions, signed as Ed25519 JWS.

Signing keys are derived from SECRET_KEYS (newest signs, all are published in the JWKS),
so rotating the secret rotates the receipt key without orphaning old receipts.
"""

import base64
import hashlib
import hmac
import json

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from flask import current_app
from sqlalchemy import select

from .extensions import db
from .models import Notice, Receipt
from .vocabulary import DPV_BASIS, DPV_STATE, gdpr_iri

KANTARA_VERSION = "KI-CR-v1.1.0"
COLLECTION_METHODS = {
    "preference_page": "Preference page opened from a signed link in an email",
    "one_click": "One-click unsubscribe (RFC 8058) from a signed link in an email",
    "widget": "Consent widget embedded in a web form",
    "api": "Recorded through the API by the controller",
    "import": "Imported from the controller's records",
    "console": "Recorded by staff in the console",
    "retention": "Applied automatically by the retention rules",
    "gpc": "Global Privacy Control signal sent by the browser",
}


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class SigningKey:
    """An Ed25519 key pair with its RFC 7638 thumbprint as key id."""

    def __init__(self, secret: str):
        seed = hmac.new(secret.encode(), b"consent-receipt-signing-v1", hashlib.sha256).digest()
        self.private = Ed25519PrivateKey.from_private_bytes(seed)
        raw = self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.x = _b64url(raw)
        thumbprint_input = json.dumps(
            {"crv": "Ed25519", "kty": "OKP", "x": self.x}, separators=(",", ":"), sort_keys=True
        )
        self.kid = _b64url(hashlib.sha256(thumbprint_input.encode()).digest())

    @property
    def jwk(self) -> dict:
        return {"kty": "OKP", "crv": "Ed25519", "x": self.x, "kid": self.kid, "alg": "EdDSA", "use": "sig"}


def signing_keys() -> list[SigningKey]:
    cache = current_app.extensions.setdefault("receipt_keys", {})
    secrets_ = tuple(current_app.config["SECRET_KEYS"])
    if secrets_ not in cache:
        cache[secrets_] = [SigningKey(secret) for secret in secrets_]
    return cache[secrets_]


def jwks() -> dict:
    return {"keys": [key.jwk for key in signing_keys()]}


def sign(payload: dict) -> str:
    key = signing_keys()[0]
    return jwt.encode(payload, key.private, algorithm="EdDSA", headers={"kid": key.kid})


def _notices(events, locale) -> dict[tuple[int, int], Notice]:
    purpose_ids = {e.purpose_id for e in events if e.purpose_id}
    if not purpose_ids:
        return {}
    rows = db.session.scalars(select(Notice).where(Notice.purpose_id.in_(purpose_ids)))
    found: dict[tuple[int, int], Notice] = {}
    for notice in rows:
        key = (notice.purpose_id, notice.version)
        if notice.locale == locale or key not in found:
            found[key] = notice
    return found


def _notice_for(notices, purpose, version):
    if version is not None and (purpose.id, version) in notices:
        return notices[(purpose.id, version)]
    candidates = [n for (pid, _), n in notices.items() if pid == purpose.id]
    return max(candidates, key=lambda n: n.version, default=None)


def _purpose_entry(event, notice) -> dict:
    purpose = event.purpose
    basis = event.basis or purpose.basis
    entry = {
        "purpose": notice.title if notice else purpose.slug,
        "purposeCategory": [purpose.category],
        "consentType": "EXPLICIT" if basis == "consent" else "N/A",
        "piiCategory": list(purpose.pii_categories or ["Contact"]),
        "primaryPurpose": purpose.category != "direct_marketing",
        "termination": purpose.retention or purpose.consent_lifetime or "N/A",
        "thirdPartyDisclosure": bool(purpose.third_parties),
        "purposeSlug": purpose.slug,
        "channel": event.channel,
        "event": event.kind,
        "lawfulBasis": DPV_BASIS[basis],
        "gdprArticle": gdpr_iri(basis),
        "noticeVersion": event.notice_version or (notice.version if notice else None),
        "noticeHash": event.notice_hash or (notice.text_hash if notice else None),
    }
    if event.kind in DPV_STATE:
        entry["consentState"] = DPV_STATE[event.kind]
    if purpose.third_parties:
        entry["thirdPartyName"] = ", ".join(purpose.third_parties)
    return entry


def build(controller, subject, events, receipt_id, source, locale) -> dict:
    """The receipt payload for one interaction."""
    notices = _notices(events, locale or controller.default_locale)
    purposes = [
        _purpose_entry(e, _notice_for(notices, e.purpose, e.notice_version))
        for e in events
        if e.purpose is not None
    ]
    return {
        "version": KANTARA_VERSION,
        "jurisdiction": controller.jurisdiction,
        "consentTimestamp": int(events[-1].recorded_at.timestamp()),
        "collectionMethod": COLLECTION_METHODS[source],
        "collectionSource": source,
        "consentReceiptID": receipt_id,
        "publicKey": signing_keys()[0].x,
        "language": locale or controller.default_locale,
        "piiPrincipalId": subject.public_id,
        "piiControllers": [
            {
                "piiController": controller.name,
                "contact": "Data Protection Officer",
                "address": controller.address or {},
                "email": controller.dpo_email,
                "phone": controller.phone or "",
                "piiControllerUrl": controller.policy_url,
            }
        ],
        "policyUrl": controller.policy_url,
        "policyVersion": controller.policy_version,
        "services": [{"service": controller.name, "purposes": purposes}],
        "sensitive": False,
        "spiCat": [],
        "events": [
            {
                "id": e.id,
                "kind": e.kind,
                "scope": e.scope,
                "channel": e.channel,
                "occurred_at": e.occurred_at.isoformat(),
                "hash": e.hash,
                "prev_hash": e.prev_hash,
            }
            for e in events
        ],
    }


def issue(controller, subject, events, receipt_id, source, locale) -> Receipt:
    payload = build(controller, subject, events, receipt_id, source, locale)
    receipt = Receipt(
        id=receipt_id,
        controller_id=controller.id,
        subject_id=subject.id,
        created_at=events[-1].recorded_at,
        payload=payload,
        jws=sign(payload),
    )
    db.session.add(receipt)
    return receipt
