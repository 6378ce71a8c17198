"""Consent receipts: the payload of an interaction (payload) and the keys that sign it (keys)."""

from consent.core.receipts.keys import InvalidReceipt, SigningKey, jwks, sign, signing_keys, verify
from consent.core.receipts.payload import build, find_notice, url

__all__ = [
    "InvalidReceipt",
    "SigningKey",
    "build",
    "find_notice",
    "jwks",
    "sign",
    "signing_keys",
    "url",
    "verify",
]
