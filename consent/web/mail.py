"""Mail: what the doors queue, and how the worker sends it (SMTP when SMTP_HOST is set,
otherwise a file per message in the local mail folder)."""

import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale

from consent.core import outbox, signed_links, subjects
from consent.core.database import db
from consent.core.models import AddressChange, Controller, Subject
from consent.core.purposes import current_notices
from consent.web import branding
from consent.web.i18n import _


def send(to: str, subject: str, text: str, html: str | None, controller) -> EmailMessage:
    """Send one message to a person from the controller's (branded) sender; raises
    smtplib/OSError errors for the caller to decide on."""
    config = current_app.config
    message = EmailMessage()
    sender = config["MAIL_FROM"]
    message["From"] = branding.sender(controller, sender)
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    if config.get("SMTP_HOST"):
        _smtp(config, message)
    else:
        _outbox(Path(config["MAIL_OUTBOX"]), message)
    return message


def _smtp(config, message: EmailMessage) -> None:
    with smtplib.SMTP(config["SMTP_HOST"], int(config["SMTP_PORT"]), timeout=15) as smtp:
        if config.get("SMTP_STARTTLS"):
            smtp.starttls()
        if config.get("SMTP_USER"):
            smtp.login(config["SMTP_USER"], config.get("SMTP_PASSWORD", ""))
        smtp.send_message(message)


def _outbox(folder: Path, message: EmailMessage) -> None:
    """Development default: one .eml file per message, readable by any mail client."""
    folder.mkdir(parents=True, exist_ok=True)
    name = message["Message-ID"].strip("<>").replace("@", "_").replace("/", "_")
    (folder / f"{name}.eml").write_bytes(bytes(message))


# --- what the doors queue (in the transaction of the change), and how the worker sends it ---

FRESH_LINK, CONFIRMATION, NEW_ADDRESS = "fresh_link", "confirmation", "new_address"


def queue_fresh_link(controller, email: str, link_locale, fallback_locale: str, campaign):
    """The same row whether or not the address is known: the worker finds out, so the
    answer and the work of the request cannot tell an attacker who is known."""
    payload = {
        "email": email,
        "locale": link_locale,
        "fallback_locale": fallback_locale,
        "campaign": campaign,
    }
    outbox.enqueue(FRESH_LINK, controller, payload, recipient_hash=subjects.email_hash(email))


def queue_confirmation(controller, subject, purposes, locale: str) -> None:
    """Double opt-in: the signed link that proves the address is the person's."""
    payload = {"purposes": [p.slug for p in purposes], "locale": locale}
    outbox.enqueue(CONFIRMATION, controller, payload, subject=subject)


def deliver_fresh_link(message) -> None:
    """Mail a fresh preference link to a known, not erased person; drop it otherwise. Either
    way the address leaves the row with the delivery."""
    payload = message.payload
    controller = db.session.get(Controller, message.controller_id)
    subject = subjects.by_email(controller, payload["email"])
    if subject is not None and subject.erased_at is None:
        locale = payload["locale"] or subject.locale or payload["fallback_locale"]
        link = signed_links.Link(
            controller.slug,
            subject.public_id,
            locale=locale,
            campaign=payload["campaign"],
            made_by=signed_links.mailed_to(subject.email_hash),
        )
        url = signed_links.url(link, "preferences")
        with force_locale(locale):
            context = {"controller": controller, "url": url, "mail_locale": locale}
            title = _("Your new link to your privacy preferences at %(name)s", name=controller.name)
            text = render_template("mail/fresh_link_text.html", **context)
            html = render_template("mail/fresh_link.html", **context)
        send(subject.email, title, text, html, controller)
    message.payload = {"campaign": payload["campaign"]}
    message.recipient_hash = None


def deliver_confirmation(message) -> None:
    """Mail the double opt-in link for the purposes the consent named."""
    subject = db.session.get(Subject, message.subject_id)
    if subject is None or subject.erased_at is not None:
        return
    controller = db.session.get(Controller, message.controller_id)
    locale = message.payload["locale"]
    slugs = message.payload["purposes"]
    link = signed_links.Link(
        controller.slug,
        subject.public_id,
        purposes=tuple(slugs),
        channel="email",
        locale=locale,
        made_by=signed_links.mailed_to(subject.email_hash),
    )
    notices = current_notices(controller, locale)
    titles = [notices[p.id].title for p in controller.purposes if p.slug in slugs]
    with force_locale(locale):
        context = {
            "controller": controller,
            "url": signed_links.url(link, "confirm"),
            "titles": titles,
            "mail_locale": locale,
        }
        title = _("Please confirm your subscription to %(name)s", name=controller.name)
        text = render_template("mail/confirm_text.html", **context)
        html = render_template("mail/confirm.html", **context)
    send(subject.email, title, text, html, controller)


def queue_address_confirmation(controller, subject, change, locale: str) -> None:
    """Art. 16: the link that proves the new address is the person's, mailed to it."""
    payload = {"change": change.id, "locale": locale}
    outbox.enqueue(NEW_ADDRESS, controller, payload, subject=subject)


def deliver_address_confirmation(message) -> None:
    """Mail the confirmation of a change of address to the new address, if still asked."""
    subject = db.session.get(Subject, message.subject_id)
    change = db.session.get(AddressChange, message.payload["change"])
    if subject is None or subject.erased_at is not None or change is None:
        return
    controller = db.session.get(Controller, message.controller_id)
    locale = message.payload["locale"]
    link = signed_links.Link(
        controller.slug,
        subject.public_id,
        locale=locale,
        extra=change.id,
        made_by=signed_links.mailed_to(change.email_hash),
    )
    with force_locale(locale):
        context = {
            "controller": controller,
            "url": signed_links.url(link, "address"),
            "mail_locale": locale,
        }
        title = _("Confirm your new email address at %(name)s", name=controller.name)
        text = render_template("mail/new_address_text.html", **context)
        html = render_template("mail/new_address.html", **context)
    send(change.email, title, text, html, controller)


HANDLERS = {
    FRESH_LINK: deliver_fresh_link,
    CONFIRMATION: deliver_confirmation,
    NEW_ADDRESS: deliver_address_confirmation,
}
