"""Requests that arrive by mail or letter (Art. 12(3)): recorded with the day received, due
one month later, extendable once by two further months with a reason told to the person
within the first month, answered by the events that carry them out, then closed.

No Flask request here: the console reads the form, calls one of these and commits.
"""

import calendar
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from consent.core import outbox, purposes, staff_audit
from consent.core.database import db
from consent.core.models import Event, utcnow
from consent.core.staff_records import (
    INFORM_RECIPIENTS,
    REQUEST_KINDS,
    RequestAnswer,
    StaffNote,
    SubjectRequest,
)

EXTENSION_NOTICE = "request_extended"
REFUSAL_NOTICE = "request_refused"
FIRST_PERIOD, EXTENDED_PERIOD = 1, 3  # months after receipt (Art. 12(3))


class RequestError(ValueError):
    """A request change the rules refuse; `code` names why for the console's message."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day where it has no such day
    (a letter received on 31 January is due on 28 or 29 February)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def today(controller, now: datetime | None = None) -> date:
    """The date at the controller, where the letters arrive."""
    zone = ZoneInfo(controller.profile.get("timezone") or "UTC")
    return (now or utcnow()).astimezone(zone).date()


def record(staff, subject, kind, received_on: date, reference=None, note=None) -> SubjectRequest:
    """A request from a person whom staff identified (Art. 12(6)); due a month after receipt."""
    if kind not in REQUEST_KINDS:
        raise RequestError("unknown_kind")
    if subject.erased_at is not None:
        raise RequestError("subject_erased")
    if received_on > today(subject.controller):
        raise RequestError("received_in_future")
    request = SubjectRequest(
        controller_id=subject.controller_id,
        subject_id=subject.id,
        kind=kind,
        received_on=received_on,
        due_on=add_months(received_on, FIRST_PERIOD),
        reference=(reference or "").strip()[:200] or None,
        note=(note or "").strip() or None,
        recorded_by=staff.id,
        recorded_at=utcnow(),
    )
    db.session.add(request)
    db.session.flush()
    after = {"kind": kind, "received_on": str(received_on), "due_on": str(request.due_on)}
    staff_audit.log(staff, staff_audit.REQUEST_RECORDED, subject, request, after=after)
    return request


def extend(staff, request: SubjectRequest, reason: str) -> None:
    """Two more months, once, decided and told to the person within the first month."""
    reason = (reason or "").strip()
    if request.closed_at is not None:
        raise RequestError("closed")
    if request.extended_at is not None:
        raise RequestError("already_extended")
    if today(request.subject.controller) > request.due_on:
        raise RequestError("extension_too_late")
    if not reason:
        raise RequestError("reason_required")
    if request.subject.erased_at is not None:
        raise RequestError("subject_erased")
    before = {"due_on": str(request.due_on)}
    request.due_on = add_months(request.received_on, EXTENDED_PERIOD)
    request.extended_at = utcnow()
    request.extension_reason = reason
    controller = request.subject.controller
    locale = request.subject.locale or controller.default_locale
    outbox.enqueue(
        EXTENSION_NOTICE,
        controller,
        {"request": request.id, "locale": locale},
        subject=request.subject,
    )
    # The reason stays in the request (erased with the person), not in the insert-only log.
    after = {"due_on": str(request.due_on), "extended": True}
    staff_audit.log(staff, staff_audit.REQUEST_EXTENDED, request.subject, request, before, after)


def link(staff, request: SubjectRequest, event_ids, log=True) -> int:
    """Name the person's events that answer the request; how many were new."""
    linked = {answer.event_id for answer in request.answers}
    wanted = set(event_ids) - linked
    found = db.session.scalars(
        select(Event.id).where(Event.subject_id == request.subject_id, Event.id.in_(wanted))
    ).all()
    for event_id in sorted(found):
        request.answers.append(RequestAnswer(request_id=request.id, event_id=event_id))
    db.session.flush()
    if found and log:
        after = {"events": sorted(found)}
        staff_audit.log(staff, staff_audit.REQUEST_LINKED, request.subject, request, after=after)
    return len(found)


def close(staff, request: SubjectRequest, outcome: str, refused: bool = False) -> None:
    """Answered: by the events linked to it, or by what the outcome says (a letter sent
    with the person's data, a record corrected in the CRM). `refused`: not acted on, or not
    in full (the law makes the controller keep invoices, say); the outcome then holds the
    reasons, and the person is mailed them with their right to complain (Art. 12(4))."""
    outcome = (outcome or "").strip()
    if request.closed_at is not None:
        raise RequestError("closed")
    if refused and not outcome:
        raise RequestError("reason_required")
    if not outcome and not request.answers:
        raise RequestError("outcome_required")
    if refused and request.subject.erased_at is None:
        controller = request.subject.controller
        locale = request.subject.locale or controller.default_locale
        payload = {"request": request.id, "locale": locale, "reasons": outcome}
        outbox.enqueue(REFUSAL_NOTICE, controller, payload, subject=request.subject)
    request.closed_at = utcnow()
    request.closed_by = staff.id
    request.outcome = outcome or None
    request.refused = refused
    on_time = today(request.subject.controller) <= request.due_on
    after = {"closed": True, "on_time": on_time, "events": len(request.answers)}
    after["refused"] = refused
    staff_audit.log(staff, staff_audit.REQUEST_CLOSED, request.subject, request, after=after)


def by_id(controller, request_id) -> SubjectRequest | None:
    request = db.session.get(SubjectRequest, request_id) if isinstance(request_id, int) else None
    return request if request is not None and request.controller_id == controller.id else None


def queue(controller, closed=False, limit=200) -> list[SubjectRequest]:
    """Open requests, soonest due first (or the latest closed ones)."""
    query = select(SubjectRequest).where(SubjectRequest.controller_id == controller.id)
    if closed:
        query = query.where(SubjectRequest.closed_at.is_not(None))
        query = query.order_by(SubjectRequest.closed_at.desc())
    else:
        query = query.where(SubjectRequest.closed_at.is_(None))
        query = query.order_by(SubjectRequest.due_on, SubjectRequest.id)
    return list(db.session.scalars(query.limit(limit)))


def of_subject(subject) -> list[SubjectRequest]:
    query = select(SubjectRequest).where(SubjectRequest.subject_id == subject.id)
    return list(db.session.scalars(query.order_by(SubjectRequest.received_on.desc())))


def candidates(request: SubjectRequest) -> list[Event]:
    """The person's events since the request arrived that are not linked to it yet (the
    day each happened, like the day the request arrived, as a date at the controller)."""
    linked = {answer.event_id for answer in request.answers}
    query = select(Event).where(Event.subject_id == request.subject_id).order_by(Event.seq)
    controller, since = request.subject.controller, request.received_on
    return [
        e
        for e in db.session.scalars(query)
        if e.id not in linked and today(controller, now=e.occurred_at) >= since
    ]


def answers(request: SubjectRequest) -> list[Event]:
    ids = [answer.event_id for answer in request.answers]
    query = select(Event).where(Event.id.in_(ids)).order_by(Event.seq)
    return list(db.session.scalars(query)) if ids else []


def recipients_to_inform(request: SubjectRequest, locale: str) -> list[tuple]:
    """Art. 19: for an erasure or a restriction, each purpose the person's data served
    (any event of theirs names it) whose notice names recipients: (purpose, notice)."""
    if request.kind not in INFORM_RECIPIENTS:
        return []
    controller = request.subject.controller
    used = set(
        db.session.scalars(
            select(Event.purpose_id).where(
                Event.subject_id == request.subject_id, Event.purpose_id.is_not(None)
            )
        )
    )
    notices = purposes.current_notices(controller, locale)
    return [
        (purpose, notices[purpose.id])
        for purpose in controller.purposes
        if purpose.id in used and purpose.id in notices and notices[purpose.id].recipients
    ]


def forget(subject) -> None:
    """Erasure: staff notes about the person go, and so do the texts of their requests;
    the requests themselves stay as proof that they were answered, and when."""
    for note in db.session.scalars(select(StaffNote).where(StaffNote.subject_id == subject.id)):
        db.session.delete(note)
    for request in of_subject(subject):
        request.reference = request.note = request.outcome = request.extension_reason = None
