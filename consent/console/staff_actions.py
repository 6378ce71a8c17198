"""What staff record for a person who phoned or wrote, and a fresh link sent to them.

Routes join the console blueprint. Each view reads the form, calls one core operation
(staff_changes, subject_requests, mail) and commits; a refusal re-shows the page with the
reason in the reader's language and nothing written.
"""

from datetime import date

from flask import abort, g, redirect, render_template, request, url_for
from flask_babel import format_date, format_datetime, get_locale

from consent.console import roles
from consent.console.views import bp, login_required
from consent.core import (
    changes,
    purposes,
    staff_audit,
    staff_changes,
    subject_requests,
    subjects,
)
from consent.core.database import db
from consent.core.ledger import LedgerError
from consent.core.subject_requests import RequestError
from consent.core.vocabulary import CHANNELS
from consent.web import mail, proof_document, staff_words
from consent.web.i18n import _


def stamp(moment) -> str:
    return format_datetime(moment, "medium") if moment else ""


def day(value) -> str:
    return format_date(value, "medium") if value else ""


def person_or_404(public_id):
    subject = subjects.by_public_id(g.staff.controller, public_id)
    if subject is None:
        abort(404)
    return subject


def open_request(subject, value):
    """The open request of this person named by the form, if any (else None)."""
    if not value:
        return None
    found = subject_requests.by_id(g.staff.controller, int(value) if value.isdigit() else None)
    if found is None or found.subject_id != subject.id or found.closed_at is not None:
        return None
    return found


def render_person(subject, error=None, status=200, answering=None):
    """The person's staff page: what they told us, their requests, and the forms."""
    controller = g.staff.controller
    locale = str(get_locale())
    notices = purposes.current_notices(controller, locale)
    # What the person allows now, so staff see what they just recorded take effect.
    states = [] if subject.erased_at else changes.overview(controller, subject, locale)
    page = render_template(
        "console/person.html",
        subject=subject,
        purposes=[p for p in controller.purposes if not p.retired],
        titles={p.id: notices[p.id].title for p in controller.purposes if p.id in notices},
        channels=CHANNELS,
        states=[s for s in states if not s.purpose.retired],
        reasons=proof_document.REASONS,
        said=staff_words.SAID,
        kinds=staff_words.REQUEST_KINDS,
        requests=subject_requests.of_subject(subject),
        notes=staff_changes.notes_of(subject),
        answering=answering,
        today=subject_requests.today(controller).isoformat(),
        can_act=g.staff.role in roles.ACT,
        error=error,
        recorded=request.args.get("recorded"),
        sent=request.args.get("sent"),
        stamp=stamp,
        day=day,
    )
    return page, status


@bp.get("/subjects/<public_id>/staff")
@login_required(*roles.PEOPLE)
def person(public_id):
    subject = person_or_404(public_id)
    answering = open_request(subject, request.args.get("request", ""))
    staff_audit.log(g.staff, staff_audit.VIEWED, subject)
    db.session.commit()
    return render_person(subject, answering=answering)


def _said_from_form(subject) -> staff_changes.Said:
    form = request.form
    purpose = purposes.purpose_by_slug(g.staff.controller, form.get("purpose", ""))
    channel = form.get("channel") or None
    if channel not in (None, *CHANNELS):
        raise LedgerError("unknown_channel", "unknown channel")
    return staff_changes.Said(
        what=form.get("what", ""),
        purpose=purpose,
        channel=channel,
        reference=form.get("reference", "")[:200],
        grounds=form.get("grounds", "")[:2000],
        note=form.get("note", "")[:10000],
    )


@bp.post("/subjects/<public_id>/said")
@login_required(*roles.ACT)
def record_said(public_id):
    """Record what the person said by phone or letter, as events with source console."""
    subject = person_or_404(public_id)
    answering = open_request(subject, request.form.get("request", ""))
    try:
        said = _said_from_form(subject)
        if said.what == "erasure" and request.form.get("confirm") != "yes":
            raise LedgerError("confirm_erasure", "not confirmed")
        receipt = staff_changes.record_said(g.staff, subject, said, answering)
    except LedgerError as refusal:
        db.session.rollback()
        message = (
            _("Tick the box to confirm the erasure.")
            if refusal.code == "confirm_erasure"
            else staff_words.refused(refusal.code)
        )
        return render_person(subject, message, 422, answering)
    db.session.commit()
    lang = str(get_locale())
    if answering is not None:
        return redirect(
            url_for("console.request_page", request_id=answering.id, recorded=receipt.id, lang=lang)
        )
    return redirect(url_for("console.person", public_id=public_id, recorded=receipt.id, lang=lang))


@bp.post("/subjects/<public_id>/link")
@login_required(*roles.ACT)
def resend_link(public_id):
    """A fresh preference link to the person's own address, through the queue (the same
    mail as the way in without a link)."""
    subject = person_or_404(public_id)
    if subject.erased_at is not None or not subject.email:
        return render_person(subject, staff_words.refused("subject_erased"), 409)
    locale = subject.locale or g.staff.controller.default_locale
    mail.queue_fresh_link(g.staff.controller, subject.email, locale, locale, None)
    staff_audit.log(g.staff, staff_audit.LINK_RESENT, subject)
    db.session.commit()
    return redirect(url_for("console.person", public_id=public_id, sent=1, lang=str(get_locale())))


@bp.post("/subjects/<public_id>/requests")
@login_required(*roles.ACT)
def record_request(public_id):
    """A request that arrived by mail or letter, due one month after the day received."""
    subject = person_or_404(public_id)
    form = request.form
    try:
        received = date.fromisoformat(form.get("received_on", ""))
    except ValueError:
        return render_person(subject, _("Give the day the request was received."), 422)
    try:
        made = subject_requests.record(
            g.staff,
            subject,
            form.get("kind", ""),
            received,
            form.get("reference", "")[:200],
            form.get("note", "")[:10000],
        )
    except RequestError as refusal:
        db.session.rollback()
        return render_person(subject, staff_words.refused(refusal.code), 422)
    db.session.commit()
    return redirect(url_for("console.request_page", request_id=made.id, lang=str(get_locale())))
