"""Words for what staff record and read: request kinds, what a person said, the audit log's
actions, why a change was refused, and what is wrong with a catalogue file. Lazy, so they
render in the reader's language."""

from consent.core.catalogue.problems import FILE, Problem
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


# What can be wrong with a catalogue file (core/catalogue/problems.py), by code. The keys and
# values a sentence names are the file's own and stay as written.
CATALOGUE_PROBLEMS = {
    "not_yaml": _l("not valid YAML: %(error)s"),
    "not_a_mapping": _l("a catalogue is a list of keys with their values"),
    "boolean_key": _l('the key %(key)s reads as yes or no in YAML; write it in quotes ("%(key)s")'),
    "key_not_text": _l("the key %(key)s must be text; write it in quotes"),
    "boolean_value": _l(
        '%(value)s reads as yes or no in YAML; write true or false, or "%(value)s" in quotes '
        "for text"
    ),
    "unquoted_colour": _l("an unquoted #rrggbb is a comment in YAML; write it in quotes"),
    "missing": _l("missing"),
    "unknown_key": _l("unknown key"),
    "not_text": _l("%(value)s is not text; write it in quotes"),
    "wrong_type": _l("expected %(expected)s, found %(got)s"),
    "not_one_of": _l("%(value)s is not one of %(allowed)s"),
    "not_valid": _l("%(value)s is not valid here"),
    "empty": _l("must not be empty"),
    "repeated": _l("names the same value twice"),
    "invalid": _l("not valid: %(detail)s"),
    "default_locale_not_offered": _l("%(locale)s is not one of the locales"),
    "one_default_authority": _l("exactly one must be the default; found %(found)s"),
    "low_contrast": _l("%(colour)s has a contrast of %(ratio)s:1 on white, not 4.5:1"),
    "not_a_time_zone": _l("%(value)s is not an IANA time zone"),
    "not_a_duration": _l("%(value)s is not an ISO 8601 duration"),
    "slug_used_twice": _l("%(slug)s is used by %(other)s too"),
    "locale_not_offered": _l("not one of the offered locales"),
    "only_for_consent": _l("only a purpose based on consent has this"),
    "lifetime_not_stated": _l("missing (the consent lifetime is stated before consent is given)"),
    "only_for_direct_marketing": _l("only for a direct_marketing purpose"),
    "purpose_left_out": _l(
        "%(slug)s is missing; a purpose leaves the catalogue only through retired: true"
    ),
    "used_purpose_changed": _l(
        "%(old)s → %(new)s is not allowed for a purpose with events; add a new purpose and "
        "retire this one"
    ),
    "stays_retired": _l("a retired purpose stays retired; add a new one"),
    "another_controller": _l("%(slug)s is not %(own)s"),
}


def catalogue_problem(problem: str) -> str:
    """A catalogue problem in the reader's language: where in the file (as written), then
    what is wrong. A sentence the console wrote itself is already in it."""
    if not isinstance(problem, Problem):
        return problem
    sentence = CATALOGUE_PROBLEMS[problem.code] % problem.values
    return sentence if problem.where == FILE else f"{problem.where}: {sentence}"
