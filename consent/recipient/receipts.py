"""Blueprint: a receipt shown to the person it belongs to, through a signed link."""

from flask import Blueprint, Response, abort, current_app, g, render_template, request
from flask_babel import format_datetime, get_locale, refresh
from sqlalchemy import select

from consent.core import purposes, signed_links, subjects
from consent.core.database import db
from consent.core.models import Notice, Receipt, utcnow
from consent.web import labels, security
from consent.web.i18n import _l

bp = Blueprint("receipts", __name__)
security.protect(bp)

BASIS_LABELS = {
    "consent": _l("Your consent"),
    "contract": _l("Contract"),
    "legitimate_interest": _l("Legitimate interest"),
    "legal_obligation": _l("Legal obligation"),
    "vital_interest": _l("Vital interest"),
    "public_task": _l("Public task"),
}
SOURCE_LABELS = {
    "preference_page": _l("on your preference page"),
    "one_click": _l("with the one-click unsubscribe link"),
    "widget": _l("in a form on our website"),
    "api": _l("by our systems"),
    "import": _l("from our records"),
    "console": _l("by our staff"),
    "retention": _l("by our retention rules"),
    "gpc": _l("from the Global Privacy Control signal of your browser"),
}


def _receipt_for(token: str):
    """(receipt, controller, subject, link) of a valid receipt link, or 404."""
    days = current_app.config["RECEIPT_LINK_MAX_AGE_DAYS"]
    try:
        link = signed_links.read(token, "receipt", max_age_days=days)
    except signed_links.InvalidLink:
        abort(404)
    controller = purposes.controller_by_slug(link.controller)
    subject = controller and subjects.by_public_id(controller, link.subject)
    receipt = subject and link.extra and db.session.get(Receipt, link.extra)
    if not receipt or receipt.subject_id != subject.id or receipt.controller_id != controller.id:
        abort(404)
    return receipt, controller, subject, link


def _titles(controller, entries, locale) -> dict:
    """Each purpose's title in the reader's language, from the same notice version."""
    by_slug = {p.slug: p for p in controller.purposes}
    wanted = {
        (by_slug[e["purposeSlug"]].id, e.get("noticeVersion"))
        for e in entries
        if e.get("purposeSlug") in by_slug
    }
    rows = db.session.scalars(
        select(Notice).where(
            Notice.purpose_id.in_({pid for pid, _ in wanted}), Notice.locale == locale
        )
    )
    found = {(n.purpose_id, n.version): n for n in rows}
    titles = {}
    for entry in entries:
        purpose = by_slug.get(entry.get("purposeSlug"))
        notice = purpose and found.get((purpose.id, entry.get("noticeVersion")))
        titles[(entry["eventId"], entry["purposeSlug"])] = (
            (notice.title, notice.description)
            if notice
            else (entry["purpose"], entry.get("purposeDescription", ""))
        )
    return titles


def _lines(controller, payload, locale) -> list[dict]:
    """One line per event and purpose, in the reader's words."""
    entries = [e for s in payload.get("services", []) for e in s.get("purposes", [])]
    titles = _titles(controller, entries, locale)
    lines = []
    for event in payload.get("events", []):
        about = [e for e in entries if e.get("eventId") == event["id"]] or [None]
        for entry in about:
            title, description = (
                titles[(entry["eventId"], entry["purposeSlug"])] if entry else (None, "")
            )
            basis = entry and entry.get("lawfulBasis", "").rsplit("#", 1)[-1]
            lines.append(
                {
                    "title": title,
                    "description": description,
                    "kind": labels.KINDS.get(event["kind"], event["kind"]),
                    "channel": labels.CHANNELS.get(event.get("channel")),
                    "basis": BASIS_LABELS.get(entry and _basis_key(basis)),
                    "scope": event.get("scope"),
                    "notice_version": entry and entry.get("noticeVersion"),
                }
            )
    return lines


def _basis_key(dpv_name: str | None) -> str | None:
    names = {
        "Consent": "consent",
        "Contract": "contract",
        "LegitimateInterest": "legitimate_interest",
        "LegalObligation": "legal_obligation",
        "VitalInterest": "vital_interest",
        "PublicTask": "public_task",
    }
    return names.get(dpv_name or "")


@bp.get("/receipts/<token>")
def show(token):
    """The receipt in the reader's language; `?format=jws` downloads the signed original."""
    receipt, controller, subject, link = _receipt_for(token)
    if request.args.get("format") == "jws":
        response = Response(receipt.jws, mimetype="application/jose")
        response.headers["Content-Disposition"] = f'attachment; filename="{receipt.id}.jws"'
        return response
    g.link_locale = link.locale
    g.subject_locale = subject.locale
    g.controller_locale = controller.default_locale
    g.controller_timezone = controller.profile.get("timezone")
    refresh()  # the locale may have been chosen before the link was read
    locale = str(get_locale())
    payload = receipt.payload
    response = Response(
        render_template(
            "receipts/show.html",
            receipt=receipt,
            controller=controller,
            lines=_lines(controller, payload, locale),
            recorded=format_datetime(receipt.created_at or utcnow(), "long"),
            how=SOURCE_LABELS.get(payload.get("collectionSource"), ""),
            jwks_url=payload.get("jwksUri"),
            jws_url=request.path + "?format=jws",
        )
    )
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
