"""Outgoing mail: SMTP when SMTP_HOST is set, otherwise a file in the local outbox folder."""

import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale

from consent.core import signed_links
from consent.core.purposes import current_notices
from consent.web.i18n import _


def send(to: str, subject: str, text: str, html: str | None = None) -> EmailMessage:
    """Send one message; raises smtplib/OSError errors for the caller to decide on."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=config["MAIL_FROM"].rpartition("@")[2] or None)
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


def send_fresh_link(to: str, controller, url: str, locale: str) -> EmailMessage:
    """The new preference link, in the person's language."""
    with force_locale(locale):
        context = {"controller": controller, "url": url, "mail_locale": locale}
        subject = _("Your new link to your privacy preferences at %(name)s", name=controller.name)
        text = render_template("mail/fresh_link_text.html", **context)
        html = render_template("mail/fresh_link.html", **context)
    return send(to, subject, text, html)


def send_confirmation(controller, subject, purposes, locale: str) -> bool:
    """Double opt-in: mail the signed link that proves the address is the person's.

    The consent is already recorded (unconfirmed); a mail failure is logged and reported,
    never allowed to undo it, and the person can ask again through the widget.
    """
    link = signed_links.Link(
        controller.slug,
        subject.public_id,
        purposes=tuple(p.slug for p in purposes),
        channel="email",
        locale=locale,
    )
    notices = current_notices(controller, locale)
    titles = [notices[p.id].title for p in purposes if p.id in notices]
    try:
        _send_confirmation(
            subject.email, controller, signed_links.url(link, "confirm"), titles, locale
        )
    except (smtplib.SMTPException, OSError) as error:
        current_app.logger.warning(
            "confirmation mail to subject %s failed: %s", subject.public_id, error
        )
        return False
    return True


def _send_confirmation(to: str, controller, url: str, titles: list[str], locale: str):
    with force_locale(locale):
        context = {"controller": controller, "url": url, "titles": titles, "mail_locale": locale}
        subject = _("Please confirm your subscription to %(name)s", name=controller.name)
        text = render_template("mail/confirm_text.html", **context)
        html = render_template("mail/confirm.html", **context)
    return send(to, subject, text, html)
