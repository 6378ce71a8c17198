"""Words for what staff record and read: request kinds, what a person said, the audit log's
actions, and why a change was refused. Lazy, so they render in the reader's language."""

from consent.web.i18n import _l

REQUEST_KINDS = {
    "access": _l("Access to personal data (Art. 15)"),
    "rectification": _l("Rectification (Art. 16)"),
    "erasure": _l("Erasure (Art. 17)"),
    "restriction": _l("Restriction of processing (Art. 18)"),
    "objection": _l("Objection (Art. 21)"),
}
SAID = {
    "objection": _l("Objects (for example: do not call me any more)"),
    "withdrawal": _l("Withdraws consent"),
    "channel_off": _l("Wants nothing more through a channel"),
    "restriction": _l("Asks to restrict processing"),
    "restriction_end": _l("Lifts the restriction"),
    "override": _l("Objection overridden: compelling legitimate grounds"),
    "erasure": _l("Asks to erase their personal data"),
}
AUDIT_ACTIONS = {
    "person_viewed": _l("Viewed a person"),
    "proof_viewed": _l("Viewed a proof of consent"),
    "request_viewed": _l("Viewed a request"),
    "said_recorded": _l("Recorded what a person said"),
    "person_erased": _l("Erased a person"),
    "link_resent": _l("Sent a new preference link"),
    "request_recorded": _l("Recorded a request"),
    "request_extended": _l("Extended a request's deadline"),
    "request_linked": _l("Linked events to a request"),
    "request_closed": _l("Closed a request"),
    "log_exported": _l("Exported the staff log"),
    "catalogue_applied": _l("Changed the catalogue"),
    "account_disabled": _l("Disabled a staff account"),
    "account_password_set": _l("Set a new password for a staff account"),
}
# Why the ledger or the request rules refused a change, by their stable codes.
REFUSED = {
    "purpose_required": _l("Choose the purpose this is about."),
    "channel_required": _l("Choose the channel this is about."),
    "unknown_channel": _l("That purpose is not offered on this channel."),
    "override_refused": _l(
        "An objection to direct marketing, or to processing that serves it, can never be "
        "overridden."
    ),
    "reason_required": _l("Write down the reasons."),
    "personal_data_in_text": _l(
        "A reference holds a ticket or letter number, never an email address; write the "
        "rest in the note."
    ),
    "subject_erased": _l("This person's personal data has been erased."),
    "request_closed": _l("That request is already closed."),
    "closed": _l("That request is already closed."),
    "already_extended": _l("The deadline was extended already; it can be extended once."),
    "extension_too_late": _l(
        "The first month has passed: an extension had to be decided and told to the person "
        "within it."
    ),
    "outcome_required": _l("Link the events that answer the request, or say how it was answered."),
    "received_in_future": _l("The day received cannot be in the future."),
    "unknown_kind": _l("Choose what kind of request this is."),
}
REFUSED_OTHERWISE = _l("This change was refused.")


def refused(code: str) -> str:
    """The reason a change was refused, in words (the code for anything unforeseen)."""
    return str(REFUSED.get(code, REFUSED_OTHERWISE))
