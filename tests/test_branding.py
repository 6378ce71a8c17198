"""Branding (issue: the page in the controller's colours): display name, logo, accent colour
and sender from the catalogue on every person-facing page and mail; the neutral default
without them."""

import pytest

from consent.core import staff_changes
from consent.core.database import db
from consent.web import mail
from tests.support.live import serving
from tests.support.mail import deliver, wait_for
from tests.support.pages import link_for, world

BRANDING = {
    "display_name": "Acme",
    "logo": "https://cdn.acme.example/logo.png",
    "color": "#0a6b2d",
    "sender": "Acme Privacy <privacy@acme.example>",
}


def branded(make, locale="en"):
    c, s, p = world(make, locale=locale)
    c.profile = {**c.profile, "branding": BRANDING}
    db.session.commit()
    return c, s, p


def test_every_person_facing_page_wears_the_brand(client, make):
    c, s, _p = branded(make)
    pages = [
        f"/preferences/{link_for(c, s)}",
        f"/unsubscribe/{link_for(c, s, 'unsubscribe', channel='email')}",
        f"/confirm/{link_for(c, s, 'confirm', channel='email')}",
        f"/preferences/{link_for(c, s)}/erase",
    ]
    for path in pages:
        response = client.get(path)
        html = response.get_data(True)
        assert response.status_code == 200, path
        assert '<img src="https://cdn.acme.example/logo.png"' in html, path
        assert '<span class="brand-name">Acme</span>' in html, path
        assert "/brand/acme.css?v=0a6b2d" in html, path
        # The logo's origin, and no other, joins the images the page may load.
        policy = response.headers["Content-Security-Policy"]
        assert "img-src 'self' https://cdn.acme.example;" in policy, path
        assert "style-src 'self';" in policy, path

    stylesheet = client.get("/brand/acme.css?v=0a6b2d")
    assert stylesheet.status_code == 200
    assert stylesheet.mimetype == "text/css"
    assert "--accent: #0a6b2d;" in stylesheet.get_data(True)
    assert client.get("/brand/nobody.css").status_code == 404


def test_without_branding_the_page_is_neutral(client, make):
    c, s, _p = world(make)
    response = client.get(f"/preferences/{link_for(c, s)}")
    html = response.get_data(True)
    assert "<img" not in html
    assert "/brand/" not in html
    assert '<span class="brand-name">Acme B.V.</span>' in html  # the legal name stands in
    assert "img-src 'self';" in response.headers["Content-Security-Policy"]
    assert client.get("/brand/acme.css").get_data(True) == ""


def test_mail_comes_from_the_brand_in_its_colours(app, make, smtp):
    c, s, _p = branded(make, locale="nl")
    mail.queue_fresh_link(c, "anna.jansen@example.nl", "nl", "nl", None)
    db.session.commit()
    deliver(app)
    [(_recipients, message)] = wait_for(smtp)
    assert message["From"] == "Acme Privacy <privacy@acme.example>"
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    assert '<img src="https://cdn.acme.example/logo.png" alt="Acme"' in html
    assert "background: #0a6b2d" in html
    assert text.rstrip().endswith("Acme")


def test_a_sender_without_a_name_goes_out_under_the_display_name(app, make, smtp):
    c, s, _p = world(make)
    c.profile = {**c.profile, "branding": {"display_name": "Acme", "sender": "news@acme.example"}}
    mail.queue_fresh_link(c, "anna.jansen@example.nl", "en", "en", None)
    db.session.commit()
    deliver(app)
    [(_recipients, message)] = wait_for(smtp)
    assert message["From"] == "Acme <news@acme.example>"
    assert "background: #1f5fbf" in message.get_body(("html",)).get_content()


@pytest.mark.parametrize("width", [390, 1280])
def test_the_accent_colour_reaches_the_browser(app, browser, make, width):
    c, s, _p = branded(make, locale="nb")
    with serving(app) as server:
        context = browser.new_context(viewport={"width": width, "height": 800})
        try:
            page = context.new_page()
            page.goto(f"{server}/preferences/{link_for(c, s, locale='nb')}")
            colour = page.evaluate(
                "getComputedStyle(document.querySelector('button.primary')).backgroundColor"
            )
            assert colour == "rgb(10, 107, 45)"
            assert page.locator("header.brand .brand-name").inner_text() == "Acme"
        finally:
            context.close()


def test_the_notices_staff_decisions_owe_a_person_come_from_the_brand(app, make, smtp):
    c, s, p = branded(make, locale="nl")
    staff_changes.queue_override_notice(s, p["offers"], "Fraud prevention.", [])
    db.session.commit()
    deliver(app)
    [(_recipients, message)] = wait_for(smtp)
    assert message["From"] == "Acme Privacy <privacy@acme.example>"
    assert (
        '<img src="https://cdn.acme.example/logo.png" alt="Acme"'
        in message.get_body(("html",)).get_content()
    )
    assert message.get_body(("plain",)).get_content().rstrip().endswith("Acme")
