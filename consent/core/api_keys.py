"""API keys: one controller and one role each, stored as SHA-256, shown once."""

import hashlib
import secrets

from sqlalchemy import select

from consent.core.database import db
from consent.core.models import ApiKey, Controller, utcnow

ROLES = ("widget", "marketer", "auditor", "admin")
PREFIX = "ck_"
# A key shows its role at a glance (in logs, in a leaked-secret scanner): one tag per role.
ROLE_TAGS = {"widget": "wg", "marketer": "mk", "auditor": "au", "admin": "ad"}


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create(controller: Controller, role: str, origins=()) -> tuple[ApiKey, str]:
    """A new key row and the key itself, which is never stored."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    secret = f"{PREFIX}{ROLE_TAGS[role]}_{secrets.token_urlsafe(32)}"
    row = ApiKey(
        controller_id=controller.id,
        role=role,
        prefix=secret[:12],
        key_hash=hash_key(secret),
        origins=list(origins),
    )
    db.session.add(row)
    db.session.flush()
    return row, secret


def revoke(row: ApiKey) -> None:
    row.revoked_at = row.revoked_at or utcnow()


def authenticate(bearer: str) -> ApiKey | None:
    row = db.session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(bearer)))
    if row is None or row.revoked_at is not None:
        return None
    return row
