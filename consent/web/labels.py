"""Words for the domain's fixed values (event kinds, channels, bases) in the reader's language.

Lazy strings: safe at import time, rendered in the locale of the request that shows them.
Templates reach them as the global `labels`.
"""

from consent.web.i18n import _l

KINDS = {
    "consent_given": _l("Consent given"),
    "consent_refused": _l("Consent refused"),
    "consent_confirmed": _l("Consent confirmed"),
    "consent_withdrawn": _l("Consent withdrawn"),
    "consent_expired": _l("Consent expired"),
    "objection_recorded": _l("Objection recorded"),
    "objection_overridden": _l("Objection overridden"),
    "restriction_started": _l("Processing restricted"),
    "restriction_ended": _l("Restriction lifted"),
    "basis_asserted": _l("Lawful basis recorded"),
    "basis_ended": _l("Lawful basis ended"),
    "erasure_completed": _l("Personal data erased"),
}
CHANNELS = {
    "email": _l("Email"),
    "phone": _l("Phone"),
    "sms": _l("Text message"),
    "post": _l("Post"),
}
BASES = {
    "consent": _l("Consent"),
    "contract": _l("Contract"),
    "legitimate_interest": _l("Legitimate interest"),
    "legal_obligation": _l("Legal obligation"),
    "vital_interest": _l("Vital interest"),
    "public_task": _l("Public task"),
}
