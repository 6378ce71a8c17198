"""Ed25519 signing keys for receipts and checkpoints, the JWKS that publishes them, and
JWS sign and verify. Each use has its own keys: RECEIPT_SIGNING_KEYS and
CHECKPOINT_SIGNING_KEYS (newest first), and the public keys of retired ones."""

import base64
import hashlib
import hmac
import json
from functools import cache

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_pem_private_key,
)
from flask import current_app


class InvalidReceipt(ValueError):
    """A JWS that does not verify against any published key."""


RECEIPT, CHECKPOINT = "receipt", "checkpoint"
# Checkpoint keys are never derived from SECRET_KEYS; without configured ones (development
# only: production refuses to start) this announced default signs.
DEV_CHECKPOINT_KEY = "dev-only-checkpoint-key-do-not-use-in-production"


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

    def __init__(self, material: str, use: str = RECEIPT):
        if material.lstrip().startswith("-----BEGIN"):
            private = load_pem_private_key(material.strip().encode(), password=None)
            if not isinstance(private, Ed25519PrivateKey):
                raise ValueError(f"{use} signing keys must be Ed25519")
            self.private = private
        else:
            seed = hmac.new(material.encode(), f"consent-{use}-signing-v1".encode(), hashlib.sha256)
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


def _material(use: str) -> tuple:
    if use == CHECKPOINT:
        return _configured("CHECKPOINT_SIGNING_KEYS") or (DEV_CHECKPOINT_KEY,)
    return _configured("RECEIPT_SIGNING_KEYS") or tuple(current_app.config["SECRET_KEYS"])


def signing_keys(use: str = RECEIPT) -> list[SigningKey]:
    """Newest first: the first signs, all are published.

    RECEIPT_SIGNING_KEYS and CHECKPOINT_SIGNING_KEYS hold Ed25519 private keys as PEM, or
    secrets a key is derived from; without the first, receipt keys are derived from
    SECRET_KEYS. RECEIPT_PUBLIC_KEYS and CHECKPOINT_PUBLIC_KEYS hold the public JWKs of
    retired keys, so what was signed years ago still verifies after its private key (or the
    secret it came from) has been destroyed.
    """
    material = _material(use)
    cache = current_app.extensions.setdefault("signing_keys", {})
    if (use, material) not in cache:
        if material == (DEV_CHECKPOINT_KEY,):
            current_app.logger.warning(
                "CHECKPOINT_SIGNING_KEYS is not set: checkpoints are signed with the public "
                "development key, which proves nothing (production refuses to start so)"
            )
        cache[(use, material)] = [SigningKey(item, use) for item in material]
    return cache[(use, material)]


def _retired_keys(use: str) -> list[dict]:
    keys = []
    for item in _configured(f"{use.upper()}_PUBLIC_KEYS"):
        jwk = json.loads(item) if item.startswith("{") else public_jwk(item)
        keys.append(public_jwk(jwk["x"], jwk.get("kid")))
    return keys


def jwks() -> dict:
    """Every key a receipt or a checkpoint may have been signed with, current and retired."""
    keys, seen = [], set()
    for use in (RECEIPT, CHECKPOINT):
        for key in [k.jwk for k in signing_keys(use)] + _retired_keys(use):
            if key["kid"] not in seen:
                keys.append(key)
                seen.add(key["kid"])
    return {"keys": keys}


def sign(payload: dict, use: str = RECEIPT, typ: str | None = None) -> str:
    """A compact JWS (EdDSA) of the payload with the newest key for this use."""
    return sign_serialised(serialise(payload), use, typ)


def serialise(payload: dict) -> bytes:
    """The payload's JSON as a JWS carries it (PyJWT's separators)."""
    return json.dumps(payload, separators=(",", ":")).encode()


def sign_serialised(body: bytes, use: str = RECEIPT, typ: str | None = None) -> str:
    """The compact JWS of a payload already serialised with `serialise()`, byte for byte
    what PyJWT's encode gives, made directly: the Ed25519 signature is then nearly all it
    costs (a bulk import signs one receipt per row, and stores the same JSON as its row)."""
    key = signing_keys(use)[0]
    signing_input = f"{_protected_header(key.kid, typ or 'JWT')}.{_b64url(body)}".encode()
    return f"{signing_input.decode()}.{_b64url(key.private.sign(signing_input))}"


@cache
def _protected_header(kid: str, typ: str) -> str:
    """The JWS header as PyJWT encodes it, once per key and type."""
    header = {"alg": "EdDSA", "kid": kid, "typ": typ}
    return _b64url(json.dumps(header, separators=(",", ":"), sort_keys=True).encode())


def sign_detached(body: bytes) -> str:
    """A receipt's JWS without its payload ("header..signature", RFC 7515 Appendix F), for
    storing beside the JSON it signs; `attached()` puts the two together again."""
    header, _body, signature = sign_serialised(body).split(".")
    return f"{header}..{signature}"


def attached(jws: str, payload: dict) -> str:
    """The compact JWS of a stored receipt: a detached one gets its payload back, serialised
    as it was signed (a JSON column gives back the very values it was given)."""
    header, body, signature = jws.split(".")
    if body:
        return jws
    return f"{header}.{_b64url(serialise(payload))}.{signature}"


def verify(jws: str, keyset: dict | None = None) -> dict:
    """The payload of a JWS that verifies against the JWKS; InvalidReceipt if not."""
    try:
        kid = jwt.get_unverified_header(jws).get("kid")
        keys = jwt.PyJWKSet.from_dict(keyset or jwks())
        key = next((k for k in keys.keys if k.key_id == kid), None)
        if key is None:
            raise InvalidReceipt(f"no published key with kid {kid!r}")
        return jwt.decode(jws, key, algorithms=["EdDSA"])
    except jwt.PyJWTError as error:
        raise InvalidReceipt(str(error)) from error
