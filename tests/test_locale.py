"""Languages: ?lang › token › subject › Accept-Language › controller default › en; aliases;
the right words, dates and <html lang> in each locale."""

from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date

from consent.core.changes import first_recorded
from consent.core.database import db
from tests.support.pages import events, link_for, submit, world

WORDS = {
    "nl": (
        "Uw privacyvoorkeuren",
        "Uitschrijven voor alle marketing",
        "Nieuwsbrief",
        "toestemming",
        "Facturen en orderbevestigingen",
    ),
    "nb": (
        "Dine personverninnstillinger",
        "Meld meg av all markedsføring",
        "Nyhetsbrev",
        "samtykke",
        "Fakturaer og ordrebekreftelser",
    ),
    "en": (
        "Your privacy preferences",
        "Unsubscribe from all marketing",
        "Newsletter",
        "consent",
        "Invoices and order confirmations",
    ),
}


def local_first(subject):
    """The date our record begins, in the controller's time zone, as the page shows it."""
    return first_recorded(subject, events(subject)).astimezone(ZoneInfo("Europe/Amsterdam"))


def lang_of(response) -> str:
    html = response.get_data(True)
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


@pytest.mark.parametrize("locale", ["nl", "nb", "en"])
def test_each_locale_renders_its_own_words(client, make, locale):
    c, s, _p = world(make)
    response = client.get(f"/preferences/{link_for(c, s, locale=locale)}")
    html = response.get_data(True)
    assert lang_of(response) == locale
    for word in WORDS[locale]:
        assert word in html, (locale, word)
    others = [w for other, words in WORDS.items() if other != locale for w in words[:2]]
    assert not any(word in html for word in others)
    expected_date = format_date(local_first(s), format="medium", locale=locale)
    assert expected_date in html


def test_dates_differ_between_locales(client, make):
    c, s, _p = world(make)
    dates = {
        locale: format_date(local_first(s), format="medium", locale=locale)
        for locale in ("nl", "nb", "en")
    }
    assert len(set(dates.values())) == 3
    for locale, date in dates.items():
        assert date in client.get(f"/preferences/{link_for(c, s)}?lang={locale}").get_data(True)


def test_order_of_locale_choice(client, make):
    c, s, _p = world(make, locale="nb")  # controller default is nl
    plain = link_for(c, s)
    assert lang_of(client.get(f"/preferences/{plain}")) == "nb"  # subject
    english = link_for(c, s, locale="en")
    assert lang_of(client.get(f"/preferences/{english}")) == "en"  # token beats subject
    assert lang_of(client.get(f"/preferences/{english}?lang=nl")) == "nl"  # ?lang beats all
    s.locale = None
    db.session.commit()
    accept = {"Accept-Language": "en-GB,en;q=0.8"}
    assert lang_of(client.get(f"/preferences/{plain}", headers=accept)) == "en"
    assert lang_of(client.get(f"/preferences/{plain}")) == "nl"  # controller default
    accept = {"Accept-Language": "de-DE"}
    assert lang_of(client.get(f"/preferences/{plain}", headers=accept)) == "nl"


def test_english_when_nothing_else_is_known(client, make):
    c = make.controller(default_locale="de")
    make.purpose(c)
    s = make.subject(c, locale=None)
    db.session.commit()
    assert lang_of(client.get(f"/preferences/{link_for(c, s)}")) == "en"


@pytest.mark.parametrize("alias", ["no", "nn", "no-NO", "nb-NO", "NB", "nb_NO"])
def test_norwegian_aliases(client, make, alias):
    c, s, _p = world(make, locale="en")
    response = client.get(f"/preferences/{link_for(c, s)}?lang={alias}")
    assert lang_of(response) == "nb"
    assert "Dine personverninnstillinger" in response.get_data(True)
    s.locale = None
    db.session.commit()
    by_header = client.get(f"/preferences/{link_for(c, s)}", headers={"Accept-Language": alias})
    assert lang_of(by_header) == "nb"


def test_language_switcher(client, make):
    c, s, _p = world(make)
    token = link_for(c, s, locale="nl")
    html = client.get(f"/preferences/{token}").get_data(True)
    assert 'aria-current="true">Nederlands<' in html
    assert f'/preferences/{token}?lang=nb" lang="nb"' in html
    assert f'/preferences/{token}?lang=en" lang="en"' in html
    switched = client.get(f"/preferences/{token}?lang=nb")
    assert 'aria-current="true">Norsk bokmål<' in switched.get_data(True)


def test_choices_are_recorded_in_the_page_language(client, make):
    c, s, p = world(make)
    submit(client, link_for(c, s), {"consent-newsletter-email": "on"}, lang="nb")
    [given] = events(s, kind="consent_given")
    assert given.locale == "nb"
    notice = [n for n in p["newsletter"].notices if n.locale == "nb"][0]
    assert given.notice_hash == notice.text_hash


def test_confirmation_and_one_click_pages_are_translated(client, make):
    c, s, p = world(make)
    saved = submit(client, link_for(c, s), {"consent-newsletter-email": "on"}, lang="nl")
    assert "Uw keuzes zijn opgeslagen" in saved.get_data(True)
    token = link_for(c, s, "unsubscribe", purposes=("newsletter",), locale="nb")
    button = {"List-Unsubscribe": "One-Click", "answer": "page"}
    page = client.post(f"/unsubscribe/{token}", data=button)
    assert lang_of(page) == "nb" and "Du er avmeldt" in page.get_data(True)
    # A mailbox provider's POST gets its two lines in the person's language too.
    token = link_for(c, s, "unsubscribe", purposes=("offers",), locale="nb")
    answer = client.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
    assert answer.headers["Content-Language"] == "nb"
    assert answer.get_data(True).startswith("Du er avmeldt\n")
