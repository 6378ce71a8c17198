"""The proof bundle as a document a non-technical auditor or a court reads (issue: proof for
auditors): what happened in plain sentences, in the controller's time zone with its
abbreviation, the evidence of every asserted basis, the notice texts in full, and the
verification in one line; hashes, signatures and inclusion proofs go to an appendix.

The same bundle (consent/core/proof.py) stays the machine-readable proof; this module only
words it, so the API's `format=html` and the console print the same document.
"""

from datetime import datetime

from babel.dates import get_timezone
from flask import g, render_template
from flask_babel import format_date, format_time, get_locale, refresh

from consent.core.purposes import current_notices
from consent.web import labels
from consent.web.i18n import _, _l, ngettext

# One sentence per kind; the person, the purpose and the others are filled in.
SENTENCES = {
    "consent_given": _l("On %(date)s at %(time)s %(person)s agreed to “%(purpose)s”"),
    "consent_refused": _l("On %(date)s at %(time)s %(person)s refused consent to “%(purpose)s”"),
    "consent_confirmed": _l(
        "On %(date)s at %(time)s %(person)s confirmed their consent to “%(purpose)s” from "
        "their mailbox"
    ),
    "consent_withdrawn": _l(
        "On %(date)s at %(time)s %(person)s withdrew their consent to “%(purpose)s”"
    ),
    "consent_expired": _l(
        "On %(date)s at %(time)s the consent to “%(purpose)s” ended at the end of its lifetime"
    ),
    "objection_recorded": _l("On %(date)s at %(time)s %(person)s objected to “%(purpose)s”"),
    "objection_withdrawn": _l(
        "On %(date)s at %(time)s %(person)s withdrew their objection to “%(purpose)s”"
    ),
    "objection_overridden": _l(
        "On %(date)s at %(time)s %(controller)s rejected the objection to “%(purpose)s” on "
        "compelling legitimate grounds"
    ),
    "channel_disabled": _l(
        "On %(date)s at %(time)s %(person)s switched off all contact %(by_channel)s"
    ),
    "channel_enabled": _l(
        "On %(date)s at %(time)s %(person)s switched contact %(by_channel)s on again"
    ),
    "restriction_started": _l(
        "On %(date)s at %(time)s processing for “%(purpose)s” was restricted"
    ),
    "restriction_ended": _l(
        "On %(date)s at %(time)s the restriction of processing for “%(purpose)s” was lifted"
    ),
    "basis_asserted": _l(
        "On %(date)s at %(time)s %(controller)s recorded %(basis)s as the lawful basis for "
        "“%(purpose)s”"
    ),
    "basis_ended": _l(
        "On %(date)s at %(time)s %(controller)s ended %(basis)s as the lawful basis for "
        "“%(purpose)s”"
    ),
    "suppression_lifted": _l(
        "On %(date)s at %(time)s %(person)s confirmed from their mailbox that this address may "
        "receive messages again"
    ),
    "email_changed": _l(
        "On %(date)s at %(time)s %(person)s changed their email address, confirmed at the new "
        "address"
    ),
    "erasure_completed": _l(
        "On %(date)s at %(time)s the personal data of this person were erased; the record keeps "
        "only a coded (hashed) form"
    ),
}
# A restriction may cover the whole person rather than one purpose.
WHOLE_PERSON = {
    "restriction_started": _l(
        "On %(date)s at %(time)s all processing of this person was restricted"
    ),
    "restriction_ended": _l(
        "On %(date)s at %(time)s the restriction of all processing of this person was lifted"
    ),
}
BY_CHANNEL = {
    "email": _l("by email"),
    "phone": _l("by phone"),
    "sms": _l("by text message"),
    "post": _l("by post"),
}
THROUGH = {
    "preference_page": _l("on the preference page"),
    "one_click": _l("with the one-click unsubscribe link in an email"),
    "widget": _l("in the form on the website"),
    "gpc": _l("through the Global Privacy Control signal of their browser"),
    "api": _l("reported by our systems (API)"),
    "import": _l("in an import from our customer records"),
    "console": _l("as recorded by our staff"),
    "retention": _l("under our retention rules"),
    "esp": _l("as reported by our email service"),
}
# Why a person may or may not be contacted (consent/core/rules.py reasons), in words.
REASONS = {
    "consent_given": _l("consent given"),
    "never_asked": _l("never asked"),
    "refused": _l("consent refused"),
    "withdrawn": _l("consent withdrawn"),
    "lapsed": _l("consent expired"),
    "unconfirmed": _l("waiting for confirmation from the mailbox"),
    "legitimate_interest": _l("legitimate interest"),
    "basis_asserted": _l("lawful basis recorded"),
    "basis_ended": _l("lawful basis ended"),
    "basis_not_asserted": _l("no lawful basis recorded"),
    "soft_opt_in_conditions": _l("conditions for existing customers not met"),
    "standing_opt_out": _l("the person said no earlier"),
    "objected": _l("objection"),
    "restricted": _l("processing restricted"),
    "erased": _l("erased"),
    "retired": _l("purpose retired"),
    "channel_not_offered": _l("channel not offered"),
    "channel_disabled": _l("channel switched off"),
}
# The labels the preference page shows beside each part of a notice, so the proof names
# them as the person read them.
NOTICE_PARTS = {
    "lifetime": _l("How long your consent lasts"),
    "retention": _l("How long we keep the data"),
    "recipients": _l("Who receives it"),
    "transfers": _l("Transfers outside the EEA"),
    "source": _l("Where the data comes from"),
}


def render(controller, bundle: dict) -> str:
    """The printable proof of `bundle`, in the request's language and the controller's zone."""
    g.controller_timezone = controller.profile.get("timezone")
    refresh()
    return render_template("proof/bundle.html", doc=document(controller, bundle), bundle=bundle)


def document(controller, bundle: dict) -> dict:
    notices = current_notices(controller, str(get_locale()))
    titles = {p.slug: notices[p.id].title for p in controller.purposes if p.id in notices}
    person = _person(bundle["subject"])
    # The notice version each decision was taken on, also where only its receipt names it.
    shown = {e["id"]: n["version"] for n in bundle["notices"] for e in n["events"]}
    return {
        "generated": moment(bundle["generated_at"]),
        "person": person,
        "verification": _verification(bundle),
        "summary": [_summary(p, titles) for p in bundle["purposes"]],
        "statements": [
            _statement(e, titles, person, controller, shown.get(e["id"])) for e in bundle["events"]
        ],
        "notices": [
            {**n, "parts": [(NOTICE_PARTS[k], n[k]) for k in NOTICE_PARTS if n.get(k)]}
            for n in bundle["notices"]
        ],
    }


def moment(value: str | None) -> dict | None:
    """A stored instant as a date and a time in the controller's zone, with the zone's own
    abbreviation (CET, CEST) from the time zone database, and no microseconds."""
    if not value:
        return None
    instant = datetime.fromisoformat(value)
    zone = get_timezone(g.get("controller_timezone") or "UTC")
    abbreviation = instant.astimezone(zone).strftime("%Z")
    return {
        "date": format_date(instant, "long"),
        "time": f"{format_time(instant, 'HH:mm')} {abbreviation}",
    }


def _person(subject: dict) -> str:
    """The person as the document names them: the local part of their address, or a
    neutral word once erased."""
    email = subject.get("email")
    if not email:
        return _("the person")
    return email.rpartition("@")[0] + "@…"


def _verification(bundle: dict) -> dict:
    chain = bundle["chain"]
    problems = [*chain["problems"], *chain["state_problems"]]
    problems += [
        _("Receipt %(id)s: the signature or its events do not match.", id=r["id"])
        for r in bundle["receipts"]
        if not (r["signature_valid"] and r["events_match_ledger"])
    ]
    problems += [
        _("Notice “%(title)s”, version %(version)s: the text does not match its fingerprint.",
          title=n["title"], version=n["version"])
        for n in bundle["notices"]
        if not n["hash_verified"]
    ]  # fmt: skip
    when = moment(bundle["generated_at"])
    if problems:
        line = _("Verification on %(date)s FAILED: the record below cannot be relied on.", **when)
    else:
        line = ngettext(
            "Verified on %(date)s: the record of %(num)s event is complete and unchanged, every "
            "receipt is validly signed and every notice text matches its fingerprint.",
            "Verified on %(date)s: the record of %(num)s events is complete and unchanged, every "
            "receipt is validly signed and every notice text matches its fingerprint.",
            chain["length"],
            date=when["date"],
        )
    return {"ok": not problems, "line": line, "problems": problems}


def _summary(purpose: dict, titles: dict) -> dict:
    now = purpose["reachability"]["now"]
    return {
        "title": titles.get(purpose["slug"], purpose["slug"]),
        "basis": labels.BASES.get(purpose["default_basis"], purpose["default_basis"]),
        "channels": [
            {
                "channel": labels.CHANNELS.get(channel),  # None: a purpose without channels
                "reachable": answer["reachable"],
                "reason": REASONS.get(answer["reason"], answer["reason"]),
            }
            for channel, answer in now.items()
        ],
    }


def _statement(event: dict, titles: dict, person: str, controller, notice_version) -> dict:
    """One event as a sentence, with the evidence an assertion rests on."""
    when = moment(event["occurred_at"])
    purpose = event.get("purpose")
    wording = SENTENCES[event["kind"]]
    if event["kind"] in WHOLE_PERSON and purpose not in titles:
        wording = WHOLE_PERSON[event["kind"]]
    channel = event.get("channel")
    text = str(wording) % {
        **when,
        "person": person,
        "purpose": titles.get(purpose, purpose or ""),
        "controller": controller.name,
        "by_channel": BY_CHANNEL.get(channel, channel or ""),
        "basis": str(labels.BASES.get(event.get("basis"), event.get("basis") or "")).lower(),
    }
    details = []
    if channel and event["kind"] not in ("channel_disabled", "channel_enabled"):
        details.append(str(BY_CHANNEL.get(channel, channel)))
    if notice_version is not None:
        details.append(_("(notice version %(version)s, text below)", version=notice_version))
    if event.get("source") in THROUGH:
        details.append(str(THROUGH[event["source"]]))
    if event.get("mailbox_proof") == "mailed_link":
        details.append(_("(opened from a link we had mailed to that address)"))
    evidence = []
    if event.get("given_at") and event["given_at"] != event["occurred_at"]:
        evidence.append(
            _("The consent was given on %(date)s at %(time)s.", **moment(event["given_at"]))
        )
    if event.get("evidence"):
        evidence.append(_("Evidence: %(evidence)s.", evidence=event["evidence"].rstrip(".")))
    if event.get("sale_reference"):
        evidence.append(_("Sale reference: %(reference)s.", reference=event["sale_reference"]))
    if event.get("opt_out_offered_at"):
        evidence.append(
            _(
                "The person was offered the opt-out on %(date)s at %(time)s.",
                **moment(event["opt_out_offered_at"]),
            )
        )
    return {
        "seq": event["seq"],
        "sentence": " ".join([text, *details]) + ".",
        "evidence": evidence,
    }
