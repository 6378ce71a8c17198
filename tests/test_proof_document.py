"""The printable proof reads as a document a non-technical auditor accepts: plain sentences in
the controller's time zone with its abbreviation, the evidence of every assertion, the
notice texts in full, the verification in one line, the technical details in an appendix;
the same in nl, nb and en, and a small history fits on two A4 pages."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from consent.core import api_keys
from consent.core.database import db
from tests.support.live import serving
from tests.support.pages import OTHER_TEXTS, PROFILE_TEXTS

GIVEN = datetime(2025, 10, 7, 12, 20, tzinfo=UTC)  # 14:20 in Amsterdam (CEST)
WITHDRAWN = datetime(2025, 12, 2, 9, 5, tzinfo=UTC)  # 10:05 in Amsterdam (CET)

EXPECTED = {
    "en": [
        "Verified on ",
        "On October 7, 2025 at 14:20 CEST anna.jansen@… agreed to “Newsletter” by email "
        "(notice version 1, text below) on the preference page "
        "(opened from a link we had mailed to that address).",
        "On December 2, 2025 at 10:05 CET anna.jansen@… withdrew their consent to "
        "“Newsletter” by email with the one-click unsubscribe link in an email.",
        "Acme B.V. recorded legitimate interest as the lawful basis for “Offers for customers”",
        "Evidence: order 17.",
        "Netherlands",
    ],
    "nl": [
        "Geverifieerd op ",
        "Op 7 oktober 2025 om 14:20 CEST gaf anna.jansen@… toestemming voor “Nieuwsbrief”",
        "Bewijs: order 17.",
        "Nederland",
    ],
    "nb": [
        "Bekreftet ",
        "Den 7. oktober 2025 kl. 14:20 CEST samtykket anna.jansen@… til «Nyhetsbrev»",
        "Dokumentasjon: order 17.",
        "Nederland",
    ],
}


@pytest.fixture
def history(make):
    """A customer since September 2025 who agreed to the newsletter and later withdrew."""
    c = make.controller()
    newsletter = make.purpose(c, channels=("email", "sms"))
    offers = make.purpose(c, slug="offers", basis="legitimate_interest", texts=OTHER_TEXTS)
    profile = make.purpose(
        c,
        slug="profile",
        basis="legitimate_interest",
        category="profiling",
        channels=(),
        texts=PROFILE_TEXTS,
    )
    s = make.subject(c, email="anna.jansen@example.nl", locale="en")
    s.country = "NL"
    for purpose in (offers, profile):
        make.record(
            s,
            "basis_asserted",
            purpose,
            basis="legitimate_interest",
            evidence="order 17",
            occurred_at=datetime(2025, 9, 1, 8, 0, tzinfo=UTC),
        )
    make.record(
        s, "consent_given", newsletter, channel="email", source="preference_page", occurred_at=GIVEN
    )
    make.record(
        s,
        "consent_withdrawn",
        newsletter,
        channel="email",
        source="one_click",
        occurred_at=WITHDRAWN,
    )
    _row, key = api_keys.create(c, "auditor")
    db.session.commit()
    return c, s, {"Authorization": f"Bearer {key}"}


@pytest.mark.parametrize("locale", ["en", "nl", "nb"])
def test_the_proof_reads_as_sentences_in_the_controllers_time(client, history, locale):
    _c, s, headers = history
    page = client.get(
        f"/api/v1/subjects/{s.public_id}/proof?format=html&lang={locale}", headers=headers
    )
    assert page.status_code == 200
    html = page.get_data(True).replace("&#34;", '"').replace("&#39;", "'")
    for expected in EXPECTED[locale]:
        assert expected in html, expected
    # No instant is shown as UTC with microseconds in the document before the appendix.
    readable = html.split('class="appendix"')[0]
    assert "+00:00" not in readable and "T12:20" not in readable
    # The notice text the person saw, in full, and the technical details after it.
    assert readable.count('class="notice-text"') >= 1
    assert "SHA-256" not in readable and "SHA-256" in html


def test_a_purpose_without_channels_has_its_own_answer(client, history):
    _c, s, headers = history
    url = f"/api/v1/subjects/{s.public_id}/proof"
    bundle = client.get(url, headers=headers).get_json()
    [profile] = [p for p in bundle["purposes"] if p["slug"] == "profile"]
    assert list(profile["reachability"]["now"]) == [""]
    assert profile["reachability"]["now"][""]["reachable"] is True
    html = client.get(f"{url}?format=html&lang=en", headers=headers).get_data(True)
    row = html.split("<td>Interest profile</td>")[1].split("</tr>")[0]
    assert "<strong>yes</strong> (legitimate interest)" in row and "Email" not in row


def test_a_broken_record_says_so_in_the_first_line(client, history, insider):
    _c, s, headers = history
    db.session.execute(text("UPDATE events SET evidence = 'forged' WHERE kind = 'basis_asserted'"))
    db.session.commit()
    db.session.expire_all()
    page = client.get(f"/api/v1/subjects/{s.public_id}/proof?format=html&lang=en", headers=headers)
    html = page.get_data(True)
    assert "FAILED: the record below cannot be relied on." in html
    assert "Verified on" not in html


@pytest.mark.parametrize("locale", ["nl", "nb", "en"])
def test_a_small_history_prints_on_two_a4_pages(app, browser, history, locale):
    _c, s, headers = history
    with serving(app) as server:
        context = browser.new_context(extra_http_headers=headers)
        try:
            page = context.new_page()
            page.goto(f"{server}/api/v1/subjects/{s.public_id}/proof?format=html&lang={locale}")
            page.emulate_media(media="print")
            # A4 less the page margins (210 × 297 mm, 15/16 mm margins) at 96 px per inch.
            page.set_viewport_size({"width": 680, "height": 1001})
            appendix_top = page.evaluate(
                "document.querySelector('.appendix').getBoundingClientRect().top + scrollY"
            )
            assert appendix_top <= 2 * 1001
            assert page.locator(".languages").is_hidden()
            pdf = page.pdf(format="A4")
            assert pdf.startswith(b"%PDF")
        finally:
            context.close()


def test_every_event_kind_and_source_has_its_words():
    from consent.core import vocabulary
    from consent.web import proof_document

    assert set(proof_document.SENTENCES) == set(vocabulary.KINDS)
    assert set(proof_document.THROUGH) == set(vocabulary.SOURCES)
