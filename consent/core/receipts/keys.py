"""Receipt signing keys: Ed25519 from configuration, the JWKS, and JWS sign and verify."""

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
