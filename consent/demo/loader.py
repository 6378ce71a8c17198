"""The demo: five controllers from their catalogue files, and people with histories.

The controllers go through `catalogue.apply`, as any organisation's file does. Every demo
history goes through `subjects.upsert` and `ledger.record`, exactly as the preference page,
widget and import would write it, so hash chains, state and receipts are the real thing.
Events are dated in the past, relative to the moment of loading, so the basis timelines and
the time-travel answers have something to show.
"""

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from consent.core import catalogue, ledger, purposes, signed_links, subjects
from consent.core.database import db
from consent.core.models import Controller, Subject, utcnow
from consent.core.vocabulary import DIRECT_MARKETING, ELECTRONIC_CHANNELS
from consent.demo.people import PEOPLE

CATALOGUES = Path(__file__).resolve().parent / "catalogues"

SELF_SERVICE = "data subject"
CRM = "crm-sync"
LINKED_PER_CONTROLLER = 2


def load() -> list[Controller]:
    """Apply the five catalogue files and give the demo people their histories; the caller
    commits. Meant for an empty database (the `demo` CLI command checks)."""
    now = utcnow()
    controllers = []
    for slug, people in PEOPLE.items():
        text = (CATALOGUES / f"{slug}.yaml").read_text(encoding="utf-8")
        catalogue.apply(catalogue.read(text), actor="demo")
        controller = purposes.controller_by_slug(slug)
        for person in people["cast"]:
            _live(controller, people["contract"], person, now)
        controllers.append(controller)
    db.session.flush()
    return controllers


def links() -> Iterator[str]:
    """Printable lines with a preference and a one-click URL for a few demo people each."""
    for slug, people in PEOPLE.items():
        controller = purposes.controller_by_slug(slug)
        if controller is None:
            continue
        shown = 0
        for person in people["cast"]:
            subject = subjects.by_email(controller, person["email"])
            if subject is None or subject.erased_at is not None:
                continue
            for use, scope in (("preferences", None), ("unsubscribe", ("newsletter",))):
                url = signed_links.url(_link(controller, subject, scope), use)
                yield f"{controller.slug:<12} {subject.email:<28} {use}: {url}"
            shown += 1
            if shown == LINKED_PER_CONTROLLER:
                break


def _link(controller: Controller, subject: Subject, scope) -> signed_links.Link:
    return signed_links.Link(
        controller.slug,
        subject.public_id,
        purposes=scope,
        channel="email",
        campaign="demo",
        locale=subject.locale,
        made_by="command:demo",
    )


def _live(controller: Controller, contract_slug: str, person: dict, now: datetime) -> None:
    """Give one demo person the history their story describes."""
    subject, _created = subjects.upsert(controller, person["email"], locale=person["locale"])
    story = STORIES[person["story"]]
    story(_Scene(controller, subject, contract_slug, person, now))


# How far back the stories reach (the lapsed consent is the oldest, 800 days).
HISTORY = timedelta(days=900)


class _Scene:
    """What a story needs: the subject, its purposes by slug, and a clock in the past."""

    def __init__(self, controller, subject, contract_slug, person, now):
        self.controller = controller
        self.subject = subject
        self.contract = contract_slug
        self.person = person
        self.now = now
        self.notices = purposes.current_notices(controller, subject.locale)
        # The stories replay a past: the person is known from its start.
        subject.created_at = now - HISTORY

    def purpose(self, slug):
        return purposes.purpose_by_slug(self.controller, slug)

    def ago(self, days: int) -> datetime:
        return self.now - timedelta(days=days)

    def consent(self, slug: str, days: int, kind: str = "consent_given") -> ledger.Change:
        """A decision on a notice: it records the exact version and hash the person saw."""
        purpose = self.purpose(slug)
        notice = self.notices[purpose.id]
        return ledger.Change(
            kind,
            purpose=purpose,
            channel="email" if "email" in purpose.channels else None,
            notice_version=notice.version,
            notice_hash=notice.text_hash,
            occurred_at=self.ago(days),
        )

    def assert_basis(self, slug: str, basis: str, days: int) -> ledger.Change:
        """A relationship the CRM documents; for the existing-customer exception also the
        sale and the moment the person was offered the choice to refuse (at the sale)."""
        purpose, contract = self.purpose(slug), self.person["contract"]
        customer_marketing = purpose.category == DIRECT_MARKETING
        return ledger.Change(
            "basis_asserted",
            purpose=purpose,
            basis=basis,
            evidence=f"existing customer, contract {contract}",
            sale_reference=contract if customer_marketing else None,
            opt_out_offered_at=self.ago(days) if customer_marketing else None,
            occurred_at=self.ago(days),
        )

    def record(self, changes, source: str, actor: str = SELF_SERVICE) -> None:
        """The stories' page visits start from links the product mailed to the person."""
        proof = "mailed_link" if source == "preference_page" else None
        ledger.record(
            self.subject,
            changes,
            source=source,
            actor=actor,
            locale=self.subject.locale,
            mailbox_proof=proof,
            backdate_window=HISTORY,
        )

    def become_customer(self, days: int) -> None:
        """The CRM reports a signed contract: every purpose on a basis other than consent
        now rests on that documented relationship (the contract itself, the existing-customer
        exception, the customer's service messages). Consent purposes stay on consent: a
        basis never changes under a person's feet. Sales calls are not asserted: by phone,
        marketing needs the person's consent for that channel (SPEC §2)."""
        changes = [
            self.assert_basis(purpose.slug, purpose.basis, days)
            for purpose in self.controller.purposes
            if purpose.basis != "consent"
            and not purpose.retired
            and not (
                purpose.category == DIRECT_MARKETING
                and not set(purpose.channels) & set(ELECTRONIC_CHANNELS)
            )
        ]
        self.record(changes, source="import", actor=CRM)


def _customer(scene: _Scene) -> None:
    """A prospect subscribes on the preference page; later their employer signs a contract."""
    extra = scene.person.get("extra_consents", [])
    scene.record(
        [scene.consent("newsletter", 420)] + [scene.consent(slug, 420) for slug in extra],
        source="preference_page",
    )
    scene.become_customer(150)


def _withdrew(scene: _Scene) -> None:
    """Subscribed through a signed link, then used the one-click unsubscribe."""
    scene.record([scene.consent("newsletter", 300)], source="preference_page")
    scene.record([scene.consent("newsletter", 40, "consent_withdrawn")], source="one_click")


def _objected(scene: _Scene) -> None:
    """A customer who objected to all direct marketing; contract messages still go."""
    scene.become_customer(500)
    objection = ledger.Change(
        "objection_recorded", scope="direct_marketing", occurred_at=scene.ago(60)
    )
    scene.record([objection], source="preference_page")


def _pending(scene: _Scene) -> None:
    """Signed up through the website widget two days ago and has not confirmed yet."""
    scene.record([scene.consent("newsletter", 2)], source="widget")


def _lapsed(scene: _Scene) -> None:
    """Consented longer ago than the newsletter's consent lifetime and never renewed."""
    scene.record([scene.consent("newsletter", 800)], source="preference_page")


def _erased(scene: _Scene) -> None:
    """A support customer who later asked to be forgotten (Art. 17)."""
    scene.record([scene.assert_basis(scene.contract, "contract", 400)], source="import", actor=CRM)
    subjects.erase(scene.subject, source="console", actor="privacy officer", locale="en")


STORIES = {
    "customer": _customer,
    "withdrew": _withdrew,
    "objected": _objected,
    "pending": _pending,
    "lapsed": _lapsed,
    "erased": _erased,
}
