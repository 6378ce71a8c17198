"""POST /api/v1/consents: a person's decisions from the widget (or an admin), with a receipt."""

from flask import g, jsonify

from consent.api import params as read
from consent.api.auth import require
from consent.api.blueprint import actor, bp
from consent.api.params import ApiError
from consent.core import ledger, shapes, subjects
from consent.core.database import db
from consent.core.vocabulary import SOURCES
from consent.extensions import limiter
from consent.web import mail

DECISIONS = {
    "given": "consent_given",
    "refused": "consent_refused",
    "withdrawn": "consent_withdrawn",
}


@bp.post("/v1/consents", provide_automatic_options=False)
@limiter.limit("60/minute")
@require("widget", "admin")
def consents():
    """Record a person's consent decisions (widget or admin) and return the signed receipt."""
    data = read.body()
    person = data.get("subject")
    if not isinstance(person, dict):
        raise ApiError(400, "invalid_parameter", "subject must be an object.")
    locale = read.locale(data.get("locale")) or g.controller.default_locale
    source = "widget" if g.api_key.role == "widget" else (read.text(data, "source") or "api")
    if source not in SOURCES:
        raise ApiError(400, "invalid_source", f"Unknown source {source!r}.")
    changes, confirm = [], []
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
        changes.append(
            ledger.Change(
                kind, purpose, channel=channel, notice_version=version, notice_hash=text_hash
            )
        )
        if kind == "consent_given" and purpose.double_opt_in and source == "widget":
            confirm.append(purpose)
    subject = _consenting_subject(person, locale)
    receipt = ledger.record(subject, changes, source=source, actor=actor(), locale=locale)
    if confirm:
        mail.queue_confirmation(g.controller, subject, confirm, locale)
    db.session.commit()
    return jsonify(
        {
            "subject": {"id": subject.public_id},
            "receipt": shapes.receipt_json(receipt),
            "confirmation_required": [p.slug for p in confirm],
            "confirmation_queued": bool(confirm),
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
