"""The preference page as a person uses it, in Chromium, in nl, nb and en on a phone and a
desktop: the wording follows the state (item 1), one kind of switch named after its purpose
(2), the Art. 13 details and rights (3), counts and the country in the reader's language (4),
the way in from the front page (6), the controller's brand (7) and a change of address from
a mailed link (8)."""

import re

import pytest
from flask_babel import force_locale, gettext, ngettext

from consent.core.database import db
from tests.support.live import serving
from tests.support.pages import link_for, world


def words(app, locale, message, **values):
    with app.test_request_context(), force_locale(locale):
        return gettext(message, **values)


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("locale", ["nl", "nb", "en"])
def test_a_person_reads_and_changes_the_page(app, browser, make, locale, width):
    c, s, p = world(make, locale=locale)
    c.profile = {**c.profile, "branding": {"display_name": "Acme", "color": "#0a6b2d"}}
    s.country = "NO"
    make.record(s, "consent_given", p["newsletter"], channel="email", source="preference_page")
    db.session.commit()
    title = next(n.title for n in p["newsletter"].notices if n.locale == locale)
    with serving(app) as server:
        context = browser.new_context(viewport={"width": width, "height": 800})
        try:
            page = context.new_page()
            page.goto(f"{server}/?lang={locale}")  # item 6: the front page leads in
            page.locator("a[href^='/preferences']").first.click()
            assert page.locator("input[type=email]").count() == 1

            page.goto(f"{server}/preferences/{link_for(c, s, locale=locale)}")
            newsletter = page.locator("#purpose-newsletter")
            agreed = words(app, locale, "You agreed to receive this. You can withdraw your "
                           "consent at any time, as easily as you gave it.")  # fmt: skip
            assert newsletter.locator(".basis").inner_text() == agreed  # item 1
            # Item 2: each switch says what "on" allows and names its purpose.
            named = re.compile(rf"^{words(app, locale, 'Email')}\s*: {title}$")
            email_switch = page.get_by_role("checkbox", name=named)
            assert email_switch.is_checked()
            assert page.get_by_role("checkbox", name=re.compile(f": {title}$")).count() == 2
            assert page.locator(".brand-name").inner_text() == "Acme"  # item 7
            rights = page.locator("section.rights")
            assert rights.locator("h2").inner_text() == words(app, locale, "Your rights")  # 3
            counted = ngettext_in(app, locale, 1)  # one choice of their own: singular
            assert counted in rights.inner_text()  # item 4: a count in the reader's grammar
            country = {"nl": "Noorwegen", "nb": "Norge", "en": "Norway"}[locale]
            assert country in page.locator("section.controller").inner_text()
            assert page.locator("#new-email").is_visible()  # item 8

            email_switch.uncheck()
            page.get_by_role("button", name=words(app, locale, "Save my choices")).click()
            page.goto(f"{server}/preferences/{link_for(c, s, locale=locale)}")
            newsletter = page.locator("#purpose-newsletter")
            withdrawn = words(app, locale, "We do this only with your consent. You can withdraw "
                              "it at any time, as easily as you gave it.")  # fmt: skip
            assert newsletter.locator(".basis").inner_text() == withdrawn  # item 1, after
            assert words(app, locale, "Off: you withdrew your consent") in newsletter.inner_text()
            assert page.evaluate("document.documentElement.scrollWidth") <= width
        finally:
            context.close()


def ngettext_in(app, locale, count):
    """The page's own sentence for a count, up to the date that follows it."""
    with app.test_request_context(), force_locale(locale):
        sentence = ngettext(
            "Since %(date)s we have recorded %(num)s choice of yours.",
            "Since %(date)s we have recorded %(num)s choices of yours.",
            count,
            date="\0",
        )
    return sentence.split("\0")[1]
