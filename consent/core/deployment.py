"""Refuse to run with an email hash key other than the one the database was written with.

Every email hash (people, suppressions of erased addresses) is keyed with EMAIL_HASH_KEY.
Without it set, the key falls back to the oldest secret: dropping that secret on rotation
would silently change every hash, so erased people could be imported again. The database
keeps a fingerprint of the key (a keyed hash of a fixed text, which reveals nothing of the
key) and the app refuses to start when the key it is given has another.
"""

import hashlib
import hmac

from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import Column, MetaData, String, Table, inspect, select

from consent.config import ConfigurationError
from consent.core.database import db
from consent.core.models import DeploymentSetting

FINGERPRINT = "email_hash_key_fingerprint"
# Alembic's own bookkeeping table, read directly: one cheap query per readiness check.
VERSION_TABLE = Table("alembic_version", MetaData(), Column("version_num", String(32)))


class HashKeyChanged(ConfigurationError):
    """EMAIL_HASH_KEY is not the key this database's email hashes were made with."""


def fingerprint(key: str) -> str:
    return hmac.new(key.encode(), b"consent: email hash key", hashlib.sha256).hexdigest()


def schema_ready() -> bool:
    """Whether `init-db` has made the tables."""
    return inspect(db.engine).has_table(DeploymentSetting.__tablename__)


def schema_behind() -> str | None:
    """Why the database is not at the newest migration (None when it is): what a readiness
    check asks, since code newer than its schema fails on the first query that differs.
    Raises the driver's error when the database cannot be reached."""
    heads = _heads(current_app.extensions["migrate"].directory)
    with db.engine.connect() as connection:
        current = set()
        if inspect(connection).has_table(VERSION_TABLE.name):
            current = set(connection.scalars(select(VERSION_TABLE.c.version_num)))
    if current == heads:
        return None
    if not current:
        return "the database has no migrations applied"
    return f"the database is at {', '.join(sorted(current))}, not {', '.join(sorted(heads))}"


_HEADS: dict[str, set[str]] = {}


def _heads(directory: str) -> set[str]:
    """The newest revisions shipped with this code, read from the files once per process."""
    if directory not in _HEADS:
        _HEADS[directory] = set(ScriptDirectory(directory).get_heads())
    return _HEADS[directory]


def check_email_hash_key() -> None:
    """Remember the key's fingerprint the first time; refuse a different key after that.
    A database without the table yet (before `init-db`) is left alone."""
    if not schema_ready():
        return
    current = fingerprint(current_app.config["EMAIL_HASH_KEY"])
    stored = db.session.get(DeploymentSetting, FINGERPRINT)
    if stored is None:
        db.session.add(DeploymentSetting(name=FINGERPRINT, value=current))
        db.session.commit()
    elif not hmac.compare_digest(stored.value, current):
        raise HashKeyChanged(
            "EMAIL_HASH_KEY is not the key this database's email hashes were made with: "
            "set it to that key (every suppression of an erased address depends on it)."
        )
