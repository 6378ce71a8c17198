"""The fixed words of the domain: event kinds, lawful bases, sources, channels, DPV IRIs."""

CONSENT = "consent"
BASES = (
    "consent",
    "contract",
    "legitimate_interest",
    "legal_obligation",
    "vital_interest",
    "public_task",
)
# Bases that hold only while asserted (with evidence) and not ended.
ASSERTED_BASES = ("contract", "legal_obligation", "vital_interest", "public_task")
GDPR_ARTICLE = {
    "consent": "a",
    "contract": "b",
    "legal_obligation": "c",
    "vital_interest": "d",
    "public_task": "e",
    "legitimate_interest": "f",
}
DPV = "https://w3id.org/dpv#"
DPV_BASIS = {
    "consent": DPV + "Consent",
    "contract": DPV + "Contract",
    "legitimate_interest": DPV + "LegitimateInterest",
    "legal_obligation": DPV + "LegalObligation",
    "vital_interest": DPV + "VitalInterest",
    "public_task": DPV + "PublicTask",
}
DPV_STATE = {
    "consent_given": DPV + "ConsentGiven",
    "consent_confirmed": DPV + "ConsentGiven",
    "consent_refused": DPV + "ConsentRefused",
    "consent_withdrawn": DPV + "ConsentWithdrawn",
    "consent_expired": DPV + "ConsentExpired",
    "objection_recorded": DPV + "LegitimateInterestObjected",
}


def gdpr_iri(basis: str) -> str:
    return f"https://w3id.org/dpv/legal/eu/gdpr#A6-1-{GDPR_ARTICLE[basis]}"


KINDS = (
    "consent_given",
    "consent_refused",
    "consent_confirmed",
    "consent_withdrawn",
    "consent_expired",
    "objection_recorded",
    "objection_withdrawn",
    "objection_overridden",
    "channel_disabled",
    "channel_enabled",
    "restriction_started",
    "restriction_ended",
    "basis_asserted",
    "basis_ended",
    "suppression_lifted",
    "email_changed",
    "erasure_completed",
)
CONSENT_DECISIONS = ("consent_given", "consent_refused", "consent_withdrawn", "consent_expired")
# Kinds that need no purpose: a restriction or erasure may cover the whole subject.
SUBJECT_WIDE_KINDS = (
    "channel_disabled",
    "channel_enabled",
    "restriction_started",
    "restriction_ended",
    "suppression_lifted",
    "email_changed",
    "erasure_completed",
)

SOURCES = (
    "preference_page",
    "one_click",
    "widget",
    "api",
    "import",
    "console",
    "retention",
    "gpc",
    # Mail-service events and mailto: unsubscribes, mapped through signed campaign metadata.
    "esp",
)

CHANNELS = ("email", "phone", "sms", "post")
# The state row of a purpose without channels (profiling, say) carries this in place of one.
NO_CHANNEL = ""
# The existing-customer exception covers electronic mail only (ePrivacy Art. 13(2)).
ELECTRONIC_CHANNELS = ("email", "sms")
DIRECT_MARKETING = "direct_marketing"
PROFILING = "profiling"
CATEGORIES = (DIRECT_MARKETING, "service", "support", PROFILING, "events", "research")
LOCALES = ("nl", "nb", "en")

# Language tags people and programs send, mapped to the locale they mean.
LOCALE_ALIASES = {"no": "nb", "nn": "nb", "nb": "nb", "nl": "nl", "en": "en"}


def normalise_locale(value: str | None) -> str | None:
    """'nb-NO', 'no_NO', 'NN' → 'nb'; 'nl-BE' → 'nl'; unknown → None."""
    if not value:
        return None
    language = value.strip().replace("_", "-").split("-")[0].lower()
    return LOCALE_ALIASES.get(language)


# How a decision proved it came from the holder of the mailbox (SPEC §3).
MAILBOX_PROOFS = ("mailed_link", "confirmation", "none")
PROVING = ("mailed_link", "confirmation")
# Doors that need no proof of the mailbox: staff who identified the sender, and retention.
PROOF_EXEMPT_SOURCES = ("console", "retention")
