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
    "objection_withdrawn": _l("Objection withdrawn"),
    "channel_disabled": _l("Channel switched off"),
    "channel_enabled": _l("Channel switched on"),
    "suppression_lifted": _l("Sign-up after erasure confirmed"),
    "email_changed": _l("Email address changed"),
}
# The door that recorded an event, as staff read it in a person's timeline.
SOURCES = {
    "preference_page": _l("Preference page"),
    "one_click": _l("One-click unsubscribe"),
    "widget": _l("Website form"),
    "gpc": _l("Browser privacy signal (GPC)"),
    "api": _l("API"),
    "import": _l("Import"),
    "console": _l("Staff console"),
    "retention": _l("Retention rules"),
    "esp": _l("Mail service"),
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
# Who MAY be contacted (SPEC §3 rule 2): the dashboard answers permission, not who has a
# number on file, which the product never holds.
MAY_CONTACT = {
    "email": _l("May be emailed"),
    "phone": _l("May be called"),
    "sms": _l("May be sent a text message"),
    "post": _l("May be sent post"),
}
STAFF_ROLES = {
    "marketer": _l("Marketer"),
    "auditor": _l("Auditor"),
    "admin": _l("Administrator"),
}
