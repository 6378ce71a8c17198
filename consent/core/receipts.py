"""Consent receipts: Kantara CR v1.1 with ISO/IEC TS 27560 additions, signed as Ed25519 JWS."""

import base64
import hashlib
import hmac
import json

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_pem_private_key,
)
from flask import current_app
from sqlalchemy import select

from consent.core import rules, signed_links
from consent.core.database import db
from consent.core.models import Event, Notice, Receipt
from consent.core.vocabulary import DIRECT_MARKETING, DPV_BASIS, DPV_STATE, gdpr_iri

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


class InvalidReceipt(ValueError):
    """A JWS that does not verify against any published key."""


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def thumbprint(x: str) -> str:
    """RFC 7638 thumbprint of an Ed25519 public key, used as its key id."""
    members = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": x}, separators=(",", ":"))
    return _b64url(hashlib.sha256(members.encode()).digest())


def public_jwk(x: str, kid: str | None = None) -> dict:
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": x,
        "kid": kid or thumbprint(x),
        "alg": "EdDSA",
        "use": "sig",
    }


class SigningKey:
    """An Ed25519 key pair from a PEM private key or, for any other text, derived from it."""

    def __init__(self, material: str):
        if material.lstrip().startswith("-----BEGIN"):
            private = load_pem_private_key(material.strip().encode(), password=None)
            if not isinstance(private, Ed25519PrivateKey):
                raise ValueError("receipt signing keys must be Ed25519")
            self.private = private
        else:
            seed = hmac.new(material.encode(), b"consent-receipt-signing-v1", hashlib.sha256)
            self.private = Ed25519PrivateKey.from_private_bytes(seed.digest())
        raw = self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.x = _b64url(raw)
        self.kid = thumbprint(self.x)

    @property
    def jwk(self) -> dict:
        return public_jwk(self.x, self.kid)


def _configured(name: str) -> tuple:
    """A list setting as a hashable tuple; a string is one PEM or JWK, or a comma-separated list."""
    value = current_app.config.get(name) or ()
    if isinstance(value, str):
        single = "-----BEGIN" in value or value.lstrip().startswith("{")
        value = [value] if single else value.split(",")
    items = (json.dumps(v, sort_keys=True) if isinstance(v, dict) else v.strip() for v in value)
    return tuple(item for item in items if item)


def signing_keys() -> list[SigningKey]:
    """Newest first: the first signs, all are published.

    RECEIPT_SIGNING_KEYS holds Ed25519 private keys as PEM, or secrets a key is derived
    from; without it the keys are derived from SECRET_KEYS. RECEIPT_PUBLIC_KEYS holds the
    public JWKs of retired keys, so a receipt signed years ago still verifies after its
    private key (or the link secret it came from) has been destroyed.
    """
    material = _configured("RECEIPT_SIGNING_KEYS") or tuple(current_app.config["SECRET_KEYS"])
    cache = current_app.extensions.setdefault("receipt_keys", {})
    if material not in cache:
        cache[material] = [SigningKey(item) for item in material]
    return cache[material]


def _retired_keys() -> list[dict]:
    keys = []
    for item in _configured("RECEIPT_PUBLIC_KEYS"):
        jwk = json.loads(item) if item.startswith("{") else public_jwk(item)
        keys.append(public_jwk(jwk["x"], jwk.get("kid")))
    return keys


def jwks() -> dict:
    """Every key a receipt may have been signed with: current ones and retired ones."""
    keys = [key.jwk for key in signing_keys()]
    seen = {key["kid"] for key in keys}
    keys += [key for key in _retired_keys() if key["kid"] not in seen]
    return {"keys": keys}


def sign(payload: dict) -> str:
    key = signing_keys()[0]
    return jwt.encode(payload, key.private, algorithm="EdDSA", headers={"kid": key.kid})


def verify(jws: str, keyset: dict | None = None) -> dict:
    """The payload of a receipt JWS that verifies against the JWKS; InvalidReceipt if not."""
    try:
        kid = jwt.get_unverified_header(jws).get("kid")
        keys = jwt.PyJWKSet.from_dict(keyset or jwks())
        key = next((k for k in keys.keys if k.key_id == kid), None)
        if key is None:
            raise InvalidReceipt(f"no published key with kid {kid!r}")
        return jwt.decode(jws, key, algorithms=["EdDSA"])
    except jwt.PyJWTError as error:
        raise InvalidReceipt(str(error)) from error


def url(receipt: Receipt, controller, subject, locale: str | None = None) -> str:
    """The signed link under which the person sees this receipt."""
    # A receipt link is about no purpose, so it names none (and "every purpose" is moot).
    link = signed_links.Link(
        controller.slug, subject.public_id, purposes=(), locale=locale, extra=receipt.id
    )
    return signed_links.url(link, "receipt")


def find_notice(notices, purpose_id: int, version, text_hash=None, locale=None):
    """The notice row a record points at: by hash first (it names the locale), then locale."""
    rows = [n for n in notices if n.purpose_id == purpose_id]
    if version is None:
        version = max((n.version for n in rows), default=None)
    rows = [n for n in rows if n.version == version]
    for test in (lambda n: n.text_hash == text_hash, lambda n: n.locale == locale):
        for notice in rows:
            if test(notice):
                return notice
    return rows[0] if rows else None


def _third_party_names(purpose) -> str:
    return ", ".join(
        p.get("name", "") if isinstance(p, dict) else str(p) for p in purpose.third_parties or ()
    )


def _purpose_entry(event, purpose, basis, notice) -> dict:
    entry = {
        "purpose": notice.title if notice else purpose.slug,
        "purposeDescription": notice.description if notice else "",
        "purposeCategory": [purpose.category],
        "consentType": "EXPLICIT" if basis == "consent" else "N/A",
        "piiCategory": list(purpose.pii_categories or ["Contact"]),
        "primaryPurpose": purpose.category != DIRECT_MARKETING,
        "termination": purpose.retention or purpose.consent_lifetime or "N/A",
        "thirdPartyDisclosure": bool(purpose.third_parties),
        "purposeSlug": purpose.slug,
        "scope": event.scope,
        "channel": event.channel,
        "event": event.kind,
        "eventId": event.id,
        "lawfulBasis": DPV_BASIS[basis],
        "gdprArticle": gdpr_iri(basis),
        "noticeVersion": event.notice_version or (notice.version if notice else None),
        "noticeLocale": notice.locale if notice else None,
        "noticeHash": event.notice_hash or (notice.text_hash if notice else None),
        # False when the caller named no notice version: then it is the one published then.
        "noticeRecorded": event.notice_version is not None,
    }
    if event.kind in DPV_STATE:
        entry["consentState"] = DPV_STATE[event.kind]
    if purpose.third_parties:
        entry["thirdPartyName"] = _third_party_names(purpose)
    return entry


def _entries(controller, subject, events, locale) -> list[dict]:
    """One purpose entry per event and purpose it is about; a marketing objection covers all."""
    purposes = {p.id: p for p in controller.purposes}
    about = []
    for event in events:
        if event.purpose_id is not None:
            about.append((event, purposes[event.purpose_id], event.basis))
        elif event.scope == DIRECT_MARKETING:
            history = rules.in_order(
                db.session.scalars(select(Event).where(Event.subject_id == subject.id))
            )
            about += [
                (event, p, rules.basis_in_force(p, history))
                for p in purposes.values()
                if p.category == DIRECT_MARKETING
            ]
    if not about:
        return []
    notices = list(
        db.session.scalars(select(Notice).where(Notice.purpose_id.in_({p.id for _, p, _ in about})))
    )
    entries = []
    for event, purpose, basis in about:
        notice = find_notice(
            notices, purpose.id, event.notice_version, event.notice_hash, event.locale or locale
        )
        entries.append(_purpose_entry(event, purpose, basis or purpose.basis, notice))
    return entries


def build(controller, subject, events, receipt_id, source, locale) -> dict:
    """The receipt payload for one interaction."""
    locale = locale or subject.locale or controller.default_locale
    base_url = current_app.config["PUBLIC_BASE_URL"]
    slugs = {p.id: p.slug for p in controller.purposes}
    return {
        "version": KANTARA_VERSION,
        "jurisdiction": controller.jurisdiction,
        "consentTimestamp": int(events[-1].recorded_at.timestamp()),
        "collectionMethod": COLLECTION_METHODS[source],
        "collectionSource": source,
        "consentReceiptID": receipt_id,
        "publicKey": signing_keys()[0].x,
        "jwksUri": f"{base_url}/.well-known/jwks.json",
        "language": locale,
        "piiPrincipalId": subject.public_id,
        "piiControllers": [
            {
                "piiController": controller.name,
                "onBehalf": False,
                "contact": "Data Protection Officer",
                "address": controller.address or {},
                "email": controller.dpo_email,
                "phone": controller.phone or "",
                "piiControllerUrl": controller.policy_url,
            }
        ],
        "policyUrl": controller.policy_url,
        "policyVersion": controller.policy_version,
        "supervisoryAuthority": {
            "name": controller.authority_name,
            "url": controller.authority_url,
        },
        "services": [
            {"service": controller.name, "purposes": _entries(controller, subject, events, locale)}
        ],
        "sensitive": False,
        "spiCat": [],
        "events": [
            {
                "id": e.id,
                "seq": e.seq,
                "kind": e.kind,
                "purpose": slugs.get(e.purpose_id, e.scope),
                "scope": e.scope,
                "channel": e.channel,
                "basis": e.basis,
                "occurred_at": e.occurred_at.isoformat(),
                "recorded_at": e.recorded_at.isoformat(),
                "hash": e.hash,
                "prev_hash": e.prev_hash,
            }
            for e in events
        ],
    }


def issue(controller, subject, events, receipt_id, source, locale) -> Receipt:
    """Build, sign and store the one receipt of an interaction (the caller commits)."""
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
