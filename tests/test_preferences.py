"""The preference page: what it shows, and every state change made through it."""

import json
import re

from sqlalchemy import func, select

from consent.core import api_keys, purposes
from consent.core.database import db
from consent.core.models import Subject, Suppression
from consent.recipient.preferences import mask_email
from tests.support.pages import (
    OTHER_TEXTS,
    PROFILE_TEXTS,
    csrf_token,
    events,
    link_for,
    state,
    submit,
    world,
)


def test_mask_email():
    assert mask_email("anna@example.nl") == "a•••@e•••.nl"
    assert mask_email("x@localhost") == "x•••@l•••"
    assert mask_email(None) == "•••"


def test_page_shows_every_purpose_grouped_with_basis_in_plain_words(client, make):
    c, s, _p = world(make)
    response = client.get(f"/preferences/{link_for(c, s)}")
    html = response.get_data(True)
    assert response.status_code == 200
    assert html.index("Marketing") < html.index("Service messages") < html.index("profiling")
    for title in ("Newsletter", "Offers for customers", "Invoices and order confirmations"):
        assert title in html
    assert "We do this only with your consent." in html  # never asked: no "you agreed"
    assert "because you are a customer of ours" in html
    assert "because of the agreement with you or your organisation" in html
    assert "you will still receive service messages" in html
    assert 'name="consent-newsletter-email"' in html and 'name="consent-newsletter-sms"' in html
    assert 'name="keep-offers-email"' in html
    assert "consent-invoices" not in html and "keep-invoices" not in html
    assert "a•••@e•••.nl" in html and "anna.jansen" not in html
    assert "dpo@acme.example" in html and "Autoriteit Persoonsgegevens" in html
    assert "Off: you have not given consent" in html
    assert "Download my data" in html and "Erase my data" in html
    assert "Unsubscribe from all marketing" in html
    assert "<script>" not in html and "onclick" not in html


def test_give_consent_records_notice_seen_source_and_locale(client, make):
    c, s, p = world(make)
    response = submit(client, link_for(c, s), {"consent-newsletter-email": "on"})
    assert response.status_code == 200
    html = response.get_data(True)
    assert "Your choices have been saved" in html
    [given] = events(s, kind="consent_given")
    notice = [n for n in purposes.notices(p["newsletter"], 1) if n.locale == "en"][0]
    assert given.source == "preference_page" and given.locale == "en"
    assert given.channel == "email"
    assert (given.notice_version, given.notice_hash) == (1, notice.text_hash)
    assert state(s, p["newsletter"]).reachable
    assert not state(s, p["newsletter"], "sms").reachable
    assert given.receipt_id in html
    receipt_url = re.search(r'href="https://prefs\.example\.test(/receipts/[^"]+)"', html)[1]
    receipt_page = client.get(receipt_url)
    assert receipt_page.status_code == 200 and given.receipt_id in receipt_page.get_data(True)
    # what will still arrive: the contract messages and the newsletter by email
    still = html[html.index("What you will still receive") :]
    assert "Invoices and order confirmations" in still and "Newsletter" in still


def test_double_submit_records_nothing_twice(client, make):
    c, s, p = world(make)
    token = link_for(c, s)
    submit(client, token, {"consent-newsletter-email": "on"})
    count = len(events(s))
    again = submit(client, token, {"consent-newsletter-email": "on"})
    assert again.status_code == 200
    assert "Nothing needed to change" in again.get_data(True)
    assert len(events(s)) == count


def test_withdraw_on_one_channel_keeps_the_other(client, make):
    c, s, p = world(make)
    make.record(s, "consent_given", p["newsletter"], source="widget")
    db.session.commit()
    token = link_for(c, s)
    response = submit(client, token, {"consent-newsletter-email": None})
    assert response.status_code == 200
    [withdrawn] = events(s, kind="consent_withdrawn")
    assert withdrawn.channel == "email" and withdrawn.source == "preference_page"
    assert not state(s, p["newsletter"], "email").reachable
    assert state(s, p["newsletter"], "sms").reachable
    assert state(s, p["newsletter"], "email").reason == "withdrawn"


def test_object_to_legitimate_interest_and_lift_it(client, make):
    """Issue 14 item 2: one kind of switch; "on" means "you may". Switching a
    legitimate-interest purpose off on a channel objects there; on again lifts it."""
    c, s, p = world(make)
    token = link_for(c, s)
    assert state(s, p["offers"]).reachable
    page = client.get(f"/preferences/{token}").get_data(True)
    assert re.search(r'name="keep-offers-email" value="on" checked', page)
    submit(client, token, {"keep-offers-email": None})
    [objection] = events(s, kind="objection_recorded")
    assert (objection.purpose_id, objection.channel) == (p["offers"].id, "email")
    assert state(s, p["offers"]).reason == "objected"
    page = client.get(f"/preferences/{token}").get_data(True)
    assert not re.search(r'name="keep-offers-email" value="on" checked', page)
    assert "Off: you objected" in page
    # on again: the person withdraws their objection, from a link mailed to them
    submit(client, token, {"keep-offers-email": "on"})
    assert state(s, p["offers"]).reachable
    lifted = events(s)[-1]
    assert lifted.kind == "objection_withdrawn" and lifted.mailbox_proof == "mailed_link"


def test_contract_purpose_cannot_be_switched_off_from_the_page(client, make):
    c, s, p = world(make)
    submit(client, link_for(c, s), {"consent-invoices-email": "", "keep-invoices-email": ""})
    assert state(s, p["invoices"]).reachable
    assert events(s, purpose_id=p["invoices"].id)[-1].kind == "basis_asserted"


def test_a_purpose_missing_from_the_form_is_left_alone(client, make):
    c, s, p = world(make)
    make.record(s, "consent_given", p["newsletter"])
    db.session.commit()
    token = link_for(c, s)
    data = {
        "csrf_token": csrf_token(client, f"/preferences/{token}"),
        "notice_locale": "en",
        "version-offers": "1",
    }
    client.post(f"/preferences/{token}", data=data)
    assert state(s, p["newsletter"]).reachable


def test_unknown_notice_version_shows_the_page_again_and_records_nothing(client, make):
    c, s, p = world(make)
    token = link_for(c, s)
    count = len(events(s))
    response = submit(client, token, {"version-newsletter": "7", "consent-newsletter-email": "on"})
    assert response.status_code == 409
    assert "Some texts have changed" in response.get_data(True)
    assert len(events(s)) == count


def test_post_without_csrf_token_changes_nothing(client, make):
    c, s, p = world(make)
    token = link_for(c, s)
    response = client.post(
        f"/preferences/{token}",
        data={"notice_locale": "en", "version-newsletter": "1", "consent-newsletter-email": "on"},
    )
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(True)
    assert events(s, kind="consent_given") == []


def test_unsubscribe_from_all_marketing(client, make):
    c, s, p = world(make)
    make.record(s, "consent_given", p["newsletter"])
    db.session.commit()
    token = link_for(c, s)
    response = submit(client, token, {"action": "unsubscribe_all"})
    html = response.get_data(True)
    assert response.status_code == 200 and "Your choices have been saved" in html
    kinds = [(e.kind, e.scope) for e in events(s)[-2:]]
    assert kinds == [
        ("consent_withdrawn", "newsletter"),
        ("objection_recorded", "direct_marketing"),
    ]
    assert not state(s, p["newsletter"]).reachable
    assert not state(s, p["offers"]).reachable
    assert state(s, p["invoices"]).reachable  # contract messages continue
    assert state(s, p["profile"]).reachable  # not marketing
    count = len(events(s))
    submit(client, token, {"action": "unsubscribe_all"})
    assert len(events(s)) == count


def test_giving_consent_again_after_unsubscribing_from_all(client, make):
    c, s, p = world(make)
    token = link_for(c, s)
    submit(client, token, {"action": "unsubscribe_all"})
    submit(client, token, {"consent-newsletter-email": "on"})
    assert state(s, p["newsletter"]).reachable
    assert not state(s, p["offers"]).reachable


def test_download_my_data(client, make):
    c, s, p = world(make)
    token = link_for(c, s)
    submit(client, token, {"consent-newsletter-email": "on"})
    response = client.get(f"/preferences/{token}/export")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(True))
    assert data["subject"]["email"] == "anna.jansen@example.nl"
    kinds = [e["kind"] for e in data["events"]]
    assert kinds == ["basis_asserted", "basis_asserted", "basis_asserted", "consent_given"]
    assert len(data["receipts"]) == 4 and data["receipts"][-1]["jws"].count(".") == 2
    [seen] = data["notices_seen"]
    assert {"purpose": "newsletter", "version": 1, "locale": "en"}.items() <= seen.items()
    assert seen["title"] == "Newsletter"
    reachable = {(r["purpose"], r["channel"]): r["reachable"] for r in data["state"]}
    assert reachable[("newsletter", "email")] and not reachable[("newsletter", "sms")]
    assert data["controller"]["dpo_email"] == "dpo@acme.example"


def test_erasure_needs_confirmation(client, make):
    c, s, p = world(make)
    token = link_for(c, s, locale="en")
    url = f"/preferences/{token}/erase"
    page = client.get(url)
    assert page.status_code == 200 and "cannot be undone" in page.get_data(True)
    csrf = csrf_token(client, url)
    refused = client.post(url, data={"csrf_token": csrf})
    assert refused.status_code == 422
    assert db.session.get(Subject, s.id).erased_at is None
    done = client.post(url, data={"csrf_token": csrf, "confirm": "y"})
    assert done.status_code == 200 and "Your data has been erased" in done.get_data(True)
    db.session.expire_all()
    erased = db.session.get(Subject, s.id)
    assert erased.erased_at is not None and erased.email is None
    assert events(s)[-1].kind == "erasure_completed"
    assert events(s)[-1].source == "preference_page"
    assert db.session.scalar(select(func.count()).select_from(Suppression)) == 1
    after = client.get(f"/preferences/{token}")
    assert after.status_code == 400
    assert "This link no longer works" in after.get_data(True)


def test_double_opt_in_confirmation(client, make):
    c = make.controller()
    p = make.purpose(c, double_opt_in=True)
    s = make.subject(c)
    make.record(s, "consent_given", p, source="widget")
    db.session.commit()
    assert state(s, p).reason == "unconfirmed"
    token = link_for(c, s, "confirm", purposes=("newsletter",), locale="en")
    page = client.get(f"/confirm/{token}")
    assert page.status_code == 200 and "Confirm your subscription" in page.get_data(True)
    assert events(s, kind="consent_confirmed") == []  # a GET confirms nothing
    csrf = csrf_token(client, f"/confirm/{token}")
    done = client.post(f"/confirm/{token}", data={"csrf_token": csrf})
    assert done.status_code == 200 and "is confirmed" in done.get_data(True)
    assert state(s, p).reachable
    [confirmed] = events(s, kind="consent_confirmed")
    assert confirmed.source == "preference_page"
    client.post(f"/confirm/{token}", data={"csrf_token": csrf})
    assert len(events(s, kind="consent_confirmed")) == 1


def test_token_page_headers(client, make):
    c, s, _p = world(make)
    response = client.get(f"/preferences/{link_for(c, s)}")
    headers = response.headers
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cache-Control"] == "no-store"
    assert "noindex" in headers["X-Robots-Tag"]
    assert headers["X-Frame-Options"] == "DENY"
    csp = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    bad = client.get("/preferences/nonsense")
    assert bad.status_code == 400 and bad.headers["Referrer-Policy"] == "no-referrer"


def test_static_script_is_served(client):
    response = client.get("/static/preferences.js")
    assert response.status_code == 200 and b"preferences-form" in response.data
    response.close()


def test_legitimate_interest_marketing_without_a_customer_relationship_is_not_in_use(client, make):
    c = make.controller()
    make.purpose(c, slug="offers", basis="legitimate_interest", texts=OTHER_TEXTS)
    s = make.subject(c)
    db.session.commit()
    html = client.get(f"/preferences/{link_for(c, s, locale='en')}").get_data(True)
    assert "Not in use for you" in html and 'name="keep-offers-email"' in html


def test_the_authority_shown_is_the_one_where_the_person_lives(client, make):
    """Item 14 (Art. 77): before, every person saw the controller's one authority; now the
    page, the receipt and the proof name the authority of the person's country of residence
    where the catalogue lists one, and the marketing regulator for marketing complaints."""
    c, s, p = world(make)
    c.profile = {
        **c.profile,
        "authorities": {
            **c.profile["authorities"],
            "NO": {
                "name": "Datatilsynet",
                "url": "https://www.datatilsynet.no",
                "complaint_url": "https://www.datatilsynet.no/klage",
                "default": False,
            },
        },
        "marketing_regulators": {
            "NL": {"name": "Autoriteit Consument & Markt", "url": "https://www.acm.nl"},
            "NO": {"name": "Forbrukertilsynet", "url": "https://www.forbrukertilsynet.no"},
        },
    }
    db.session.commit()
    token = link_for(c, s)
    page = client.get(f"/preferences/{token}").get_data(True)
    assert "Autoriteit Persoonsgegevens" in page and "Autoriteit Consument" in page
    from consent.core import proof, subjects

    subjects.upsert(c, s.email, country="NO")
    db.session.commit()
    page = client.get(f"/preferences/{token}").get_data(True)
    assert "Datatilsynet" in page and "Forbrukertilsynet" in page
    # The country, named in the reader's language by Babel.
    assert "For people who live in Norway." in page
    assert "Noorwegen" in client.get(f"/preferences/{token}?lang=nl").get_data(True)
    assert "Norge" in client.get(f"/preferences/{token}?lang=nb").get_data(True)
    assert "Autoriteit Persoonsgegevens" not in page
    receipt = submit(client, token, {"consent-newsletter-email": "on"})
    assert receipt.status_code == 200
    [given] = events(s, kind="consent_given")
    from consent.core.models import Receipt

    payload = db.session.get(Receipt, given.receipt_id).payload
    assert payload["supervisoryAuthority"]["name"] == "Datatilsynet"
    bundle = proof.proof(c, s)
    assert bundle["controller"]["supervisory_authority"]["name"] == "Datatilsynet"
    assert bundle["controller"]["marketing_regulator"]["name"] == "Forbrukertilsynet"


def test_a_purpose_without_channels_has_one_switch_and_one_answer(client, make):
    """SPEC §3: for a purpose without channels (profiling) the channel is left out of
    decisions, checks and state. Before, such a purpose had no switch on the page, no state
    row and no answer; unsubscribing from all marketing left marketing profiling on."""
    c, s, p = world(make)
    tailoring = make.purpose(
        c, slug="tailoring", category="profiling", channels=(), marketing_related=True,
        texts=PROFILE_TEXTS,
    )  # fmt: skip
    db.session.commit()
    token = link_for(c, s)
    page = client.get(f"/preferences/{token}").get_data(True)
    assert 'name="consent-tailoring-any"' in page and "I agree to this" in page
    submit(client, token, {"consent-tailoring-any": "on"})
    [given] = events(s, kind="consent_given", purpose_id=tailoring.id)
    assert given.channel is None
    assert state(s, tailoring, "").reachable
    key = api_keys.create(c, "marketer")[1]
    db.session.commit()
    headers = {"Authorization": f"Bearer {key}"}
    listed = client.get("/api/v1/reachable?purpose=tailoring&count=1", headers=headers)
    assert listed.get_json() == {"count": 1}
    wrong = client.get("/api/v1/reachable?purpose=tailoring&channel=email", headers=headers)
    assert wrong.status_code == 422
    submit(client, token, {"action": "unsubscribe_all"})
    assert not state(s, tailoring, "").reachable
    assert events(s, kind="consent_withdrawn", purpose_id=tailoring.id, channel=None)


def test_counts_are_plural_forms_and_times_are_the_controllers(client, make):
    """Issue 14 item 4: before, the page read "1 registraties" and times were bare UTC."""
    c, s, p = world(make, locale="nl")
    token = link_for(c, s, locale="nl")
    answer = submit(client, token, {"consent-newsletter-email": "on"}, lang="nl")
    page = client.get(f"/preferences/{token}?lang=nl").get_data(True)
    assert "1 keuze van u vastgelegd" in page
    assert re.search(r"\b(CET|CEST)\b", answer.get_data(True))


def test_the_basis_sentence_follows_the_state_of_this_person(client, make):
    """Issue 14 item 1: before, "we send this because you agreed" stood next to "Off: you
    withdrew", and "because you are a customer" was said to prospects."""
    c, s, p = world(make)
    token = link_for(c, s)
    submit(client, token, {"consent-newsletter-email": "on"})
    page = client.get(f"/preferences/{token}").get_data(True)
    assert "You agreed to receive this." in page
    submit(client, token, {"consent-newsletter-email": None, "consent-newsletter-sms": None})
    page = client.get(f"/preferences/{token}").get_data(True)
    assert "You agreed to receive this." not in page and "Off: you withdrew" in page
    prospect = make.subject(c, email="prospect@example.nl")
    db.session.commit()
    page = client.get(f"/preferences/{link_for(c, prospect)}?lang=en").get_data(True)
    assert "because you are a customer" not in page
    assert "because of the agreement" not in page
    assert "This applies only if you or your organisation is a customer of ours." in page
    # Each switch names its purpose for a screen reader, not only its channel.
    assert 'Email<span class="visually-hidden">: Offers for customers</span>' in page


def test_each_purpose_states_its_art_13_details_before_the_choice(client, make):
    """Issue 14 item 3: retention, recipients, transfers, source and the consent lifetime are
    shown with the purpose, before the person chooses (they are part of the hashed text)."""
    c, s, _p = world(make)
    texts = {
        locale: {
            "title": f"Partner offers {locale}",
            "description": "Offers from our partners.",
            "lifetime": "24 months from your consent",
            "retention": "Until you withdraw, then 30 days",
            "recipients": "Our mailing service",
            "transfers": "None",
            "source": "You, on our website",
        }
        for locale in ("nl", "nb", "en")
    }
    make.purpose(c, "partner-offers", texts=texts)
    db.session.commit()
    page = client.get(f"/preferences/{link_for(c, s)}?lang=en").get_data(True)
    for label, value in (
        ("How long your consent lasts", "24 months from your consent"),
        ("How long we keep the data", "Until you withdraw, then 30 days"),
        ("Who receives it", "Our mailing service"),
        ("Transfers outside the EEA", "None"),
        ("Where the data comes from", "You, on our website"),
    ):
        assert f"<dt>{label}</dt><dd>{value}</dd>" in page


def test_the_page_names_every_right_and_who_is_responsible(client, make):
    """Issue 14 item 3: the rights section says how to restrict or ask anything else and the
    one-month answer time; the controller is named with its registration number."""
    c, s, _p = world(make)
    page = client.get(f"/preferences/{link_for(c, s)}?lang=nl").get_data(True)
    assert "Wij antwoorden binnen een maand." in page and "dpo@acme.example" in page
    assert "Toestemming intrekken of bezwaar maken" in page
    assert "<dt>Registratienummer</dt>" in page and "KvK 12345678" in page
