"""API keys: one controller and one role each, stored as SHA-256, shown once."""

import hashlib
import secrets
from functools import wraps

from flask import g, request
from sqlalchemy import select

from consent.core.models import ApiKey, Controller, utcnow
from consent.extensions import db
from consent.web.errors import error_response

ROLES = ("widget", "marketer", "auditor", "admin")
PREFIX = "ck_"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create(controller: Controller, role: str, origins=()) -> tuple[ApiKey, str]:
    """A new key row and the key itself, which is never stored."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    secret = f"{PREFIX}{role[0]}_{secrets.token_urlsafe(32)}"
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


def require(*roles: str):
    """Decorator: a valid bearer key of one of these roles; sets g.api_key and g.controller.

    401 for no or unknown key, 403 for a role that may not, or a widget key used from an
    origin outside its allow-list.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            header = request.headers.get("Authorization", "")
            scheme, _, bearer = header.partition(" ")
            if scheme.lower() != "bearer" or not bearer.strip():
                return error_response(401, "unauthorized", "A bearer API key is required.")
            key = authenticate(bearer.strip())
            if key is None:
                return error_response(401, "unauthorized", "Unknown or revoked API key.")
            if key.role not in roles:
                return error_response(
                    403, "forbidden", f"The {key.role} role may not use this endpoint."
                )
            origin = request.headers.get("Origin")
            if key.role == "widget" and origin and origin not in key.origins:
                return error_response(403, "forbidden", "This origin may not use this key.")
            g.api_key = key
            g.controller = db.session.get(Controller, key.controller_id)
            return view(*args, **kwargs)

        return wrapped

    return decorator
