"""Small builders for test data, so each test states only what matters to it."""

from consent.core import ledger, purposes, subjects
from consent.core.database import db
from consent.core.models import Controller

TEXTS = {
    "nl": ("Nieuwsbrief", "Wij sturen u onze nieuwsbrief."),
    "nb": ("Nyhetsbrev", "Vi sender deg nyhetsbrevet vårt."),
    "en": ("Newsletter", "We send you our newsletter."),
}


class Factory:
    def controller(self, slug="acme", **fields) -> Controller:
        values = {
            "name": "Acme B.V.",
            "address": {"streetAddress": "Keizersgracht 1", "addressCountry": "NL"},
            "phone": "+31 20 000 0000",
            "contact_email": "privacy@acme.example",
            "dpo_email": "dpo@acme.example",
            "jurisdiction": "NL",
            "authority_name": "Autoriteit Persoonsgegevens",
            "authority_url": "https://autoriteitpersoonsgegevens.nl",
            "policy_url": "https://acme.example/privacy",
            "policy_version": "2026-01",
            "default_locale": "nl",
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
        return purposes.define_purpose(
            controller,
            slug,
            texts or TEXTS,
            basis=basis,
            category=category,
            channels=list(channels),
            **fields,
        )

    def subject(self, controller, email="anna@example.test", locale="nl", external_id=None):
        subject, _created = subjects.upsert(controller, email, external_id, locale)
        return subject

    def record(self, subject, kind, purpose=None, source="api", **fields):
        return ledger.record(
            subject,
            [ledger.Change(kind, purpose=purpose, **fields)],
            source=source,
            actor="test",
        )
