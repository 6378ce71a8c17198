"""What a person can do from a signed link, as ledger changes: save, unsubscribe, object, erase.

No Flask here: the views read the request, call one of these and commit. Every operation
locks the subject before it compares what was asked with what stands, so two identical
submissions racing each other still record the change once.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from consent.core import ledger, purposes, rules, subjects
from consent.core.database import db
from consent.core.ledger import Change
from consent.core.models import Controller, Notice, Purpose, Receipt, Subject, utcnow
from consent.core.vocabulary import CHANNELS, DIRECT_MARKETING
from consent.core.vocabulary import ELECTRONIC_CHANNELS as ELECTRONIC

ACTOR = "subject"
# What a channel's switch on the page records: consent, an objection, or nothing.
CONSENT, OBJECT, NONE = "consent", "object", "none"
# Kinds whose effect may wait for the person to confirm by mail (SPEC §3).
MAY_WAIT = ("consent_given", "objection_withdrawn")


@dataclass(frozen=True)
class Holder:
    """Whoever acts through a signed link: what the link proved about the mailbox, and who
    made the link when the product did not mail it (a marketer's key, a command)."""

    proof: str = "none"
    made_by: str | None = None

    @property
    def actor(self) -> str:
        if self.proof != "none" or not self.made_by:
            return ACTOR
        return f"{ACTOR} via {self.made_by}"


CONFIRMED = Holder("confirmation")


class StaleNotice(ValueError):
    """The form names a notice version that does not exist: show the page again."""


@dataclass
class ChannelState:
    channel: str | None
    on: bool
    reason: str
    expires_at: datetime | None = None
    # What its switch records: consent, an objection, or nothing (a contract, the law).
    control: str = "none"

    @property
    def pending(self) -> bool:
        """Chosen, and waiting for the person to confirm by mail."""
        return self.reason == "unconfirmed"

    @property
    def said_no(self) -> bool:
        """The person objected, or their refusal or withdrawal stands, on this channel."""
        return self.reason in ("objected", "standing_opt_out")

    @property
    def key(self) -> str:
        """The name of its switch on the page ("any" for a purpose without channels)."""
        return self.channel or "any"


@dataclass
class PurposeState:
    purpose: Purpose
    notice: Notice | None
    basis: str
    channels: list[ChannelState]
    # Whether a relationship documents the basis for this person (a basis_asserted in force).
    asserted: bool = False

    @property
    def choosable(self) -> bool:
        """Whether the person has a switch here (not for a contract or the law)."""
        return any(c.control != NONE for c in self.channels)

    @property
    def reachable(self) -> bool:
        return any(c.on for c in self.channels)


@dataclass
class Outcome:
    """What one interaction recorded; receipt is None when nothing needed to change."""

    changes: list[Change] = field(default_factory=list)
    receipt: Receipt | None = None
    # Purposes whose new choice takes effect once the person confirms by mail ([] when only
    # a channel switched on again waits); None when nothing waits.
    waiting: list[Purpose] | None = None
    # The person's chain after the interaction, for an answer that shows where they stand.
    history: list | None = None


def _control(purpose, channel) -> str:
    """One kind of switch per channel, "on" meaning "you may": consent is given or
    withdrawn; under legitimate interest switching off objects (by phone and post a
    marketing purpose rests on consent for that channel, SPEC §2)."""
    if purpose.basis == "consent":
        return CONSENT
    if purpose.basis != "legitimate_interest":
        return NONE
    by_consent = purpose.category == DIRECT_MARKETING and channel not in (None, *ELECTRONIC)
    return CONSENT if by_consent else OBJECT


def overview(
    controller: Controller, subject: Subject, locale: str, at=None, history=None
) -> list[PurposeState]:
    """Every purpose of the controller with its notice, basis in force and state per channel.

    `history` is the subject's chain when the caller has it already (under the lock)."""
    at = at or utcnow()
    events = rules.in_order(ledger.events_of(subject) if history is None else history)
    notices = purposes.current_notices(controller, locale)
    result = []
    for purpose in controller.purposes:
        channels = []
        for channel in purpose.channels or [None]:
            decision = rules.lapsed(rules.standing(purpose, channel, events), at)
            channels.append(
                ChannelState(
                    channel,
                    decision.reachable,
                    decision.reason,
                    decision.expires_at,
                    _control(purpose, channel),
                )
            )
        basis = rules.basis_in_force(purpose, events)
        asserted = rules.active_assertion(purpose, events) is not None
        result.append(PurposeState(purpose, notices.get(purpose.id), basis, channels, asserted))
    return result


# The doors through which the person themselves chose (not their CRM, staff or retention).
PERSON_SOURCES = ("preference_page", "one_click", "widget", "gpc")


def own_choices(events) -> int:
    """How many of the person's events are their own choices."""
    return sum(1 for event in events if event.source in PERSON_SOURCES)


def first_recorded(subject: Subject, events):
    """When our record about the person begins: their first event, else when they became known."""
    return min((e.occurred_at for e in events), default=subject.created_at)


def gpc_recorded(events) -> bool:
    return any(event.source == "gpc" for event in events)


def _apply(controller, subject, changes, source, locale, history, holder: Holder) -> Outcome:
    if not changes:
        return Outcome(history=history)
    appended = []
    receipt = ledger.record(
        subject,
        changes,
        source=source,
        actor=holder.actor,
        locale=locale,
        history=history,
        mailbox_proof=holder.proof,
        appended=appended,
        controller=controller,
    )
    return Outcome(changes, receipt, waiting(subject, changes), history + appended)


def waiting(subject: Subject, changes: list[Change]) -> list[Purpose] | None:
    """The purposes these changes touched whose new choice waits for a confirmation mail
    ([] when only a channel switched on again waits); None when nothing waits. Withdrawals
    and objections never wait, so a one-click reads nothing more here."""
    touched = {c.purpose.id: c.purpose for c in changes if c.kind in MAY_WAIT and c.purpose}
    enabling = {c.channel for c in changes if c.kind == "channel_enabled"}
    if not touched and not enabling:
        return None
    events = rules.in_order(ledger.events_of(subject))
    purposes = rules.waiting_for_confirmation(list(touched.values()), events)
    if purposes or any(rules.channel_setting(c, events) == "waiting" for c in enabling):
        return purposes
    return None


def _shown_notice(purpose: Purpose, version: str, locale: str) -> Notice:
    """The notice the person was shown, as named by the form's hidden fields."""
    notice = version.isdigit() and db.session.scalar(
        select(Notice).where(
            Notice.purpose_id == purpose.id, Notice.version == int(version), Notice.locale == locale
        )
    )
    if not notice:
        raise StaleNotice(purpose.slug)
    return notice


def _given(purpose, notice, channel=None) -> Change:
    version, text_hash = notice.version, notice.text_hash
    return Change(
        "consent_given", purpose, channel=channel, notice_version=version, notice_hash=text_hash
    )


def channels_used(controller) -> list[str]:
    """The channels the controller's purposes use, in the vocabulary's order."""
    used = {c for purpose in controller.purposes if not purpose.retired for c in purpose.channels}
    return [c for c in CHANNELS if c in used]


def channel_settings(controller, events) -> dict[str, str]:
    """{channel: "on" | "off" | "waiting"} for the channels the page offers to turn off."""
    events = rules.in_order(events)
    return {c: rules.channel_setting(c, events) for c in channels_used(controller)}


def _channel_changes(controller, form, events) -> list[Change]:
    """A channel switched off is disabled for everything at once; one switched on again
    takes effect once the person confirms by mail, unless the link proved the mailbox."""
    shown = (form.get("channels-shown") or "").split(",")
    changes = []
    for channel in channels_used(controller):
        if channel not in shown:
            continue
        wanted = bool(form.get(f"channel-{channel}"))
        setting = rules.channel_setting(channel, events)
        if wanted and setting == "off":
            changes.append(Change("channel_enabled", channel=channel))
        elif not wanted and setting != "off":
            changes.append(Change("channel_disabled", channel=channel))
    return changes


def save(controller, subject, form, locale, holder: Holder) -> Outcome:
    """Record the difference between the submitted page and what stands now.

    `form` maps field names to values: `version-<slug>` for every purpose shown,
    `consent-<slug>-<channel>` for a ticked consent switch and `keep-<slug>-<channel>` for
    a legitimate-interest switch left on (`-any` for a purpose without channels);
    `channel-<channel>` for each channel left on of those listed in `channels-shown`.
    Purposes without a version field were not on the submitted page and stay as they are.
    A choice waiting for confirmation counts as made: saving it again records nothing.
    """
    history = ledger.lock(subject)
    changes = _channel_changes(controller, form, rules.in_order(history))
    for state in overview(controller, subject, locale, history=history):
        purpose, version = state.purpose, form.get(f"version-{state.purpose.slug}")
        if version is None:
            continue
        for channel in state.channels:
            if channel.control == CONSENT:
                wanted = bool(form.get(f"consent-{purpose.slug}-{channel.key}"))
                chosen = channel.on or channel.pending
                if wanted and not chosen:
                    notice = _shown_notice(purpose, version, locale)
                    changes.append(_given(purpose, notice, channel.channel))
                elif chosen and not wanted:
                    changes.append(Change("consent_withdrawn", purpose, channel=channel.channel))
            elif channel.control == OBJECT:
                kept = bool(form.get(f"keep-{purpose.slug}-{channel.key}"))
                if not kept and not channel.said_no:
                    changes.append(Change("objection_recorded", purpose, channel=channel.channel))
                elif kept and channel.said_no:
                    changes.append(Change("objection_withdrawn", purpose, channel=channel.channel))
    return _apply(controller, subject, changes, "preference_page", locale, history, holder)


def _record(controller, subject, steps, source, locale, history, holder: Holder) -> Outcome:
    changes = [Change(s.kind, s.purpose, scope=s.scope, channel=s.channel) for s in steps]
    return _apply(controller, subject, changes, source, locale, history, holder)


def unsubscribe_all(
    controller, subject, locale, holder: Holder, channel=None, source="preference_page"
):
    """Withdraw every consent-based marketing purpose and object to direct marketing."""
    history = ledger.lock(subject)
    steps = rules.unsubscribe_all(controller.purposes, channel, rules.in_order(history))
    return _record(controller, subject, steps, source, locale, history, holder)


def one_click(
    controller, subject, slugs, channel, locale, holder: Holder, source="one_click"
) -> Outcome:
    """RFC 8058: withdraw the link's scope on its channel; a link for all purposes is
    an unsubscribe from all marketing. A mail service reporting the same (its own
    unsubscribe link, a `mailto:` unsubscribe) records it with source `esp`."""
    if slugs is None:
        return unsubscribe_all(controller, subject, locale, holder, channel, source=source)
    history = ledger.lock(subject)
    in_scope = [p for p in controller.purposes if p.slug in slugs]
    steps = rules.unsubscribe(in_scope, channel, rules.in_order(history))
    return _record(controller, subject, steps, source, locale, history, holder)


def gpc(controller, subject, locale, holder: Holder) -> Outcome:
    """Sec-GPC: 1 is an objection by automated means (Art. 21(5)) to profiling, recorded once."""
    history = ledger.lock(subject)
    steps = rules.gpc_objections(controller.purposes, rules.in_order(history))
    return _record(controller, subject, steps, "gpc", locale, history, holder)


def confirm(controller, subject, slugs, channel, locale) -> Outcome:
    """The person clicked the confirmation mailed to them: what waited for it in scope takes
    effect (rules.confirmations)."""
    history = ledger.lock(subject)
    in_scope = [p for p in controller.purposes if slugs is None or p.slug in slugs]
    steps = rules.confirmations(in_scope, channel, rules.in_order(history))
    if any(step.kind == "suppression_lifted" for step in steps):
        subjects.lift_suppression(subject)
    return _record(controller, subject, steps, "preference_page", locale, history, CONFIRMED)


def hold_if_suppressed(subject: Subject) -> list[Change]:
    """A person re-created at an address erased on request is held (restricted) until they
    confirm by mail that the mailbox is theirs; nothing else tells them apart."""
    if not subjects.suppressed(subject) or rules.suppression_holds(ledger.events_of(subject)):
        return []
    return [Change("restriction_started", reason=rules.SUPPRESSED)]


def erase(subject, locale):
    """Art. 17 from the page; the ledger keeps the pseudonymous proof."""
    return subjects.erase(subject, source="preference_page", actor=ACTOR, locale=locale)
