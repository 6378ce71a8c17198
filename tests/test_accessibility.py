"""WCAG 2.2 AA on the person-facing pages, checked with axe-core in headless Chromium at a
phone's and a desktop's width, in every language (axe-core is vendored: nothing is
downloaded when the tests run)."""

from pathlib import Path

import pytest

from consent.core.database import db
from tests.support.live import serving
from tests.support.pages import link_for, world

AXE = (Path(__file__).parent / "support" / "vendor" / "axe.min.js").read_text()
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture
def server(app):
    with serving(app) as url:
        yield url


def violations(browser, url, width):
    # The pages allow only their own scripts (CSP): the checker is let in for the test only.
    context = browser.new_context(viewport={"width": width, "height": 800}, bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(url)
        page.add_script_tag(content=AXE)
        found = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
            ".then(r => r.violations.map(v => v.id + ': ' + v.nodes.length))",
            WCAG,
        )
        # Reflow (WCAG 1.4.10): nothing reaches past the right edge of the screen.
        too_wide = page.evaluate(
            "[...document.querySelectorAll('body *')]"
            ".filter(e => e.getBoundingClientRect().right"
            " > document.documentElement.clientWidth + 1)"
            ".map(e => e.tagName + '.' + e.className + ' ' + (e.textContent || '').slice(0, 40))"
        )
        return found + [f"wider than the screen: {element}" for element in too_wide[:3]]
    finally:
        context.close()


@pytest.mark.parametrize("width", [320, 390, 1280])
@pytest.mark.parametrize("locale", ["nl", "nb", "en"])
def test_the_preference_page_has_no_wcag_violations(server, browser, make, locale, width):
    c, s, p = world(make, locale=locale)
    receipt = make.record(
        s, "consent_given", p["newsletter"], channel="email", source="preference_page"
    )
    db.session.commit()
    url = f"{server}/preferences/{link_for(c, s, locale=locale)}"
    assert violations(browser, url, width) == []
    receipt_link = link_for(c, s, "receipt", purposes=(), locale=locale, extra=receipt.id)
    assert violations(browser, f"{server}/receipts/{receipt_link}", width) == []


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("locale", ["nl", "nb", "en"])
def test_the_other_pages_a_person_sees_have_no_wcag_violations(
    server, browser, make, locale, width
):
    c, s, _p = world(make, locale=locale)
    db.session.commit()
    pages = [
        f"/?lang={locale}",
        f"/preferences?lang={locale}",
        f"/unsubscribe/{link_for(c, s, 'unsubscribe', locale=locale, channel='email')}",
        f"/preferences/{link_for(c, s, locale=locale)}/erase",
        f"/confirm/{link_for(c, s, 'confirm', locale=locale, channel='email')}",
        f"/preferences/{link_for(c, s, locale=locale)[:-4]}abcd",  # the error page
    ]
    found = {path.split("/")[1]: violations(browser, server + path, width) for path in pages}
    assert all(problems == [] for problems in found.values()), found
