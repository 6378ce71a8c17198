"""Requests that arrive by mail (Art. 12(3)): the queue by due date, one request with its
deadline, the events that answer it and the recipients to inform (Art. 19); extend, link
events, close. Routes join the console blueprint."""

from flask import abort, g, redirect, render_template, request, url_for
from flask_babel import get_locale

from consent.console import roles
from consent.console.staff_actions import day, stamp
from consent.console.views import bp, login_required
from consent.core import staff_audit, subject_requests
from consent.core.database import db
from consent.core.subject_requests import RequestError
from consent.web import labels, staff_words
from consent.web.i18n import ngettext


def days_left(controller, item) -> tuple[int, str]:
    """(days until due, the same in words); negative when overdue."""
    left = (item.due_on - subject_requests.today(controller)).days
    if item.closed_at is not None:
        return left, ""
    if left < 0:
        return left, ngettext("%(num)d day overdue", "%(num)d days overdue", -left)
    return left, ngettext("%(num)d day left", "%(num)d days left", left)


@bp.get("/requests")
@login_required(*roles.REQUEST_QUEUE)
def requests_queue():
    """Open requests, soonest due first; the latest closed ones below."""
    controller = g.staff.controller
    return render_template(
        "console/requests.html",
        open_requests=subject_requests.queue(controller),
        closed_requests=subject_requests.queue(controller, closed=True, limit=50),
        kinds=staff_words.REQUEST_KINDS,
        left=lambda item: days_left(controller, item),
        can_see_people=g.staff.role in roles.PEOPLE,
        day=day,
    )


def _request_or_404(request_id):
    found = subject_requests.by_id(g.staff.controller, request_id)
    if found is None:
        abort(404)
    return found


def render_request(item, error=None, status=200):
    controller = g.staff.controller
    locale = str(get_locale())
    page = render_template(
        "console/request.html",
        item=item,
        subject=item.subject,
        kinds=staff_words.REQUEST_KINDS,
        left=days_left(controller, item),
        answers=subject_requests.answers(item),
        candidates=subject_requests.candidates(item) if item.closed_at is None else [],
        recipients=subject_requests.recipients_to_inform(item, locale),
        can_extend=item.extended_at is None and days_left(controller, item)[0] >= 0,
        can_act=g.staff.role in roles.ACT,
        kind_words=labels.KINDS,
        error=error,
        recorded=request.args.get("recorded"),
        day=day,
        stamp=stamp,
    )
    return page, status


@bp.get("/requests/<int:request_id>")
@login_required(*roles.PEOPLE)
def request_page(request_id):
    item = _request_or_404(request_id)
    staff_audit.log(g.staff, staff_audit.REQUEST_VIEWED, item.subject, item)
    db.session.commit()
    return render_request(item)


def _done(item):
    return redirect(url_for("console.request_page", request_id=item.id, lang=str(get_locale())))


def _refused(item, refusal: RequestError):
    db.session.rollback()
    return render_request(item, staff_words.refused(refusal.code), 422)


@bp.post("/requests/<int:request_id>/extend")
@login_required(*roles.ACT)
def extend_request(request_id):
    """Two more months, with the reason; the person is told through the queue."""
    item = _request_or_404(request_id)
    try:
        subject_requests.extend(g.staff, item, request.form.get("reason", "")[:2000])
    except RequestError as refusal:
        return _refused(item, refusal)
    db.session.commit()
    return _done(item)


@bp.post("/requests/<int:request_id>/link")
@login_required(*roles.ACT)
def link_request(request_id):
    item = _request_or_404(request_id)
    if item.closed_at is not None:
        return _refused(item, RequestError("closed"))
    subject_requests.link(g.staff, item, request.form.getlist("event")[:500])
    db.session.commit()
    return _done(item)


@bp.post("/requests/<int:request_id>/close")
@login_required(*roles.ACT)
def close_request(request_id):
    item = _request_or_404(request_id)
    try:
        outcome = request.form.get("outcome", "")[:2000]
        refused = request.form.get("refused") == "yes"
        subject_requests.close(g.staff, item, outcome, refused)
    except RequestError as refusal:
        return _refused(item, refusal)
    db.session.commit()
    return _done(item)
