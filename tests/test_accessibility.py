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
        f"/preferences/{link_for(c, s, locale=locale)}/export?format=html",
        f"/confirm/{link_for(c, s, 'confirm', locale=locale, channel='email')}",
        f"/preferences/{link_for(c, s, locale=locale)[:-4]}abcd",  # the error page
    ]
    found = {path: violations(browser, server + path, width) for path in pages}
    assert all(problems == [] for problems in found.values()), found


# What axe cannot check: walk the page with the keyboard, as a person without a mouse does.
KEYBOARD_WALK = """
() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const channels = c => (c.match(/[\\d.]+/g) || []).slice(0, 4).map(Number);
  const luminance = ([r, g, b]) => {
    const f = v => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  let behind = el.parentElement;
  while (behind) {
    const c = channels(getComputedStyle(behind).backgroundColor);
    if (c.length === 3 || c[3] > 0) break;
    behind = behind.parentElement;
  }
  const ground = behind ? channels(getComputedStyle(behind).backgroundColor) : [255, 255, 255];
  const style = getComputedStyle(el);
  const [a, b] = [luminance(channels(style.outlineColor)), luminance(ground)].sort((x, y) => y - x);
  const rect = el.getBoundingClientRect();
  const bar = document.querySelector('.actions.sticky');
  const barRect = bar ? bar.getBoundingClientRect() : null;
  return {
    name: el.tagName + '#' + el.id + ' '
      + (el.getAttribute('aria-label') || el.textContent || '').trim().slice(0, 30),
    outline: style.outlineStyle === 'none' ? 0 : parseFloat(style.outlineWidth),
    contrast: (a + 0.05) / (b + 0.05),
    covered: !!barRect && !bar.contains(el)
      && rect.bottom > barRect.top + 1 && rect.top < barRect.bottom - 1,
    offscreen: rect.bottom < 0 || rect.top > innerHeight,
  };
}
"""


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("locale", ["nl", "nb", "en"])
def test_every_control_is_reached_by_keyboard_with_a_visible_uncovered_focus(
    server, browser, make, locale, width
):
    c, s, p = world(make, locale=locale)
    make.record(s, "consent_given", p["newsletter"], channel="email", source="preference_page")
    db.session.commit()
    context = browser.new_context(viewport={"width": width, "height": 700})
    try:
        page = context.new_page()
        page.goto(f"{server}/preferences/{link_for(c, s, locale=locale)}")
        seen, problems = [], []
        for _step in range(80):
            page.keyboard.press("Tab")
            focused = page.evaluate(KEYBOARD_WALK)
            if focused is None or (seen and focused["name"] == seen[0]):
                break
            seen.append(focused["name"])
            if focused["outline"] < 2 or focused["contrast"] < 3:
                problems.append(f"weak focus ring on {focused}")
            if focused["covered"] or focused["offscreen"]:
                problems.append(f"focus hidden on {focused}")
        switches = page.locator("input[type=checkbox]").count()
        assert sum(name.startswith("INPUT#") for name in seen) >= switches > 0
        assert any(name.startswith("BUTTON") for name in seen)
        assert problems == []
    finally:
        context.close()
