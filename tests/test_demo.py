"""The demo: five controllers from their catalogue files, their purposes and demo histories."""

import re
from urllib.parse import unquote

import pytest
from sqlalchemy import select

from consent.core import (
    catalogue,
    durations,
    integrity,
    ledger,
    purposes,
    rules,
    signed_links,
    subjects,
)
from consent.core.database import db
from consent.core.models import Controller, Notice, State, Subject
from consent.core.vocabulary import LOCALES
from consent.demo import loader
from consent.demo.people import PEOPLE

SLUGS = ["f-secure", "kaspersky", "netsecurity", "superoffice", "topdesk"]


@pytest.fixture
def loaded(app):
    loader.load()
    db.session.commit()
    return {c.slug: c for c in db.session.scalars(select(Controller))}


def _person(slug, story):
    return next(p for p in PEOPLE[slug]["cast"] if p["story"] == story)


def _state(controller, email, slug, channel="email"):
    subject = subjects.by_email(controller, email)
    purpose = purposes.purpose_by_slug(controller, slug)
    return db.session.get(State, (subject.id, purpose.id, channel))


def test_one_controller_per_statement_with_identity(loaded):
    assert sorted(loaded) == SLUGS
    for controller in loaded.values():
        assert controller.name and controller.policy_url.startswith("https://")
        assert "@" in controller.dpo_email and "@" in controller.contact_email
        assert controller.jurisdiction == controller.jurisdiction.upper()
        assert controller.legal["address"]
        durations.parse_duration(controller.inactive_retention)
    for slug in ("netsecurity", "superoffice"):
        assert loaded[slug].authority_for()["name"] == "Datatilsynet"
    assert loaded["netsecurity"].default_locale == "nb"
    for slug in ("f-secure", "topdesk", "kaspersky"):
        assert loaded[slug].authority_for()["name"] == "Autoriteit Persoonsgegevens"
    # A DPO only where the statement names one; a privacy contact otherwise.
    assert {slug for slug, c in loaded.items() if c.dpo} == {"superoffice", "kaspersky"}
    assert loaded["kaspersky"].profile["representative"]["address"]
    assert loaded["superoffice"].policy_version == "2018-03-20"
    assert loaded["f-secure"].inactive_retention == "P24M"


def test_every_controller_has_the_three_required_purposes(loaded):
    for controller in loaded.values():
        purposes = {p.slug: p for p in controller.purposes}
        newsletter = purposes["newsletter"]
        assert (newsletter.basis, newsletter.category) == ("consent", "direct_marketing")
        assert "email" in newsletter.channels and newsletter.double_opt_in
        assert newsletter.consent_lifetime == "P24M"
        customers = purposes["customer-marketing"]
        assert (customers.basis, customers.category) == ("legitimate_interest", "direct_marketing")
        assert "email" in customers.channels and not customers.double_opt_in
        contract = [p for p in purposes.values() if p.basis == "contract" and "email" in p.channels]
        assert contract, controller.slug
        assert len(purposes) >= 5, controller.slug


def test_every_purpose_has_a_notice_in_each_locale(loaded):
    for controller in loaded.values():
        for purpose in controller.purposes:
            notices = db.session.scalars(select(Notice).where(Notice.purpose_id == purpose.id))
            by_locale = {n.locale: n for n in notices}
            assert set(by_locale) == set(LOCALES), purpose.slug
            for notice in by_locale.values():
                assert notice.version == 1 and notice.title and len(notice.description) > 40
                assert notice.text_hash == purposes.hash_of(notice)
            assert len({n.description for n in by_locale.values()}) == 3, purpose.slug


def test_notices_speak_the_statements_legal_language(loaded):
    """Consent notices name consent and its withdrawal; legitimate interest names objection."""
    words = {
        ("consent", "nl"): ("toestemming", "intrekken"),
        ("consent", "nb"): ("samtykke", "trekke"),
        ("legitimate_interest", "nl"): ("gerechtvaardigd belang", "bezwaar"),
        ("legitimate_interest", "nb"): ("berettige", "protestere"),
        ("contract", "nl"): ("overeenkomst",),
        ("contract", "nb"): ("avtalen",),
    }
    for controller in loaded.values():
        for purpose in controller.purposes:
            if purpose.basis not in ("consent", "legitimate_interest") or (
                purpose.category not in ("direct_marketing", "research", "profiling")
            ):
                continue
            for locale in ("nl", "nb"):
                notice = purposes.current_notices(controller, locale)[purpose.id]
                for word in words[(purpose.basis, locale)]:
                    assert word in notice.description, (controller.slug, purpose.slug, locale)
        contract = purposes.purpose_by_slug(controller, PEOPLE[controller.slug]["contract"])
        for locale in ("nl", "nb"):
            notice = purposes.current_notices(controller, locale)[contract.id]
            assert words[("contract", locale)][0] in notice.description


def test_a_prospect_who_became_customer_keeps_the_newsletter_on_consent(loaded):
    """A purpose on consent stays on consent; the contract and the existing-customer
    marketing begin with the sale (basis_asserted with the contract as evidence)."""
    for slug, people in PEOPLE.items():
        controller = loaded[slug]
        subject = subjects.by_email(controller, _person(slug, "customer")["email"])
        events = rules.in_order(ledger.events_of(subject))
        newsletter = purposes.purpose_by_slug(controller, "newsletter")
        assert [s["basis"] for s in rules.timeline(newsletter, events)] == ["consent"]
        marketing = purposes.purpose_by_slug(controller, "customer-marketing")
        assert [s["basis"] for s in rules.timeline(marketing, events)] == ["legitimate_interest"]
        asserted = [e for e in events if e.kind == "basis_asserted"]
        assert all(e.evidence.startswith("existing customer, contract ") for e in asserted)
        contract = _state(controller, subject.email, people["contract"])
        assert contract.reachable and contract.basis == "contract"


def test_consents_record_the_notice_the_person_saw(loaded):
    controller = loaded["topdesk"]
    subject = subjects.by_email(controller, "anna.devries@example.nl")
    given = next(e for e in ledger.events_of(subject) if e.kind == "consent_given")
    notice = purposes.current_notices(controller, "nl")[given.purpose_id]
    assert (given.notice_version, given.notice_hash) == (notice.version, notice.text_hash)
    assert given.locale == "nl" and given.source == "preference_page"


def test_demo_histories_reach_the_states_their_stories_tell(loaded):
    for slug, people in PEOPLE.items():
        controller = loaded[slug]
        stories = {p["story"]: p["email"] for p in people["cast"]}
        if "withdrew" in stories:
            assert _state(controller, stories["withdrew"], "newsletter").reason == "withdrawn"
        if "pending" in stories:
            assert _state(controller, stories["pending"], "newsletter").reason == "unconfirmed"
        if "objected" in stories:
            email = stories["objected"]
            for slug in ("newsletter", "customer-marketing"):
                row = _state(controller, email, slug)
                assert not row.reachable and row.reason == "objected"
            assert _state(controller, email, people["contract"]).reachable
    lapsed = _state(loaded["f-secure"], "sanne.visser@example.nl", "newsletter")
    assert lapsed.expires_at is not None and lapsed.expires_at < ledger.utcnow()


def test_erased_demo_person_is_suppressed(loaded):
    controller = loaded["kaspersky"]
    erased = db.session.scalars(
        select(Subject).where(
            Subject.controller_id == controller.id, Subject.erased_at.is_not(None)
        )
    ).all()
    assert len(erased) == 1 and erased[0].email is None
    assert subjects.upsert(controller, "olivia.brown@example.com") == (None, False)


def test_ledger_verifies_after_loading(loaded):
    report = integrity.verify()
    assert report.ok, report.problems
    assert report.subjects == sum(len(people["cast"]) for people in PEOPLE.values())
    assert report.events > report.subjects


def test_controllers_command_prints_the_five_slugs(loaded, runner):
    result = runner.invoke(args=["consent", "controllers"])
    assert result.exit_code == 0
    assert result.output.split() == SLUGS


def test_links_are_signed_urls_under_the_public_base(loaded, app):
    lines = list(loader.links())
    base = app.config["PUBLIC_BASE_URL"]
    assert len(lines) == 2 * 2 * len(SLUGS)
    pattern = re.compile(r"^(\S+)\s+(\S+@\S+)\s+(preferences|unsubscribe): (\S+)$")
    for line in lines:
        slug, email, use, url = pattern.match(line).groups()
        assert url.startswith(f"{base}/{use}/")
        link = signed_links.read(unquote(url.rsplit("/", 1)[1]), use)
        subject = subjects.by_public_id(loaded[slug], link.subject)
        assert subject.email == email and link.locale == subject.locale
        assert link.purposes == (None if use == "preferences" else ("newsletter",))
        assert (link.channel, link.campaign) == ("email", "demo")


def test_demo_command_loads_once_and_prints_links(app, runner):
    result = runner.invoke(args=["consent", "demo"])
    assert result.exit_code == 0, result.output
    assert result.output.count("preferences: https://") == 2 * len(SLUGS)
    again = runner.invoke(args=["consent", "demo", "--if-empty"])
    assert again.exit_code == 0 and "demo data present" in again.output
    assert db.session.scalar(select(db.func.count(Controller.id))) == len(SLUGS)


@pytest.mark.parametrize("slug", SLUGS)
def test_each_demo_catalogue_round_trips(app, slug):
    text = (loader.CATALOGUES / f"{slug}.yaml").read_text()
    first = catalogue.apply(catalogue.read(text), actor="test")
    db.session.commit()
    assert first.created and not first.empty
    exported = catalogue.dump(catalogue.export(purposes.controller_by_slug(slug)))
    assert catalogue.apply(catalogue.read(exported), actor="test").empty
    assert catalogue.apply(catalogue.read(text), actor="test").empty


def test_purposes_a_statement_lacks_are_marked_as_demo_additions(loaded):
    additions = {(c.slug, p.slug) for c in loaded.values() for p in c.purposes if p.demo_addition}
    assert ("kaspersky", "customer-marketing") in additions
    assert ("topdesk", "newsletter") in additions
    assert not any(slug == "superoffice" for slug, _purpose in additions)
