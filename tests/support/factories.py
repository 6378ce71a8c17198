"""Small builders for test data, so each test states only what matters to it."""

from datetime import UTC, datetime, timedelta

from consent.core import ledger, purposes, subjects
from consent.core.database import db
from consent.core.models import Controller

# Tests replay pasts: people known since long ago, events dated as far back as they need.
KNOWN_SINCE = datetime(2000, 1, 1, tzinfo=UTC)
REPLAY = timedelta(days=365 * 40)
TEXTS = {
    "nl": ("Nieuwsbrief", "Wij sturen u onze nieuwsbrief."),
    "nb": ("Nyhetsbrev", "Vi sender deg nyhetsbrevet vårt."),
    "en": ("Newsletter", "We send you our newsletter."),
}
# Every notice states how long data is kept (Art. 13(2)(a)); tests give only title and text.
RETENTION = {
    "nl": "Zolang dit doel het vraagt.",
    "nb": "Så lenge formålet krever det.",
    "en": "As long as this purpose needs it.",
}


def _with_retention(texts: dict) -> dict:
    return {
        locale: {"title": value[0], "description": value[1], "retention": RETENTION[locale]}
        if isinstance(value, tuple)
        else value
        for locale, value in texts.items()
    }


class Factory:
    def controller(self, slug="acme", jurisdiction="NL", **fields) -> Controller:
        values = {
            "name": "Acme B.V.",
            "contact_email": "privacy@acme.example",
            "policy_url": "https://acme.example/privacy",
            "policy_version": "2026-01",
            "default_locale": "nl",
            "inactive_retention": "P10Y",
            "profile": {
                "legal": {
                    "registration": "KvK 12345678",
                    "address": "Keizersgracht 1, 1015 CJ Amsterdam",
                    "country": jurisdiction,
                },
                "dpo": {"name": "A. Privacy", "email": "dpo@acme.example", "address": ""},
                "representative": None,
                "authorities": {
                    "NL": {
                        "name": "Autoriteit Persoonsgegevens",
                        "url": "https://autoriteitpersoonsgegevens.nl",
                        "complaint_url": "https://autoriteitpersoonsgegevens.nl/klacht",
                        "default": True,
                    }
                },
                "marketing_regulators": {},
                "locales": ["nl", "nb", "en"],
                "timezone": "Europe/Amsterdam",
                "branding": {},
                "unsubscribe_mailto": None,
                "webhooks": [],
            },
        }
        values.update(fields)
        controller = Controller(slug=slug, **values)
        db.session.add(controller)
        db.session.flush()
        return controller

    def purpose(
        self,
        controller,
        slug="newsletter",
        basis="consent",
        category="direct_marketing",
        channels=("email",),
        texts=None,
        **fields,
    ):
        """A purpose; one of legitimate-interest marketing markets the controller's own
        similar products (the existing-customer exception) unless the test says otherwise."""
        if basis == "legitimate_interest" and category == "direct_marketing":
            fields.setdefault("similar_products", True)
        return purposes.define_purpose(
            controller,
            slug,
            _with_retention(texts or TEXTS),
            basis=basis,
            category=category,
            channels=list(channels),
            **fields,
        )

    def subject(self, controller, email="anna@example.test", locale="nl", external_id=None):
        """A person known since long ago, so a test may give them any past."""
        subject, _created = subjects.upsert(controller, email, external_id, locale)
        subject.created_at = KNOWN_SINCE
        return subject

    def record(self, subject, kind, purpose=None, source="api", mailbox_proof=None, **fields):
        """One event; from the preference page, as opened from a link the product mailed.
        Tests replay pasts freely: an occurred_at may lie any distance back, in order. A
        consent without a channel is one per channel of the purpose, in one interaction."""
        if mailbox_proof is None and source == "preference_page":
            mailbox_proof = "mailed_link"
        if kind == "basis_asserted" and fields.get("basis") == "legitimate_interest":
            # A proven customer's: the sale, and the choice to refuse offered then.
            fields.setdefault("sale_reference", fields.get("evidence"))
            fields.setdefault("opt_out_offered_at", fields.get("occurred_at") or KNOWN_SINCE)
        channels = [fields.pop("channel", None)]
        if kind == "consent_given" and channels == [None] and purpose and purpose.channels:
            channels = list(purpose.channels)
        return ledger.record(
            subject,
            [ledger.Change(kind, purpose=purpose, channel=c, **fields) for c in channels],
            source=source,
            actor="test",
            mailbox_proof=mailbox_proof,
            backdate_window=REPLAY,
        )
