"""Mail that staff decisions owe a person, delivered by the worker from the outbox: the
Art. 12(4)/21(1) notice when an objection is overridden, and the Art. 12(3) notice when the
answer to a request takes longer. Both name the supervisory authority where the person lives
(Art. 77) and the right to a judicial remedy."""

from flask import render_template
from flask_babel import force_locale, format_date

from consent.core import purposes, subject_requests
from consent.core.database import db
from consent.core.models import Controller, Subject
from consent.core.staff_changes import OBJECTION_NOTICE
from consent.core.staff_records import SubjectRequest
from consent.web import mail
from consent.web.i18n import _l
from consent.web.staff_words import REQUEST_KINDS


def _person(message) -> tuple[Controller, Subject] | None:
    subject = db.session.get(Subject, message.subject_id)
    if subject is None or subject.erased_at is not None or not subject.email:
        return None
    return db.session.get(Controller, message.controller_id), subject


def _request_of(message):
    """(controller, subject, request, locale) a notice about a mailed request is for; None
    when the person or the request is gone."""
    found = _person(message)
    request = db.session.get(SubjectRequest, message.payload["request"])
    if found is None or request is None:
        return None
    return *found, request, message.payload["locale"]


def _send(controller, subject, locale: str, template: str, title, **values) -> None:
    """Render `mail/<template>.html` and its text twin in the person's language, and send
    them from the controller's sender; `title` is a lazy string, read in that language."""
    with force_locale(locale):
        context = {
            "controller": controller,
            "authority": controller.authority_for(subject.country),
            "contact": controller.dpo_email,
            "mail_locale": locale,
            **values,
        }
        text = render_template(f"mail/{template}_text.html", **context)
        html = render_template(f"mail/{template}.html", **context)
        mail.send(subject.email, str(title), text, html, controller)


def deliver_objection_notice(message) -> None:
    """Why the objection is not followed, and where the person may complain."""
    found = _person(message)
    if found is None:
        return
    controller, subject = found
    payload = message.payload
    locale = payload["locale"]
    purpose = purposes.purpose_by_slug(controller, payload["purpose"])
    notice = purposes.current_notices(controller, locale).get(purpose.id) if purpose else None
    _send(
        controller,
        subject,
        locale,
        "objection_notice",
        _l("About your objection at %(name)s", name=controller.name),
        purpose=notice.title if notice else payload["purpose"],
        grounds=payload["grounds"],
    )


def deliver_extension_notice(message) -> None:
    """The answer takes up to two more months: why, and by when (Art. 12(3))."""
    found = _request_of(message)
    if found is None:
        return
    controller, subject, request, locale = found
    with force_locale(locale):
        received, due = (format_date(day, "long") for day in (request.received_on, request.due_on))
    _send(
        controller,
        subject,
        locale,
        "request_extended",
        _l("Your request to %(name)s: we need more time", name=controller.name),
        kind=REQUEST_KINDS.get(request.kind, request.kind),
        received=received,
        due=due,
        reason=request.extension_reason or "",
    )


def deliver_refusal_notice(message) -> None:
    """Art. 12(4): the request is not acted on (in full): why, and where to complain."""
    found = _request_of(message)
    if found is None:
        return
    controller, subject, request, locale = found
    with force_locale(locale):
        received = format_date(request.received_on, "long")
    _send(
        controller,
        subject,
        locale,
        "request_refused",
        _l("Your request to %(name)s", name=controller.name),
        kind=REQUEST_KINDS.get(request.kind, request.kind),
        received=received,
        reasons=message.payload["reasons"],
    )


HANDLERS = {
    OBJECTION_NOTICE: deliver_objection_notice,
    subject_requests.EXTENSION_NOTICE: deliver_extension_notice,
    subject_requests.REFUSAL_NOTICE: deliver_refusal_notice,
}
