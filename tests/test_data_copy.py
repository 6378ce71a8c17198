"""Art. 15/20: the person's data as a page they can read, beside the JSON they can take
elsewhere; same content, in their language, and only from a link mailed to them."""

import json

import pytest

from consent.core.database import db
from tests.support.pages import link_for, world

HEADINGS = {
    "en": ("Your data at Acme B.V.", "Your choices now", "Netherlands", "Consent given"),
    "nl": ("Uw gegevens bij Acme B.V.", "Uw keuzes nu", "Nederland", "Toestemming gegeven"),
    "nb": ("Dine opplysninger hos Acme B.V.", "Valgene dine nå", "Nederland", "Samtykke gitt"),
}


@pytest.mark.parametrize("locale", ["en", "nl", "nb"])
def test_the_readable_copy_holds_what_the_json_holds(client, make, locale):
    c, s, p = world(make, locale=locale)
    s.country = "NL"
    make.record(s, "consent_given", p["newsletter"], channel="email", source="preference_page")
    db.session.commit()
    token = link_for(c, s, locale=locale)
    page = client.get(f"/preferences/{token}").get_data(True)
    assert f"/preferences/{token}/export?format=html" in page
    readable = client.get(f"/preferences/{token}/export?format=html&lang={locale}")
    assert readable.status_code == 200 and readable.mimetype == "text/html"
    html = readable.get_data(True)
    for expected in HEADINGS[locale]:
        assert expected in html, expected
    data = json.loads(client.get(f"/preferences/{token}/export").get_data(True))
    assert data["subject"]["email"] in html
    assert all(receipt["id"] in html for receipt in data["receipts"])
    assert html.count('data-label="') >= 3 * (len(data["state"]) + len(data["events"]))
    assert "+00:00" not in html  # times in the controller's zone, with its abbreviation
    assert "CET" in html or "CEST" in html


def test_the_readable_copy_needs_a_mailed_link_too(client, make):
    c, s, _p = world(make)
    token = link_for(c, s, made_by="api-key:ck_mk_abc")
    assert client.get(f"/preferences/{token}/export?format=html").status_code == 403
