"""A small world to test the recipient's pages in: a controller, its purposes, a person,
signed links to them, and the page submitted as a browser would."""

import re

from sqlalchemy import select

from consent.core import signed_links
from consent.core.database import db
from consent.core.models import Event, State

OTHER_TEXTS = {
    "nl": ("Aanbiedingen voor klanten", "Aanbiedingen voor producten die u al gebruikt."),
    "nb": ("Tilbud til kunder", "Tilbud på produkter du allerede bruker."),
    "en": ("Offers for customers", "Offers for products you already use."),
}
INVOICE_TEXTS = {
    "nl": ("Facturen en orderbevestigingen", "Berichten over uw bestellingen."),
    "nb": ("Fakturaer og ordrebekreftelser", "Meldinger om bestillingene dine."),
    "en": ("Invoices and order confirmations", "Messages about your orders."),
}
PROFILE_TEXTS = {
    "nl": ("Interesseprofiel", "Wij stemmen onze berichten af op uw interesses."),
    "nb": ("Interesseprofil", "Vi tilpasser meldingene til interessene dine."),
    "en": ("Interest profile", "We tailor our messages to your interests."),
}


def world(make, locale="en"):
    """A controller with one purpose per kind of control, and one subject."""
    c = make.controller()
    newsletter = make.purpose(c, channels=("email", "sms"))
    offers = make.purpose(c, slug="offers", basis="legitimate_interest", texts=OTHER_TEXTS)
    invoices = make.purpose(
        c, slug="invoices", basis="contract", category="service", texts=INVOICE_TEXTS
    )
    profile = make.purpose(
        c, slug="profile", basis="legitimate_interest", category="profiling", texts=PROFILE_TEXTS
    )
    s = make.subject(c, email="anna.jansen@example.nl", locale=locale)
    make.record(s, "basis_asserted", invoices, basis="contract", evidence="order 17")
    # Legitimate-interest marketing reaches only a proven customer (existing-customer exception).
    make.record(s, "basis_asserted", offers, basis="legitimate_interest", evidence="order 17")
    # Every basis but consent rests on an assertion: the profile on the relationship too.
    make.record(s, "basis_asserted", profile, basis="legitimate_interest", evidence="order 17")
    db.session.commit()
    return (
        c,
        s,
        {"newsletter": newsletter, "offers": offers, "invoices": invoices, "profile": profile},
    )


def link_for(c, s, use="preferences", **fields):
    """A link as the product mails it to the person (proof of the mailbox), unless `made_by`
    names who else made it (a marketer's key, a command)."""
    if s.email_hash:
        fields.setdefault("made_by", signed_links.mailed_to(s.email_hash))
    return signed_links.make(signed_links.Link(c.slug, s.public_id, **fields), use)


def csrf_token(client, url):
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(True))
    assert match, "no CSRF token on the page"
    return match.group(1)


def submit(client, token, fields, lang="en"):
    """Post the page as a browser would: every hidden field and ticked box as rendered,
    then `fields` on top (a value of None unticks a box)."""
    url = f"/preferences/{token}?lang={lang}"
    page = client.get(url).get_data(True)
    data = dict(re.findall(r'<input [^>]*type="hidden" name="([\w-]+)" value="([^"]*)"', page))
    data.update(re.findall(r'name="([\w-]+)" value="(on)" checked', page))
    data.update(re.findall(r'id="(\w+)" name="\w+" type="hidden" value="([^"]*)"', page))
    data.update(fields)
    return client.post(url, data={k: v for k, v in data.items() if v is not None})


def events(s, **where):
    query = select(Event).where(Event.subject_id == s.id).order_by(Event.seq)
    rows = list(db.session.scalars(query))
    return [e for e in rows if all(getattr(e, k) == v for k, v in where.items())]


def state(s, purpose, channel="email"):
    db.session.expire_all()
    return db.session.get(State, (s.id, purpose.id, channel))
