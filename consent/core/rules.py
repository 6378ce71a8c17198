"""SPEC §3 as pure functions over a subject's events: basis in force, reachability, timeline.

Nothing here touches the database or Flask. Events and purposes are read by attribute, so
ORM rows and plain dataclasses serve alike; a purpose also answers `settings_at(instant)`
with itself as its versioned settings stood then. Events must be given in ledger order
(occurred_at, then seq); `in_order()` sorts them.
"""

from dataclasses import dataclass
from datetime import datetime

from consent.core.durations import add_duration
from consent.core.vocabulary import (
    CHANNELS,
    CONSENT_DECISIONS,
    DIRECT_MARKETING,
    ELECTRONIC_CHANNELS,
    PROFILING,
    PROOF_EXEMPT_SOURCES,
    PROVING,
    SUBJECT_WIDE_KINDS,
)


@dataclass(frozen=True)
class Decision:
    """Whether a subject may be contacted, on which basis, and which event decided it."""

    reachable: bool
    basis: str
    reason: str
    event_id: str | None = None
    expires_at: datetime | None = None


def in_order(events):
    return sorted(events, key=lambda e: (e.occurred_at, e.seq))


def _about(event, purpose) -> bool:
    return event.purpose_id == purpose.id


def _on_channel(event, channel) -> bool:
    return event.channel is None or event.channel == channel


def _latest(events, test):
    found = None
    for event in events:
        if test(event):
            found = event
    return found


def _after(event, other) -> bool:
    """True when `event` comes later in the ledger than `other` (or other is None)."""
    return other is None or (event.occurred_at, event.seq) > (other.occurred_at, other.seq)


def active_assertion(purpose, events):
    """The latest basis_asserted for the purpose that no later basis_ended closed, or None."""
    active = {}
    for event in events:
        if not _about(event, purpose):
            continue
        if event.kind == "basis_asserted":
            active[event.basis] = event
        elif event.kind == "basis_ended":
            if event.basis is None:
                active.clear()
            else:
                active.pop(event.basis, None)
    return max(active.values(), key=lambda e: (e.occurred_at, e.seq), default=None)


def basis_in_force(purpose, events) -> str:
    """The purpose's own basis: it never changes under a person's feet (SPEC §2; a
    `basis_asserted` of another basis is refused by the ledger)."""
    return purpose.basis


def is_marketing(purpose) -> bool:
    """Direct marketing, or processing that serves it (profiling, ads, promotional surveys):
    an objection to direct marketing covers it and nothing overrides one (Art. 21(2)-(3))."""
    return purpose.category == DIRECT_MARKETING or bool(purpose.marketing_related)


def _restriction(purpose, events):
    """The restriction_started event in force for the purpose (None: subject-wide), or None."""
    active = {}
    for event in events:
        if event.purpose_id not in (None, purpose and purpose.id):
            continue
        if event.kind == "restriction_started":
            active[event.purpose_id] = event
        elif event.kind == "restriction_ended":
            active.pop(event.purpose_id, None)
    return active.get(None) or (purpose and active.get(purpose.id))


def proven(event) -> bool:
    """Whether the event came with proof of the mailbox, or from a door that needs none:
    staff who identified the sender (Art. 12(6)) and retention (SPEC §3)."""
    return event.mailbox_proof in PROVING or event.source in PROOF_EXEMPT_SOURCES


def _lifts(event, objection, purpose) -> bool:
    """Whether the event is the person's choice to lift `objection` for this purpose: their
    `objection_withdrawn` (of this purpose, or of direct marketing as a whole where that was
    the objection's scope) or their consent to this purpose."""
    if event.kind == "consent_given":
        return _about(event, purpose)
    if event.kind != "objection_withdrawn":
        return False
    return _about(event, purpose) or event.scope == objection.scope == DIRECT_MARKETING


def _lift(objection, purpose, channel, events):
    """(lifted, waiting): the later choice with proof that lifts the objection on the channel,
    else the latest such choice still waiting for the person to confirm it by mail."""
    waiting = None
    for event in events:
        if _after(event, objection) and _on_channel(event, channel):
            if _lifts(event, objection, purpose):
                if proven(event):
                    return event, None
                waiting = event
    return None, waiting


def _marketing_objection(purpose, channel, events):
    """The direct_marketing-scope objection that covers this purpose on this channel, or None.

    One made on a channel stops that channel; one without a channel stops them all; any of
    them stops a marketing-related purpose that has no channels (profiling, ads)."""
    if not is_marketing(purpose):
        return None
    return _latest(
        events,
        lambda e: (
            e.kind == "objection_recorded"
            and e.scope == DIRECT_MARKETING
            and (channel is None or _on_channel(e, channel))
        ),
    )


def _purpose_objection(purpose, channel, events):
    """The latest objection to this purpose itself that no override re-opened, or None."""
    # An override re-opens only a purpose that serves no marketing (Art. 21(3)).
    kinds = (
        ("objection_recorded",)
        if is_marketing(purpose)
        else ("objection_recorded", "objection_overridden")
    )
    latest = _latest(
        events,
        lambda e: (
            e.kind in kinds
            and _about(e, purpose)
            and e.scope != DIRECT_MARKETING
            and _on_channel(e, channel)
        ),
    )
    return None if latest is None or latest.kind == "objection_overridden" else latest


def _objection(purpose, channel, basis, events):
    """(objection, waiting) for the first objection that still stops the purpose on the
    channel, with the unconfirmed choice that would lift it; (None, None) when none does."""
    candidates = [_marketing_objection(purpose, channel, events)]
    if basis == "legitimate_interest" or is_marketing(purpose):
        candidates.append(_purpose_objection(purpose, channel, events))
    for objection in candidates:
        if objection is not None:
            lifted, waiting = _lift(objection, purpose, channel, events)
            if lifted is None:
                return objection, waiting
    return None, None


def _consent_decision(purpose, channel, events) -> Decision:
    latest = _latest(
        events,
        lambda e: e.kind in CONSENT_DECISIONS and _about(e, purpose) and _on_channel(e, channel),
    )
    if latest is None:
        return Decision(False, "consent", "never_asked")
    if latest.kind != "consent_given":
        reason = {
            "consent_refused": "refused",
            "consent_withdrawn": "withdrawn",
            "consent_expired": "lapsed",
        }
        return Decision(False, "consent", reason[latest.kind], latest.id)
    # A consent is judged by the double opt-in and lifetime in force when it was given.
    given_under = purpose.settings_at(latest.occurred_at)
    if given_under.double_opt_in and not proven(latest):
        confirmed = any(
            e.kind == "consent_confirmed"
            and _about(e, purpose)
            and _on_channel(e, channel)
            and _after(e, latest)
            for e in events
        )
        if not confirmed:
            return Decision(False, "consent", "unconfirmed", latest.id)
    expires_at = None
    if given_under.consent_lifetime:
        # A consent collected elsewhere lives from when it was given, not when recorded.
        given_at = latest.given_at or latest.occurred_at
        expires_at = add_duration(given_at, given_under.consent_lifetime)
    return Decision(True, "consent", "consent_given", latest.id, expires_at)


def _withdrawn_by_the_person(opt_out, purpose, channel, events) -> bool:
    """Whether the person undid their own no later, with proof of the mailbox: their
    `objection_withdrawn` or a new consent for this purpose on this channel."""
    return any(
        _after(e, opt_out)
        and e.kind in ("objection_withdrawn", "consent_given")
        and _about(e, purpose)
        and _on_channel(e, channel)
        and proven(e)
        for e in events
    )


def _standing_opt_out(purpose, channel, events):
    """A refusal, withdrawal or unsubscribe of this purpose on this channel that still
    stands: no later assertion resets it, only the person's own proven choice (SPEC §3
    rule 4; Tw 11.7 lid 3, mfl. § 15 tredje ledd)."""
    opt_out = _latest(
        events,
        lambda e: (
            e.kind in ("consent_refused", "consent_withdrawn")
            and _about(e, purpose)
            and _on_channel(e, channel)
        ),
    )
    if opt_out is None or _withdrawn_by_the_person(opt_out, purpose, channel, events):
        return None
    return opt_out


def soft_opt_in_holds(purpose, sale_reference, opt_out_offered_at, asserted_at) -> bool:
    """The existing-customer exception's conditions (SPEC §2): the purpose markets the
    controller's own similar products by an electronic channel; the assertion names the
    sale in which the address was obtained and when the person was first offered the
    choice to refuse (not after the assertion)."""
    return bool(
        purpose.similar_products
        and set(purpose.channels) & set(ELECTRONIC_CHANNELS)
        and sale_reference
        and opt_out_offered_at is not None
        and opt_out_offered_at <= asserted_at
    )


def _legitimate_interest(purpose, channel, events) -> Decision:
    basis = "legitimate_interest"
    if purpose.category == DIRECT_MARKETING and channel not in ELECTRONIC_CHANNELS:
        # Phone and post: the person's consent for that channel (stricter than the minimum).
        return _consent_decision(purpose, channel, events)
    assertion = active_assertion(purpose, events)
    if assertion is None:
        return _not_asserted(purpose, basis, events)
    if purpose.category == DIRECT_MARKETING:
        if not soft_opt_in_holds(
            purpose, assertion.sale_reference, assertion.opt_out_offered_at, assertion.occurred_at
        ):
            return Decision(False, basis, "soft_opt_in_conditions", assertion.id)
        opt_out = _standing_opt_out(purpose, channel, events)
        if opt_out is not None:
            return Decision(False, basis, "standing_opt_out", opt_out.id)
    return Decision(True, basis, "legitimate_interest", assertion.id)


def _not_asserted(purpose, basis, events) -> Decision:
    ended = _latest(events, lambda e: e.kind == "basis_ended" and _about(e, purpose))
    if ended:
        return Decision(False, basis, "basis_ended", ended.id)
    return Decision(False, basis, "basis_not_asserted")


def _channel_disabled(channel, events):
    """The person's `channel_disabled` for this channel that no proven `channel_enabled`
    followed (a bounce records one too), or None."""
    latest = _latest(
        events,
        lambda e: (
            (e.kind == "channel_disabled" or (e.kind == "channel_enabled" and proven(e)))
            and e.channel == channel
        ),
    )
    return latest if latest is not None and latest.kind == "channel_disabled" else None


def channel_setting(channel, events) -> str:
    """How the person set a channel for everything: "on", "off" (disabled), or "waiting"
    (enabled again without proof of the mailbox: it takes effect once they confirm)."""
    if _channel_disabled(channel, events) is None:
        return "on"
    latest = _latest(events, lambda e: e.kind == "channel_enabled" and e.channel == channel)
    disabled = _channel_disabled(channel, events)
    return "waiting" if latest is not None and _after(latest, disabled) else "off"


def known_only_through_unconfirmed_sign_ups(events) -> bool:
    """Every decision of the person still waits for double opt-in and nothing else is known
    of them: the address may not be theirs, so they reach nothing (SPEC §3 rule 3)."""
    given = [e for e in events if e.kind == "consent_given"]
    if not given or any(proven(e) for e in events):
        return False
    if any(e.kind in ("basis_asserted", "consent_confirmed") for e in events):
        return False
    return all(e.purpose is not None and e.purpose.double_opt_in for e in given)


def may_change(purpose, event) -> bool:
    """Whether adding `event` to a chain can change standing() of `purpose` on any channel.

    standing() reads only the purpose's own events, events about no purpose, objections to
    direct marketing as a whole (and their withdrawals) and the kinds that cover every
    purpose (a channel switched off or on for everything, an erasure): another purpose's
    event leaves this one's decision as it was (ledger.refresh_state relies on it)."""
    return (
        event.purpose_id is None
        or event.purpose_id == purpose.id
        or event.scope == DIRECT_MARKETING
        or event.kind in SUBJECT_WIDE_KINDS
    )


def standing(purpose, channel: str | None, events) -> Decision:
    """The decision after all given events, before any consent lifetime runs out.

    This is what the state table stores; `decide()` adds the lapse at a given instant.
    `channel` is None for a purpose without channels (profiling, say).
    """
    basis = purpose.basis
    erasure = _latest(events, lambda e: e.kind == "erasure_completed")
    if erasure:
        return Decision(False, basis, "erased", erasure.id)
    restriction = _restriction(purpose, events)
    if restriction:
        return Decision(False, basis, "restricted", restriction.id)
    if purpose.retired:
        return Decision(False, basis, "retired")
    if channel is not None:
        if channel not in purpose.channels:
            return Decision(False, basis, "channel_not_offered")
        disabled = _channel_disabled(channel, events)
        if disabled:
            return Decision(False, basis, "channel_disabled", disabled.id)
    objection, waiting = _objection(purpose, channel, basis, events)
    if waiting:
        return Decision(False, basis, "unconfirmed", waiting.id)
    if objection:
        return Decision(False, basis, "objected", objection.id)
    if basis == "consent":
        return _consent_decision(purpose, channel, events)
    if basis == "legitimate_interest":
        return _legitimate_interest(purpose, channel, events)
    assertion = active_assertion(purpose, events)
    if assertion is None:
        return _not_asserted(purpose, basis, events)
    return Decision(True, basis, "basis_asserted", assertion.id)


def in_force(purpose, channel: str | None, events) -> Decision:
    """standing(), with the choices that wait for the person's confirmation left out: until
    confirmed they have no effect (SPEC §3), so the decision before them holds: the objection
    a waiting withdrawal would lift, the withdrawal an unproven consent to a double opt-in
    purpose would undo, or, for a sign-up alone, never_asked."""
    decision = standing(purpose, channel, events)
    while decision.reason == "unconfirmed" and decision.event_id is not None:
        events = [event for event in events if event.id != decision.event_id]
        decision = standing(purpose, channel, events)
    return decision


def decide(purpose, channel: str, events, at: datetime) -> Decision:
    """reachable(subject, purpose, channel, at): SPEC §3, replayed from the ledger with the
    purpose's settings as they were in force at `at`."""
    past = purpose.settings_at(at)
    decision = standing(past, channel, [e for e in events if e.occurred_at <= at])
    return lapsed(decision, at)


def lapsed(decision: Decision, at: datetime) -> Decision:
    """The same decision seen at `at`: a consent past its lifetime no longer reaches."""
    if decision.reachable and decision.expires_at and at >= decision.expires_at:
        return Decision(False, decision.basis, "lapsed", decision.event_id, decision.expires_at)
    return decision


def touches(purpose, event) -> bool:
    """Whether an event can change anything about this purpose: a direct-marketing one
    reaches every purpose that serves marketing (is_marketing), as its objection does."""
    return (
        event.purpose_id in (None, purpose.id)
        if event.scope != DIRECT_MARKETING
        else is_marketing(purpose)
    )


def timeline(purpose, events) -> list[dict]:
    """When the purpose's basis held for this person: [{"basis", "from", "to"}], open last.

    Consent holds from the person's first decision on; any other basis from each assertion
    to the `basis_ended` that closes it (a contract from the sale to its end)."""
    about = [e for e in events if _about(e, purpose)]
    if purpose.basis == "consent":
        return [{"basis": "consent", "from": about[0].occurred_at, "to": None}] if about else []
    spans: list[dict] = []
    for event in about:
        open_span = spans and spans[-1]["to"] is None
        if event.kind == "basis_asserted" and not open_span:
            spans.append({"basis": purpose.basis, "from": event.occurred_at, "to": None})
        elif event.kind == "basis_ended" and open_span:
            spans[-1]["to"] = event.occurred_at
    return spans


# --- What a person's own choices change: every door asks these, none decides on its own. ---


@dataclass(frozen=True)
class Step:
    """One event a choice calls for, before the ledger gives it a place in the chain."""

    kind: str
    purpose: object = None
    scope: str | None = None
    channel: str | None = None


def _latest_consent(purpose, channel, events):
    """The latest consent decision for the purpose on the channel (None: on any channel)."""
    return _latest(
        events,
        lambda e: (
            e.kind in CONSENT_DECISIONS
            and _about(e, purpose)
            and (channel is None or e.channel in (None, channel))
        ),
    )


def _channels(purpose, channel) -> list:
    """The channel asked about, or all of the purpose's (None: a purpose without channels)."""
    if channel is not None:
        return [channel]
    return list(purpose.channels) or [None]


def consent_live(purpose, channel, events) -> bool:
    """Whether a consent decision still says "given" on the channel (None: on any channel)."""
    channels = _channels(purpose, channel)
    latest = [_latest_consent(purpose, each, events) for each in channels]
    return any(event is not None and event.kind == "consent_given" for event in latest)


def objection_stands(purpose, channel, events) -> bool:
    """Whether the purpose is stopped by an objection on the channel (None: on all of them)
    that no choice waiting for confirmation would lift: a new objection supersedes one."""
    channels = _channels(purpose, channel)
    return all(standing(purpose, each, events).reason == "objected" for each in channels)


def marketing_objection_stands(purposes, channel, events) -> bool:
    """Whether a direct-marketing objection covering `channel` (None: every channel) still
    stops every direct-marketing purpose there.

    The same test `standing()` applies per purpose: a later lift (proven or waiting for
    confirmation) counts only for that purpose and channel, so a consent by SMS leaves an
    email objection standing.
    """
    covering = _latest(
        events,
        lambda e: (
            e.kind == "objection_recorded"
            and e.scope == DIRECT_MARKETING
            and (e.channel is None or e.channel == channel)
        ),
    )
    if covering is None:
        return False
    for purpose in purposes:
        if not is_marketing(purpose):
            continue
        channels = purpose.channels if channel is None else [channel]
        for each in channels:
            if each not in purpose.channels:
                continue
            lifted, waiting = _lift(covering, purpose, each, events)
            if lifted or waiting:
                return False
    return True


def unsubscribe_all(purposes, channel, events) -> list[Step]:
    """ "Unsubscribe from all marketing" on a channel (None: every channel), SPEC §3: withdraw
    every live consent of a direct-marketing or marketing-related purpose there and of such
    purposes without channels, and object to direct marketing unless such an objection
    already stops all of it (it then covers purposes added later too)."""
    steps = []
    for purpose in purposes:
        if not is_marketing(purpose):
            continue
        if purpose.channels and channel not in (None, *purpose.channels):
            continue
        on = channel if purpose.channels else None
        if consent_live(purpose, on, events):
            steps.append(Step("consent_withdrawn", purpose, channel=on))
    if not marketing_objection_stands(purposes, channel, events):
        steps.append(Step("objection_recorded", scope=DIRECT_MARKETING, channel=channel))
    return steps


def unsubscribe(purposes, channel, events) -> list[Step]:
    """One-click for named purposes on a channel: withdraw a live consent, or object where
    the basis is legitimate interest. Purposes on other asserted bases are left as they are."""
    steps = []
    for purpose in purposes:
        if channel is not None and purpose.channels and channel not in purpose.channels:
            continue
        on = channel if purpose.channels else None
        if consent_live(purpose, on, events):
            steps.append(Step("consent_withdrawn", purpose, channel=on))
        elif purpose.basis == "legitimate_interest" and not objection_stands(purpose, on, events):
            steps.append(Step("objection_recorded", purpose, channel=on))
    return steps


def gpc_objections(purposes, events) -> list[Step]:
    """Sec-GPC: 1 (Art. 21(5)) stops every profiling purpose: a withdrawal of the live
    consent where the basis is consent, an objection otherwise. Once per purpose for good:
    if the person later chooses otherwise on the page, the signal their browser keeps
    sending must not overrule that explicit choice."""
    steps = []
    for purpose in purposes:
        if purpose.category != PROFILING or any(
            e.source == "gpc" and _about(e, purpose) for e in events
        ):
            continue
        if purpose.basis == "consent":
            steps += [
                Step("consent_withdrawn", purpose, channel=each)
                for each in _channels(purpose, None)
                if consent_live(purpose, each, events)
            ]
        elif not objection_stands(purpose, None, events):
            steps.append(Step("objection_recorded", purpose))
    return steps


# The reason of the restriction that holds a person re-created at an address erased on
# request until they confirm by mail that the mailbox is theirs (SPEC §3).
SUPPRESSED = "suppressed_address"


def _suppression(events):
    """The restriction holding a re-created person until they confirm, or None."""
    restriction = _restriction(None, events)
    return restriction if restriction and restriction.reason == SUPPRESSED else None


def suppression_holds(events) -> bool:
    return _suppression(in_order(events)) is not None


def confirmations(purposes, channel, events) -> list[Step]:
    """What a confirmation mailed to the address proves (SPEC §3): the suppression of an
    address erased on request is lifted, a channel turned on again is on, and for each
    purpose in scope whose choice on the
    channel (None: every channel) waits for it, the consent is confirmed and the objection
    it would lift withdrawn, limited to that purpose and channel."""
    steps = []
    suppression = _suppression(events)
    if suppression is not None:
        steps += [Step("suppression_lifted"), Step("restriction_ended")]
        events = [e for e in events if e is not suppression]
    # The mailbox is proved whichever channel is turned on again.
    steps += [
        Step("channel_enabled", channel=c)
        for c in CHANNELS
        if channel_setting(c, events) == "waiting"
    ]
    for purpose in purposes:
        basis = basis_in_force(purpose, events)
        for each in _channels(purpose, None):
            if channel not in (None, each) and each is not None:
                continue
            if standing(purpose, each, events).reason != "unconfirmed":
                continue
            objection, _waiting = _objection(purpose, each, basis, events)
            if objection is not None:
                steps.append(Step("objection_withdrawn", purpose, channel=each))
            latest = _latest_consent(purpose, each, events)
            if latest is not None and latest.kind == "consent_given" and not proven(latest):
                steps.append(Step("consent_confirmed", purpose, channel=each))
    return steps


def waiting_for_confirmation(purposes, events) -> list:
    """The purposes with a choice that takes effect only once the person confirms by mail:
    every one while a suppression holds the person."""
    if _suppression(events) is not None:
        return list(purposes)
    return [
        purpose
        for purpose in purposes
        if any(
            standing(purpose, c, events).reason == "unconfirmed" for c in _channels(purpose, None)
        )
    ]


def standing_no(purpose, events):
    """The person's no that stops this direct-marketing purpose on some channel (an
    objection, or a refusal, withdrawal or unsubscribe), or None: an assertion cannot
    reset it, so the ledger refuses one while it stands."""
    for channel in _channels(purpose, None):
        objection, _waiting = _objection(purpose, channel, purpose.basis, events)
        found = objection or _standing_opt_out(purpose, channel, events)
        if found is not None:
            return found
    return None
