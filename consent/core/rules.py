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
    ASSERTED_BASES,
    CONSENT_DECISIONS,
    DIRECT_MARKETING,
    PROFILING,
    PROOF_EXEMPT_SOURCES,
    PROVING,
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
    assertion = active_assertion(purpose, events)
    return assertion.basis if assertion else purpose.basis


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
    """The direct_marketing-scope objection that covers this purpose on this channel, or None."""
    if purpose.category != DIRECT_MARKETING:
        return None
    return _latest(
        events,
        lambda e: (
            e.kind == "objection_recorded"
            and e.scope == DIRECT_MARKETING
            and _on_channel(e, channel)
        ),
    )


def _purpose_objection(purpose, channel, events):
    """The latest objection to this purpose itself that no override re-opened, or None."""
    # An override re-opens only a non-marketing purpose (Art. 21(3)).
    kinds = (
        ("objection_recorded",)
        if purpose.category == DIRECT_MARKETING
        else (
            "objection_recorded",
            "objection_overridden",
        )
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
    if basis == "legitimate_interest" or purpose.category == DIRECT_MARKETING:
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


def _needs_assertion(purpose, basis: str) -> bool:
    """Contract and the like always; legitimate interest for direct marketing, because the
    existing-customer exception (ePrivacy Art. 13(2)) holds only for proven customers."""
    return basis in ASSERTED_BASES or (
        basis == "legitimate_interest" and purpose.category == DIRECT_MARKETING
    )


def standing(purpose, channel: str, events) -> Decision:
    """The decision after all given events, before any consent lifetime runs out.

    This is what the state table stores; `decide()` adds the lapse at a given instant.
    """
    basis = basis_in_force(purpose, events)
    erasure = _latest(events, lambda e: e.kind == "erasure_completed")
    if erasure:
        return Decision(False, basis, "erased", erasure.id)
    restriction = _restriction(purpose, events)
    if restriction:
        return Decision(False, basis, "restricted", restriction.id)
    if purpose.retired:
        return Decision(False, basis, "retired")
    if channel not in purpose.channels:
        return Decision(False, basis, "channel_not_offered")
    objection, waiting = _objection(purpose, channel, basis, events)
    if waiting:
        return Decision(False, basis, "unconfirmed", waiting.id)
    if objection:
        return Decision(False, basis, "objected", objection.id)
    if basis == "consent":
        return _consent_decision(purpose, channel, events)
    assertion = active_assertion(purpose, events)
    if basis == "legitimate_interest" and (assertion or purpose.category != DIRECT_MARKETING):
        return Decision(True, basis, "legitimate_interest", assertion.id if assertion else None)
    if _needs_assertion(purpose, basis) and assertion is None:
        ended = _latest(events, lambda e: e.kind == "basis_ended" and _about(e, purpose))
        if ended:
            return Decision(False, basis, "basis_ended", ended.id)
        return Decision(False, basis, "basis_not_asserted")
    return Decision(True, basis, "basis_asserted", assertion.id)


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
    """Whether an event can change anything about this purpose."""
    return (
        event.purpose_id in (None, purpose.id)
        if event.scope != DIRECT_MARKETING
        else purpose.category == DIRECT_MARKETING
    )


def timeline(purpose, events) -> list[dict]:
    """Spans of the basis in force for one purpose: [{"basis", "from", "to"}], open last."""
    spans: list[dict] = []
    seen = []
    for event in events:
        seen.append(event)
        if not _about(event, purpose):
            continue
        basis = basis_in_force(purpose, seen)
        if spans and spans[-1]["basis"] == basis:
            continue
        if spans:
            spans[-1]["to"] = event.occurred_at
        spans.append({"basis": basis, "from": event.occurred_at, "to": None})
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


def consent_live(purpose, channel, events) -> bool:
    """Whether a consent decision still says "given" on the channel (None: on any channel)."""
    channels = purpose.channels if channel is None else [channel]
    latest = [_latest_consent(purpose, each, events) for each in channels]
    return any(event is not None and event.kind == "consent_given" for event in latest)


def objection_stands(purpose, channel, events) -> bool:
    """Whether the purpose is stopped by an objection on the channel (None: on all of them)
    that no choice waiting for confirmation would lift: a new objection supersedes one."""
    channels = purpose.channels if channel is None else [channel]
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
        if purpose.category != DIRECT_MARKETING:
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
    """ "Unsubscribe from all marketing" on a channel (None: every channel): withdraw every
    live consent of a direct-marketing purpose there, and object to direct marketing unless
    such an objection already stops all of it. Asserted bases are left as they are."""
    steps = []
    for purpose in purposes:
        if purpose.category != DIRECT_MARKETING or channel not in (None, *purpose.channels):
            continue
        if basis_in_force(purpose, events) == "consent" and consent_live(purpose, channel, events):
            steps.append(Step("consent_withdrawn", purpose, channel=channel))
    if not marketing_objection_stands(purposes, channel, events):
        steps.append(Step("objection_recorded", scope=DIRECT_MARKETING, channel=channel))
    return steps


def unsubscribe(purposes, channel, events) -> list[Step]:
    """One-click for named purposes on a channel: withdraw consent, or object where the basis
    is legitimate interest. Purposes on other asserted bases are left as they are."""
    steps = []
    for purpose in purposes:
        if channel is not None and channel not in purpose.channels:
            continue
        basis = basis_in_force(purpose, events)
        if basis == "consent" and consent_live(purpose, channel, events):
            steps.append(Step("consent_withdrawn", purpose, channel=channel))
        elif basis == "legitimate_interest" and not objection_stands(purpose, channel, events):
            steps.append(Step("objection_recorded", purpose, channel=channel))
    return steps


def gpc_objections(purposes, events) -> list[Step]:
    """Sec-GPC: 1 objects to every profiling purpose (Art. 21(5)), once per purpose for good:
    if the person later lifts it on the page, the signal their browser keeps sending must
    not overrule that explicit choice."""
    return [
        Step("objection_recorded", purpose)
        for purpose in purposes
        if purpose.category == PROFILING
        and not objection_stands(purpose, None, events)
        and not any(e.source == "gpc" and _about(e, purpose) for e in events)
    ]


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
    address erased on request is lifted, and for each purpose in scope whose choice on the
    channel (None: every channel) waits for it, the consent is confirmed and the objection
    it would lift withdrawn, limited to that purpose and channel."""
    steps = []
    suppression = _suppression(events)
    if suppression is not None:
        steps += [Step("suppression_lifted"), Step("restriction_ended")]
        events = [e for e in events if e is not suppression]
    for purpose in purposes:
        basis = basis_in_force(purpose, events)
        for each in purpose.channels:
            if channel not in (None, each):
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
        if any(standing(purpose, c, events).reason == "unconfirmed" for c in purpose.channels)
    ]
