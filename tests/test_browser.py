"""A real browser (headless Chromium) opens a link, switches language, unsubscribes from all."""

import shutil
import threading

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from consent.extensions import db
from tests.test_preferences import events, link_for, state, world

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def server(app):
    """The app on a free local port, served from a thread."""
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}"
    http.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    assert executable, "Chromium is needed for the browser test (apt-get install chromium)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


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
