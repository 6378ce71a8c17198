"""Reading API requests: the JSON body, parameters and their checks, as ApiError on failure."""

from datetime import datetime

from flask import g, request
from sqlalchemy import select

from consent.core import purposes, subjects
from consent.core.database import db
from consent.core.instants import FutureInstant, parse_past_instant
from consent.core.models import Notice
from consent.core.vocabulary import CHANNELS, normalise_locale

MAX_ITEMS = 10_000
# No notice has a version this high; a larger number would not fit the integer column.
MAX_NOTICE_VERSION = 2**31


class ApiError(Exception):
    """A request the API refuses: HTTP status, a stable code, a message for developers."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _has_nul(value) -> bool:
    """Whether a NUL character hides anywhere in the JSON (PostgreSQL cannot store it)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_json", "The request body must be a JSON object.")
    if _has_nul(data):
        raise ApiError(400, "invalid_parameter", "NUL characters are not allowed.")
    return data


def text(data: dict, key: str, required: bool = False) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise ApiError(400, "missing_parameter", f"{key} is required.")
        return None
    if not isinstance(value, str):
        raise ApiError(400, "invalid_parameter", f"{key} must be a string.")
    return value


def items(data: dict, key: str, required: bool = True) -> list | None:
    value = data.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, list) or (required and not value):
        raise ApiError(400, "invalid_parameter", f"{key} must be a non-empty list.")
    if len(value) > MAX_ITEMS:
        raise ApiError(413, "too_many_items", f"At most {MAX_ITEMS} {key} per call.")
    return value


def subject(public_id: str | None):
    """A person of the key's controller; another controller's person is unknown here."""
    found = subjects.by_public_id(g.controller, public_id) if public_id else None
    if found is None:
        raise ApiError(404, "unknown_subject", "Unknown subject.")
    return found


def purpose(slug: str | None):
    purpose = purposes.purpose_by_slug(g.controller, slug) if slug else None
    if purpose is None:
        raise ApiError(404, "unknown_purpose", f"Unknown purpose {slug!r}.")
    return purpose


def channel(value: str | None) -> str:
    channel = value or "email"
    if channel not in CHANNELS:
        raise ApiError(400, "invalid_channel", f"Unknown channel {channel!r}.")
    return channel


def channel_of(purpose, value: str | None, offered_only: bool = False) -> str | None:
    """The channel asked about for a purpose: none for a purpose without channels (the
    answer is whether the processing is allowed), else the one named (default email).
    `offered_only`: a channel the purpose does not offer is an error, not an empty list."""
    if not purpose.channels:
        if value:
            raise ApiError(422, "unknown_channel", f"{purpose.slug} has no channels.")
        return None
    named = channel(value)
    if offered_only and named not in purpose.channels:
        offered = ", ".join(purpose.channels)
        raise ApiError(
            422, "unknown_channel", f"{purpose.slug} is offered by {offered}, not {named}."
        )
    return named


def instant(value: str | None, key: str = "at") -> datetime | None:
    """An ISO-8601 instant in the past; a time without offset is read as UTC."""
    if value is None:
        return None
    try:
        return parse_past_instant(value)
    except FutureInstant:
        raise ApiError(422, "future_time", f"{key} must not be in the future.") from None
    except (TypeError, ValueError):
        raise ApiError(400, "invalid_parameter", f"{key} must be an ISO-8601 time.") from None


def positive_int(value: str | None, key: str) -> int | None:
    """A whole number from 1 up, given as a query parameter."""
    if value is None or value == "":
        return None
    if not value.isdigit() or int(value) < 1:
        raise ApiError(400, "invalid_parameter", f"{key} must be a whole number from 1.")
    return int(value)


def locale(value) -> str | None:
    if value is None:
        return None
    locale = normalise_locale(value) if isinstance(value, str) else None
    if locale is None:
        raise ApiError(400, "invalid_locale", "locale must be one of nl, nb, en.")
    return locale


def notice(purpose, version, locale) -> tuple[int | None, str | None]:
    """(version, text hash) of the notice shown: the given version, or the current one."""
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        raise ApiError(400, "invalid_parameter", "notice_version must be an integer.")
    if version is not None and abs(version) >= MAX_NOTICE_VERSION:
        raise ApiError(422, "unknown_notice", f"{purpose.slug} has no notice version {version}.")
    version = version or purposes.latest_version(purpose)
    notice = db.session.scalar(
        select(Notice).where(
            Notice.purpose_id == purpose.id,
            Notice.version == version,
            Notice.locale == (locale or g.controller.default_locale),
        )
    )
    if notice is None:
        raise ApiError(422, "unknown_notice", f"{purpose.slug} has no notice version {version}.")
    return notice.version, notice.text_hash
