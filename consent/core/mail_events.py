"""What a mail service reports, as ledger changes: an unsubscribe, a complaint, a hard bounce.

Each report maps to a person and purpose only through the signed campaign metadata the
product put in the message (core/mail_refs.py), or, for a `mailto:` unsubscribe, through the
one-click token in its subject: an address alone is never used to guess who it was. Each
provider event id is kept once, so a retried or replayed delivery changes nothing; reports
that name nobody, or of a kind nothing is recorded for, are counted and left at that.

Nothing here lifts anything: a report is no proof of the mailbox (`mailbox_proof: none`),
and it only ever withdraws, objects or switches email off.
"""

import hashlib
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from consent.core import changes, ledger, mail_refs, rules, signed_links, subjects
from consent.core.database import db
from consent.core.ledger import Change
from consent.core.models import Controller, MailServiceEvent
from consent.core.vocabulary import DIRECT_MARKETING

PROVIDERS = ("sendgrid", "mailgun", "postmark", "ses")
# (required, optional): how many of the variables named in `credentials_env` each reads:
# SendGrid's verification key, Mailgun's signing key, Postmark's user and password, the SNS
# certificate for SES and, optionally, its topic ARN.
CREDENTIALS = {"sendgrid": (1, 0), "mailgun": (1, 0), "postmark": (2, 0), "ses": (1, 1)}
# The providers whose inbound mail (to `unsubscribe_mailto`) has a route of its own; SES
# receipts come through the same SNS route.
INBOUND = ("sendgrid", "mailgun", "postmark")
UNSUBSCRIBE, COMPLAINT, BOUNCE, UNKNOWN = "unsubscribe", "complaint", "bounce", "unknown"
SOURCE = "esp"
EMAIL = "email"
# What came of one report; `duplicate` is a provider event id seen before (no row is added).
OUTCOMES = ("recorded", "unchanged", "unmapped", "unknown", "duplicate")
_ID_LENGTH = 200


@dataclass(frozen=True)
class Notice:
    """One report, as a door read it from its provider's format."""

    provider_event_id: str
    provider_kind: str
    kind: str  # unsubscribe, complaint, bounce or unknown
    ref: str | None = None  # the X-Consent-Ref metadata the provider echoed
    mailto: str | None = None  # an inbound message's subject and recipients (mailto:)


def receive(controller: Controller, provider: str, notice: Notice) -> str:
    """Record what the report calls for, once per provider event id; its outcome.

    The caller commits: the seen id and the events it led to are one transaction, so a
    report is either fully taken or not at all (and a retry takes it then)."""
    event_id = notice.provider_event_id
    if len(event_id) > _ID_LENGTH:
        event_id = hashlib.sha256(event_id.encode()).hexdigest()
    row = MailServiceEvent(
        controller_id=controller.id,
        provider=provider,
        provider_event_id=event_id,
        provider_kind=(notice.provider_kind or "")[:64],
        kind=notice.kind,
        outcome=UNKNOWN,
    )
    try:
        # Two deliveries of one event racing each other: the second waits on the unique
        # index until the first commits, then finds it.
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        return "duplicate"
    if notice.kind == UNKNOWN:
        return UNKNOWN
    link = _link(notice)
    subject = _subject(controller, link)
    if subject is None:
        row.outcome = "unmapped"
        return row.outcome
    receipt = _apply(controller, provider, notice.kind, link, subject)
    row.outcome = "recorded" if receipt is not None else "unchanged"
    row.receipt_id = receipt.id if receipt is not None else None
    return row.outcome


def _link(notice: Notice) -> signed_links.Link | None:
    if notice.ref:
        try:
            return mail_refs.read(notice.ref)
        except mail_refs.UnreadableRef:
            return None
    if notice.mailto and notice.kind == UNSUBSCRIBE:
        return mail_refs.unsubscribe_link(notice.mailto)
    return None


def _subject(controller, link):
    if link is None or link.controller != controller.slug:
        return None
    subject = subjects.by_public_id(controller, link.subject)
    if subject is None or subject.erased_at is not None:
        return None
    return subject


def _apply(controller, provider, kind, link, subject):
    """The receipt of what was recorded, or None when it already stood."""
    locale = link.locale or subject.locale
    # The person acted (their unsubscribe, their complaint) through the provider's door.
    holder = changes.Holder("none", made_by=f"{SOURCE}:{provider}")
    if kind == UNSUBSCRIBE:
        outcome = changes.one_click(
            controller, subject, link.purposes, link.channel, locale, holder, source=SOURCE
        )
        return outcome.receipt
    history = ledger.lock(subject)
    events = rules.in_order(history)
    if kind == COMPLAINT:
        # "This is spam" objects to direct marketing by email, whatever the campaign was.
        if rules.marketing_objection_stands(controller.purposes, EMAIL, events):
            return None
        change, actor = Change("objection_recorded", scope=DIRECT_MARKETING, channel=EMAIL), None
    else:
        # A hard bounce: the address does not take mail; nobody chose anything.
        if rules.channel_setting(EMAIL, events) == "off":
            return None
        change, actor = Change("channel_disabled", channel=EMAIL), f"{SOURCE}:{provider}"
    return ledger.record(
        subject,
        [change],
        source=SOURCE,
        actor=actor or holder.actor,
        locale=locale,
        history=history,
        mailbox_proof="none",
    )


def counts(controller: Controller) -> dict[str, dict[str, int]]:
    """{provider: {outcome: n}}: how many reports each service sent and what came of them."""
    query = (
        select(MailServiceEvent.provider, MailServiceEvent.outcome, func.count())
        .where(MailServiceEvent.controller_id == controller.id)
        .group_by(MailServiceEvent.provider, MailServiceEvent.outcome)
    )
    result: dict[str, dict[str, int]] = {}
    for provider, outcome, n in db.session.execute(query):
        result.setdefault(provider, {})[outcome] = n
    return result
