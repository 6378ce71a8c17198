"""The hashed form of an event: which fields its SHA-256 covers, by version of the form.

Each event stores the version of the form it was hashed under. A field joins the form in a
new version; an older event keeps verifying under its own, so the chain never needs a
rewrite when the ledger learns a new field (SPEC §2).
"""

import hashlib

import orjson

_V1 = (
    "id",
    "controller",
    "subject",
    "seq",
    "kind",
    "purpose",
    "scope",
    "channel",
    "basis",
    "source",
    "actor",
    "notice_version",
    "notice_hash",
    "locale",
    "reason",
    "evidence",
    "occurred_at",
    "recorded_at",
    "receipt_id",
    "prev_hash",
)
# Version 2: how the decision proved the mailbox, and when it was given if before recording.
_V2 = (*_V1, "mailbox_proof", "given_at")
HASHED_FORMS = {1: _V1, 2: _V2, 3: (*_V2, "sale_reference", "opt_out_offered_at")}
CURRENT_FORM = max(HASHED_FORMS)


def _value(event, name: str, controller_slug, subject_public_id, purpose_slug):
    if name == "controller":
        return controller_slug
    if name == "subject":
        return subject_public_id
    if name == "purpose":
        return purpose_slug
    value = getattr(event, name)
    return value.isoformat() if hasattr(value, "isoformat") else value


def hashed_fields(event, controller_slug, subject_public_id, purpose_slug) -> dict:
    """The fields an event's hash covers under its own form version, and their values."""
    form = HASHED_FORMS[event.hash_version]
    return {
        name: _value(event, name, controller_slug, subject_public_id, purpose_slug) for name in form
    }


def canonical(event, controller_slug, subject_public_id, purpose_slug) -> bytes:
    """The exact bytes an event's hash covers: its hashed fields as JSON with sorted keys,
    no spaces, UTF-8 unescaped (the bytes of the standard library's `json.dumps(body,
    sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()`, in a tenth of
    its time; test_chain_form holds them equal for every character)."""
    body = hashed_fields(event, controller_slug, subject_public_id, purpose_slug)
    return orjson.dumps(body, option=orjson.OPT_SORT_KEYS)


def event_hash(event, controller_slug, subject_public_id, purpose_slug) -> str:
    return hashlib.sha256(
        canonical(event, controller_slug, subject_public_id, purpose_slug)
    ).hexdigest()
