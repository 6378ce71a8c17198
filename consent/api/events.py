"""POST /api/v1/events: record any event kind for one person (admin)."""

from flask import jsonify
from sqlalchemy import select

from consent.api import params as read
from consent.api.auth import require
from consent.api.blueprint import actor, bp
from consent.api.params import ApiError
from consent.core import ledger, shapes, staff_changes, subjects
from consent.core.database import db
from consent.core.models import Event
from consent.core.vocabulary import KINDS


@bp.post("/v1/events")
@require("admin")
def record_event():
    """Record any event kind for one subject; erasure removes the personal data too.

    `occurred_at` may lie at most BACKDATE_WINDOW_SECONDS back, never before the person's
    last event; a decision collected earlier is recorded now with `given_at`."""
    data = read.body()
    subject = read.subject(read.text(data, "subject", required=True))
    kind = read.text(data, "kind", required=True)
    if kind not in KINDS:
        raise ApiError(400, "unknown_kind", f"Unknown event kind {kind!r}.")
    source = "api"  # the door names the source: no key claims another's (SPEC §2)
    locale = read.locale(data.get("locale"))
    if kind == "erasure_completed":
        receipt = subjects.erase(subject, source=source, actor=actor(), locale=locale)
    else:
        slug = read.text(data, "purpose")
        purpose = read.purpose(slug) if slug else None
        version, text_hash = (None, None)
        if purpose is not None and kind.startswith("consent_"):
            version, text_hash = read.notice(purpose, data.get("notice_version"), locale)
        change = ledger.Change(
            kind,
            purpose,
            scope=read.text(data, "scope"),
            channel=read.text(data, "channel"),
            basis=read.text(data, "basis"),
            reason=read.text(data, "reason"),
            evidence=read.text(data, "evidence"),
            notice_version=version,
            notice_hash=text_hash,
            occurred_at=read.instant(read.text(data, "occurred_at"), "occurred_at"),
            given_at=read.instant(read.text(data, "given_at"), "given_at"),
            sale_reference=read.text(data, "sale_reference"),
            opt_out_offered_at=read.instant(
                read.text(data, "opt_out_offered_at"), "opt_out_offered_at"
            ),
        )
        receipt = ledger.record(subject, [change], source=source, actor=actor(), locale=locale)
        if kind == "objection_overridden":  # the person is told why (Art. 12(4), 21(1))
            events = staff_changes.events_of(receipt)
            staff_changes.queue_override_notice(subject, purpose, change.reason, events)
    db.session.commit()
    event = db.session.scalar(select(Event).where(Event.receipt_id == receipt.id))
    return jsonify(
        {"event": shapes.event_json(event), "receipt": shapes.receipt_json(receipt)}
    ), 201
