"""What a person can do from a signed link, as ledger changes: save, unsubscribe, object, erase.

No Flask here: the views read the request, call one of these and commit. Every operation
locks the subject before it compares what was asked with what stands, so two identical
submissions racing each other still record the change once.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from . import catalogue, ledger, rules, subjects
from .extensions import db
from .ledger import Change
from .models import Controller, Notice, Purpose, Receipt, State, Subject, utcnow
from .vocabulary import CATEGORIES, CONSENT_DECISIONS, DIRECT_MARKETING, UNVERIFIED_SOURCES

ACTOR = "subject"
PROFILING = "profiling"
# How a purpose is controlled on the page: a switch per channel, an objection, or nothing.
CONSENT, OBJECT, NONE = "consent", "object", "none"


class StaleNotice(ValueError):
    """The form names a notice version that does not exist: show the page again."""


@dataclass
class ChannelState:
    channel: str
    on: bool
    reason: str
    expires_at: datetime | None = None


@dataclass
class PurposeState:
    purpose: Purpose
    notice: Notice | None
    basis: str
    channels: list[ChannelState]

    @property
    def control(self) -> str:
        if self.basis == "consent":
            return CONSENT
        return OBJECT if self.basis == "legitimate_interest" else NONE

    @property
    def objected(self) -> bool:
        return any(c.reason == "objected" for c in self.channels)

    @property
    def reachable(self) -> bool:
        return any(c.on for c in self.channels)


@dataclass
class Outcome:
    """What one interaction recorded; receipt is None when nothing needed to change."""

    changes: list[Change] = field(default_factory=list)
    receipt: Receipt | None = None


def overview(controller: Controller, subject: Subject, locale: str, at=None) -> list[PurposeState]:
    """Every purpose of the controller with its notice, basis in force and state per channel."""
    at = at or utcnow()
    events = rules.in_order(ledger.events_of(subject))
    notices = catalogue.current_notices(controller, locale)
    result = []
    for purpose in controller.purposes:
        channels = []
        for channel in purpose.channels:
            decision = rules.lapsed(rules.standing(purpose, channel, events), at)
            channels.append(
                ChannelState(channel, decision.reachable, decision.reason, decision.expires_at)
            )
        basis = rules.basis_in_force(purpose, events)
        result.append(PurposeState(purpose, notices.get(purpose.id), basis, channels))
    return result


def grouped(states: list[PurposeState]) -> list[tuple[str, list[PurposeState]]]:
    """States by category, known categories first in vocabulary order."""
    order = {category: index for index, category in enumerate(CATEGORIES)}
    groups: dict[str, list[PurposeState]] = {}
    for state in states:
        groups.setdefault(state.purpose.category, []).append(state)
    return sorted(groups.items(), key=lambda item: order.get(item[0], len(order)))


def gpc_recorded(subject: Subject) -> bool:
    return any(event.source == "gpc" for event in ledger.events_of(subject))


def _apply(subject, changes, source, locale) -> Outcome:
    if not changes:
        return Outcome()
    receipt = ledger.record(subject, changes, source=source, actor=ACTOR, locale=locale)
    return Outcome(changes, receipt)


def _shown_notice(purpose: Purpose, version: str | None, locale: str) -> Notice:
    """The notice the person was shown, as named by the form's hidden fields."""
    try:
        number = int(version or "")
    except ValueError as error:
        raise StaleNotice(purpose.slug) from error
    notice = db.session.scalar(
        select(Notice).where(
            Notice.purpose_id == purpose.id, Notice.version == number, Notice.locale == locale
        )
    )
    if notice is None:
        raise StaleNotice(purpose.slug)
    return notice


def _given(purpose, notice, channel=None) -> Change:
    return Change(
        "consent_given",
        purpose=purpose,
        channel=channel,
        notice_version=notice.version,
        notice_hash=notice.text_hash,
    )


def save(controller, subject, form, locale) -> Outcome:
    """Record the difference between the submitted page and what stands now.

    `form` maps field names to values: `version-<slug>` for every purpose shown,
    `consent-<slug>-<channel>` for a ticked channel, `object-<slug>` for a ticked objection.
    Purposes without a version field were not on the submitted page and stay as they are.
    """
    ledger.lock(subject)
    changes = []
    for state in overview(controller, subject, locale):
        purpose, version = state.purpose, form.get(f"version-{state.purpose.slug}")
        if version is None or state.control == NONE:
            continue
        if state.control == CONSENT:
            for channel in state.channels:
                wanted = bool(form.get(f"consent-{purpose.slug}-{channel.channel}"))
                if wanted and not channel.on:
                    notice = _shown_notice(purpose, version, locale)
                    changes.append(_given(purpose, notice, channel.channel))
                elif channel.on and not wanted:
                    changes.append(Change("consent_withdrawn", purpose, channel=channel.channel))
            continue
        wanted = bool(form.get(f"object-{purpose.slug}"))
        if wanted and not state.objected:
            changes.append(Change("objection_recorded", purpose))
        elif state.objected and not wanted:
            # The person's own consent after an objection lifts it (rules._consent_after).
            changes.append(_given(purpose, _shown_notice(purpose, version, locale)))
    return _apply(subject, changes, "preference_page", locale)


def _latest_consent(purpose, channel, events):
    latest = None
    for event in events:
        if (
            event.kind in CONSENT_DECISIONS
            and event.purpose_id == purpose.id
            and (channel is None or event.channel in (None, channel))
        ):
            latest = event
    return latest


def _consent_live(purpose, channel, events) -> bool:
    """Whether a consent decision still says "given" on the channel (None: on any channel)."""
    channels = purpose.channels if channel is None else [channel]
    for each in channels:
        latest = _latest_consent(purpose, each, events)
        if latest is not None and latest.kind == "consent_given":
            return True
    return False


def _objection_stands(purpose, channel, events) -> bool:
    channels = purpose.channels if channel is None else [channel]
    return all(rules.standing(purpose, each, events).reason == "objected" for each in channels)


def _marketing_objection_stands(controller, channel, events) -> bool:
    """A direct_marketing objection covering `channel` that no later marketing consent lifted."""
    objection = None
    for event in events:
        if event.kind == "objection_recorded" and event.scope == DIRECT_MARKETING:
            if event.channel is None or event.channel == channel:
                objection = event
    if objection is None:
        return False
    marketing = {p.id for p in controller.purposes if p.category == DIRECT_MARKETING}
    return not any(
        e.kind == "consent_given"
        and e.purpose_id in marketing
        and (e.occurred_at, e.seq) > (objection.occurred_at, objection.seq)
        for e in events
    )


def _unsubscribe_changes(controller, channel, events) -> list[Change]:
    changes = []
    for purpose in controller.purposes:
        if purpose.category != DIRECT_MARKETING:
            continue
        if channel is not None and channel not in purpose.channels:
            continue
        if rules.basis_in_force(purpose, events) == "consent":
            if _consent_live(purpose, channel, events):
                changes.append(Change("consent_withdrawn", purpose, channel=channel))
    if not _marketing_objection_stands(controller, channel, events):
        changes.append(Change("objection_recorded", scope=DIRECT_MARKETING, channel=channel))
    return changes


def unsubscribe_all(controller, subject, locale, channel=None, source="preference_page"):
    """Withdraw every consent-based marketing purpose and object to direct marketing."""
    ledger.lock(subject)
    events = rules.in_order(ledger.events_of(subject))
    return _apply(subject, _unsubscribe_changes(controller, channel, events), source, locale)


def one_click(controller, subject, purposes, channel, locale) -> Outcome:
    """RFC 8058: withdraw the link's scope on its channel; a link for all purposes is
    an unsubscribe from all marketing. Purposes on asserted bases are left as they are."""
    if purposes is None:
        return unsubscribe_all(controller, subject, locale, channel, source="one_click")
    ledger.lock(subject)
    events = rules.in_order(ledger.events_of(subject))
    changes = []
    for slug in purposes:
        purpose = catalogue.purpose_by_slug(controller, slug)
        if purpose is None or (channel is not None and channel not in purpose.channels):
            continue
        basis = rules.basis_in_force(purpose, events)
        if basis == "consent" and _consent_live(purpose, channel, events):
            changes.append(Change("consent_withdrawn", purpose, channel=channel))
        elif basis == "legitimate_interest" and not _objection_stands(purpose, channel, events):
            changes.append(Change("objection_recorded", purpose, channel=channel))
    return _apply(subject, changes, "one_click", locale)


def scope_purposes(controller, purposes) -> list[Purpose]:
    """The purposes a link names, or all of the controller's."""
    if purposes is None:
        return list(controller.purposes)
    return [p for p in controller.purposes if p.slug in purposes]


def gpc(controller, subject, locale) -> Outcome:
    """Sec-GPC: 1 is an objection by automated means (Art. 21(5)) to profiling, recorded once.

    Once per purpose for good: if the person later lifts it on the page, the signal their
    browser keeps sending must not overrule that explicit choice.
    """
    ledger.lock(subject)
    events = rules.in_order(ledger.events_of(subject))
    changes = []
    for purpose in controller.purposes:
        if purpose.category != PROFILING:
            continue
        if any(e.source == "gpc" and e.purpose_id == purpose.id for e in events):
            continue
        if not _objection_stands(purpose, None, events):
            changes.append(Change("objection_recorded", purpose))
    return _apply(subject, changes, "gpc", locale)


def confirm(controller, subject, purposes, locale) -> Outcome:
    """Double opt-in: confirm consents in scope that came from an unverified source."""
    ledger.lock(subject)
    events = rules.in_order(ledger.events_of(subject))
    changes = []
    for purpose in scope_purposes(controller, purposes):
        latest = _latest_consent(purpose, None, events)
        if latest is None or latest.kind != "consent_given":
            continue
        if latest.source not in UNVERIFIED_SOURCES:
            continue
        confirmed = any(
            e.kind == "consent_confirmed"
            and e.purpose_id == purpose.id
            and (e.occurred_at, e.seq) > (latest.occurred_at, latest.seq)
            for e in events
        )
        if not confirmed:
            changes.append(Change("consent_confirmed", purpose, channel=latest.channel))
    return _apply(subject, changes, "preference_page", locale)


def erase(subject, locale):
    """Art. 17 from the page; the ledger keeps the pseudonymous proof."""
    return subjects.erase(subject, source="preference_page", actor=ACTOR, locale=locale)


def export(controller: Controller, subject: Subject) -> dict:
    """Art. 15/20: everything held about the person, machine-readable."""
    events = ledger.events_of(subject)
    slugs = {p.id: p.slug for p in controller.purposes}
    receipts = db.session.scalars(
        select(Receipt).where(Receipt.subject_id == subject.id).order_by(Receipt.created_at)
    )
    states = db.session.scalars(select(State).where(State.subject_id == subject.id))
    seen = {(e.purpose_id, e.notice_version, e.locale) for e in events if e.notice_version}
    notices = [
        notice
        for purpose_id, version, locale in sorted(seen, key=str)
        for notice in catalogue.notices(db.session.get(Purpose, purpose_id), version)
        if locale is None or notice.locale == locale
    ]
    return {
        "generated_at": utcnow().isoformat(),
        "controller": {
            "name": controller.name,
            "address": controller.address,
            "contact_email": controller.contact_email,
            "dpo_email": controller.dpo_email,
            "policy_url": controller.policy_url,
            "policy_version": controller.policy_version,
        },
        "subject": {
            "id": subject.public_id,
            "email": subject.email,
            "external_id": subject.external_id,
            "locale": subject.locale,
            "created_at": subject.created_at.isoformat(),
        },
        "state": [
            {
                "purpose": slugs.get(row.purpose_id),
                "channel": row.channel,
                "reachable": row.reachable,
                "basis": row.basis,
                "reason": row.reason,
                "expires_at": row.expires_at.isoformat() if row.expires_at else None,
            }
            for row in states
        ],
        "events": [_event_dict(e, slugs) for e in events],
        "receipts": [
            {"id": r.id, "created_at": r.created_at.isoformat(), "payload": r.payload, "jws": r.jws}
            for r in receipts
        ],
        "notices_seen": [
            {
                "purpose": slugs.get(n.purpose_id),
                "version": n.version,
                "locale": n.locale,
                "title": n.title,
                "description": n.description,
                "hash": n.text_hash,
            }
            for n in notices
        ],
    }


def _event_dict(event, slugs) -> dict:
    return {
        "id": event.id,
        "seq": event.seq,
        "kind": event.kind,
        "purpose": slugs.get(event.purpose_id),
        "scope": event.scope,
        "channel": event.channel,
        "basis": event.basis,
        "source": event.source,
        "notice_version": event.notice_version,
        "notice_hash": event.notice_hash,
        "locale": event.locale,
        "occurred_at": event.occurred_at.isoformat(),
        "recorded_at": event.recorded_at.isoformat(),
        "receipt_id": event.receipt_id,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }
