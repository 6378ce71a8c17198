"""POST /api/v1/consents: a person's decisions from the widget (or an admin), with a receipt."""

import secrets

from flask import g, jsonify, request

from consent.api import params as read
from consent.api.auth import require
from consent.api.blueprint import actor, bp
from consent.api.params import ApiError
from consent.core import api_keys, changes, ledger, shapes, subjects
from consent.core.database import db
from consent.extensions import limiter
from consent.web import mail

DECISIONS = {
    "given": "consent_given",
    "refused": "consent_refused",
    "withdrawn": "consent_withdrawn",
}
# A script holding the published widget key must not flood one person's ledger.
WIDGET_ADDRESS_LIMIT = "10 per hour;30 per day"
WIDGET_PREFIX = f"{api_keys.PREFIX}{api_keys.ROLE_TAGS['widget']}_"


def _address_key() -> str:
    """Rate-limit key of a widget call: the key and the person it names (hashed, so the
    store keeps no address). Limits are checked before the key is authenticated: a call
    that is not a widget key's gets a key of its own, limited by the route's limit alone."""
    bearer = request.headers.get("Authorization", "").partition(" ")[2].strip()
    data = request.get_json(silent=True)
    person = data.get("subject") if isinstance(data, dict) else None
    email = person.get("email") if isinstance(person, dict) else None
    if not bearer.startswith(WIDGET_PREFIX) or not isinstance(email, str):
        return f"consents:other:{secrets.token_hex(8)}"
    try:
        return f"consents:{api_keys.hash_key(bearer)[:16]}:{subjects.email_hash(email)}"
    except subjects.InvalidEmail:
        return f"consents:other:{secrets.token_hex(8)}"


@bp.post("/v1/consents", provide_automatic_options=False)
@limiter.limit("60/minute")
@limiter.limit(WIDGET_ADDRESS_LIMIT, key_func=_address_key)
@require("widget", "admin")
def consents():
    """Record a person's consent decisions (widget or admin) and return the signed receipt.

    The answer has one shape whatever the address (new, known, objecting, erased): what
    needs proof of the mailbox waits for the confirmation mail (SPEC §3, §6)."""
    data = read.body()
    person = data.get("subject")
    if not isinstance(person, dict):
        raise ApiError(400, "invalid_parameter", "subject must be an object.")
    locale = read.locale(data.get("locale")) or g.controller.default_locale
    # The door names the source: no key can claim another's (SPEC §2).
    source = "widget" if g.api_key.role == "widget" else "api"
    decided = []
    for entry in read.items(data, "decisions"):
        if not isinstance(entry, dict):
            raise ApiError(400, "invalid_parameter", "Each decision must be an object.")
        purpose = read.purpose(read.text(entry, "purpose", required=True))
        decision = entry.get("decision")
        kind = DECISIONS.get(decision) if isinstance(decision, str) else None
        if kind is None:
            raise ApiError(400, "invalid_decision", "decision must be given, refused or withdrawn.")
        channel = read.text(entry, "channel")
        if channel is not None and channel not in purpose.channels:
            raise ApiError(422, "unknown_channel", f"{purpose.slug} is not sent by {channel}.")
        version, text_hash = read.notice(purpose, entry.get("notice_version"), locale)
        decided.append(
            ledger.Change(
                kind, purpose, channel=channel, notice_version=version, notice_hash=text_hash
            )
        )
    subject = _consenting_subject(person, locale)
    held = changes.hold_if_suppressed(subject)
    receipt = ledger.record(subject, held + decided, source=source, actor=actor(), locale=locale)
    waiting = changes.waiting(subject, decided)
    if waiting is not None:
        mail.queue_confirmation(g.controller, subject, waiting, locale)
    db.session.commit()
    return jsonify(
        {
            "subject": {"id": subject.public_id},
            "receipt": shapes.receipt_json(receipt),
            "confirmation": "may_follow",
        }
    ), 201


def _consenting_subject(person: dict, locale: str):
    public_id, email = read.text(person, "id"), read.text(person, "email")
    if public_id and g.api_key.role == "admin":
        return read.subject(public_id)
    if not email:
        raise ApiError(400, "missing_parameter", "subject.email is required.")
    try:
        subject, _created = subjects.upsert(
            g.controller,
            email,
            read.text(person, "external_id"),
            locale,
            trusted=g.api_key.role == "admin",
        )
    except subjects.InvalidEmail:
        raise ApiError(422, "invalid_email", "subject.email is not a valid address.") from None
    if subject is None:
        raise ApiError(409, "suppressed", "This address belongs to a person who was erased.")
    return subject
