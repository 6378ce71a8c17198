"""A real browser (headless Chromium) opens a link, switches language, unsubscribes from all."""

import pytest

from consent.core.database import db
from tests.support.live import serving
from tests.support.pages import events, link_for, state, world


@pytest.fixture
def server(app):
    with serving(app) as url:
        yield url


def test_open_switch_language_unsubscribe_from_all(server, browser, make):
    c, s, p = world(make, locale="en")
    make.record(s, "consent_given", p["newsletter"])
    db.session.commit()
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    try:
        page.goto(f"{server}/preferences/{link_for(c, s, locale='en')}")
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.get_by_role("heading", name="Your privacy preferences").is_visible()
        switch = page.get_by_label("Email").first
        assert switch.is_checked()
        note = page.get_by_text("You have unsaved changes.")
        assert not note.is_visible()
        switch.uncheck()  # preferences.js, allowed by the CSP, notices the change
        note.wait_for(state="visible")
        switch.check()
        note.wait_for(state="hidden")

        page.get_by_role("link", name="Norsk bokmål").click()
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == "nb"
        assert page.get_by_role("heading", name="Dine personverninnstillinger").is_visible()

        page.get_by_role("button", name="Meld meg av all markedsføring").click()
        page.wait_for_load_state()
        assert page.get_by_role("heading", name="Valgene dine er lagret").is_visible()
        assert "Fakturaer og ordrebekreftelser" in page.content()  # still arrives
        assert errors == []  # no script error, and the CSP blocked nothing of ours
    finally:
        context.close()
    db.session.expire_all()
    assert [e.scope for e in events(s, kind="objection_recorded")] == ["direct_marketing"]
    assert events(s)[-1].locale == "nb" and events(s)[-1].source == "preference_page"
    assert not state(s, p["newsletter"]).reachable
    assert state(s, p["invoices"]).reachable


def test_the_unsubscribe_button_answers_with_the_page(server, browser, make):
    """A person pressing the unsubscribe page's button sees what changed and what still
    comes; a mailbox provider's bare RFC 8058 POST gets two lines (test_one_click)."""
    c, s, p = world(make, locale="nl")
    make.record(s, "consent_given", p["newsletter"])
    db.session.commit()
    token = link_for(c, s, "unsubscribe", purposes=("newsletter",), channel="email")
    context = browser.new_context(locale="nl-NL")
    page = context.new_page()
    try:
        page.goto(f"{server}/unsubscribe/{token}")
        page.get_by_role("button", name="Uitschrijven").click()
        page.wait_for_load_state()
        assert page.get_by_role("heading", name="U bent uitgeschreven").is_visible()
        assert page.get_by_role("heading", name="Dit blijft u ontvangen").is_visible()
    finally:
        context.close()
    db.session.expire_all()
    assert not state(s, p["newsletter"], "email").reachable
