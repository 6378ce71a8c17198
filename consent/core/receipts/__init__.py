"""Consent receipts: the payload of an interaction (payload), signed by `core.signing`."""

from consent.core.receipts.issued import IssuedReceipt
from consent.core.receipts.payload import build, find_notice, url
from consent.core.signing import (
    InvalidReceipt,
    SigningKey,
    jwks,
    serialise,
    sign_detached,
    signing_keys,
    verify,
)

__all__ = [
    "IssuedReceipt",
    "InvalidReceipt",
    "SigningKey",
    "build",
    "find_notice",
    "jwks",
    "serialise",
    "sign_detached",
    "signing_keys",
    "url",
    "verify",
]
