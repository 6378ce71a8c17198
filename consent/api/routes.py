"""Blueprint /api/v1: JSON in and out, key auth, roles. Thin: the domain modules do the work.

Every route is scoped to the controller of the bearer key: another controller's subjects
and purposes are simply not found (404). Errors are SPEC §6 JSON, raised as ApiError.
"""

from flask import Blueprint, Response, g, jsonify, request, stream_with_context
from flask_babel import force_locale
from sqlalchemy import select

from consent.api import cors, openapi
from consent.api import params as read
from consent.api.params import ApiError
from consent.core import campaign_links, importer, ledger, proof, purposes, reachability, subjects
from consent.core.api_keys import ROLES, require
from consent.core.models import Event, utcnow
from consent.core.vocabulary import KINDS, SOURCES
from consent.extensions import db, limiter
from consent.web import mail
from consent.web.errors import error_response
from consent.web.i18n import _

bp = Blueprint("api", __name__, url_prefix="/api")

DECISIONS = {
    "given": "consent_given",
    "refused": "consent_refused",
    "withdrawn": "consent_withdrawn",
}


@bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    db.session.rollback()
    return error_response(error.status, error.code, error.message)


@bp.before_request
def _refuse_nul():
    """A NUL character is never meaningful here, and PostgreSQL cannot store it."""
    args = request.args.items(multi=True)
    if "\x00" in request.path or any("\x00" in k + v for k, v in args):
        raise ApiError(400, "invalid_parameter", "NUL characters are not allowed.")


def _actor() -> str:
    return f"api-key:{g.api_key.prefix}"


def _receipt_json(receipt) -> dict:
    return {"id": receipt.id, "jws": receipt.jws, "created_at": receipt.created_at.isoformat()}


def _event_json(event: Event) -> dict:
    """The event as the auditor's history shows it."""
    slugs = {event.purpose_id: event.purpose.slug} if event.purpose else {}
    return proof.event_json(event, slugs)


bp.after_request(cors.allow_widget_origin)
bp.add_url_rule("/v1/purposes", "purposes_preflight", cors.preflight, methods=["OPTIONS"])
bp.add_url_rule("/v1/consents", "consents_preflight", cors.preflight, methods=["OPTIONS"])


# --- routes ---


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(openapi.document())


@bp.get("/v1/purposes", provide_automatic_options=False)
@require(*ROLES)
def list_purposes():
    """Purposes with the current notice text in the asked locale."""
    locale = read.locale(request.args.get("locale")) or g.controller.default_locale
    notices = purposes.current_notices(g.controller, locale)
    answer = []
    for purpose in g.controller.purposes:
        notice = notices.get(purpose.id)
        answer.append(
            {
                "slug": purpose.slug,
                "category": purpose.category,
                "basis": purpose.basis,
                "channels": list(purpose.channels),
                "consent_lifetime": purpose.consent_lifetime,
                "double_opt_in": purpose.double_opt_in,
                "retention": purpose.retention,
                "notice": notice
                and {
                    "version": notice.version,
                    "locale": notice.locale,
                    "title": notice.title,
                    "description": notice.description,
                    "hash": notice.text_hash,
                },
            }
        )
    with force_locale(locale):
        # The consent widget's own words, so its page speaks the notice's language too.
        messages = {
            "gpc": _(
                "Your browser sends a Global Privacy Control signal, "
                "so we do not use your data for this."
            )
        }
    return jsonify({"purposes": answer, "messages": messages})


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
        kind = DECISIONS.get(entry.get("decision"))
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
    receipt = ledger.record(subject, changes, source=source, actor=_actor(), locale=locale)
    db.session.commit()
    sent = bool(confirm) and mail.send_confirmation(g.controller, subject, confirm, locale)
    return jsonify(
        {
            "subject": {"id": subject.public_id},
            "receipt": _receipt_json(receipt),
            "confirmation_required": [p.slug for p in confirm],
            "confirmation_sent": sent,
        }
    ), 201


def _consenting_subject(person: dict, locale: str):
    public_id, email = read.text(person, "id"), read.text(person, "email")
    if public_id and g.api_key.role == "admin":
        subject = subjects.by_public_id(g.controller, public_id)
        if subject is None:
            raise ApiError(404, "unknown_subject", "Unknown subject.")
        return subject
    if not email:
        raise ApiError(400, "missing_parameter", "subject.email is required.")
    try:
        subject, _created = subjects.upsert(
            g.controller, email, read.text(person, "external_id"), locale
        )
    except subjects.InvalidEmail:
        raise ApiError(422, "invalid_email", "subject.email is not a valid address.") from None
    if subject is None:
        raise ApiError(409, "suppressed", "This address belongs to a person who was erased.")
    return subject


@bp.post("/v1/subjects")
@require("admin")
def import_subjects():
    """Create or update up to 10,000 subjects with basis assertions; one transaction."""
    items = read.items(read.body(), "subjects")
    outcomes = importer.run_batch(g.controller, list(enumerate(items)), _actor())
    done = [o for o in outcomes if o.error is None]
    return jsonify(
        {
            "subjects": [
                {
                    "index": o.line,
                    "id": o.subject,
                    "email": o.email,
                    "created": o.created,
                    "suppressed": o.suppressed,
                    "events": o.events,
                }
                for o in done
            ],
            "errors": [
                {"index": o.line, "code": o.error.code, "message": str(o.error)}
                for o in outcomes
                if o.error is not None
            ],
        }
    )


@bp.post("/v1/events")
@require("admin")
def record_event():
    """Record any event kind for one subject; erasure removes the personal data too."""
    data = read.body()
    subject = subjects.by_public_id(g.controller, read.text(data, "subject", required=True))
    if subject is None:
        raise ApiError(404, "unknown_subject", "Unknown subject.")
    kind = read.text(data, "kind", required=True)
    if kind not in KINDS:
        raise ApiError(400, "unknown_kind", f"Unknown event kind {kind!r}.")
    source = read.text(data, "source") or "api"
    if source not in SOURCES:
        raise ApiError(400, "invalid_source", f"Unknown source {source!r}.")
    locale = read.locale(data.get("locale"))
    if kind == "erasure_completed":
        receipt = subjects.erase(subject, source=source, actor=_actor(), locale=locale)
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
        )
        receipt = ledger.record(subject, [change], source=source, actor=_actor(), locale=locale)
    db.session.commit()
    event = db.session.scalar(select(Event).where(Event.receipt_id == receipt.id))
    return jsonify({"event": _event_json(event), "receipt": _receipt_json(receipt)}), 201


@bp.get("/v1/reachable")
@require("marketer", "admin")
def reachable():
    """Who may be contacted: a streamed NDJSON or CSV list, or {"count": n}."""
    purpose = read.purpose(read.text(request.args, "purpose", required=True))
    channel = read.channel(request.args.get("channel"))
    at = read.instant(request.args.get("at"))
    fmt = request.args.get("format", "ndjson")
    if fmt not in ("ndjson", "csv"):
        raise ApiError(400, "invalid_format", "format must be ndjson or csv.")
    if request.args.get("count") in ("1", "true", "yes"):
        return jsonify({"count": reachability.count(purpose, channel, at)})
    rows = reachability.rows(purpose, channel, at)
    body = reachability.csv_lines(rows) if fmt == "csv" else reachability.ndjson_lines(rows)
    mimetype = "text/csv" if fmt == "csv" else "application/x-ndjson"
    response = Response(stream_with_context(body), mimetype=mimetype)
    response.headers["X-Reachable-At"] = (at or utcnow()).isoformat()
    return response


@bp.post("/v1/reachable/check")
@require("marketer", "admin")
def check():
    """Which of these addresses may be mailed for the purpose, and why not."""
    data = read.body()
    purpose = read.purpose(read.text(data, "purpose", required=True))
    channel = read.channel(read.text(data, "channel"))
    emails = read.items(data, "emails")
    if not all(isinstance(email, str) for email in emails):
        raise ApiError(400, "invalid_parameter", "emails must be strings.")
    at = read.instant(read.text(data, "at"))
    return jsonify({"results": reachability.check(g.controller, purpose, channel, emails, at)})


@bp.post("/v1/links")
@require("marketer", "admin")
def links():
    """Signed preference and one-click links, with RFC 8058 headers, for a campaign."""
    data = read.body()
    refs = read.items(data, "subjects")
    if not all(isinstance(ref, str) and ref.strip() for ref in refs):
        raise ApiError(400, "invalid_parameter", "subjects must be ids or email addresses.")
    slugs = read.items(data, "purposes", required=False)
    scope = [read.purpose(slug if isinstance(slug, str) else None) for slug in slugs or []]
    channel = read.channel(read.text(data, "channel"))
    try:
        rows = list(
            campaign_links.link_rows(
                g.controller,
                refs,
                scope if slugs else None,
                channel,
                read.text(data, "campaign"),
                read.locale(data.get("locale")),
            )
        )
    except ValueError as error:
        raise ApiError(422, "invalid_campaign", str(error)) from None
    return jsonify(
        {
            "links": [row for status, _ref, row in rows if status == "ok"],
            "unknown": [ref for status, ref, _row in rows if status == "unknown"],
        }
    )
