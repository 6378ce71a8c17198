"""A controller whose staff work in the console: purposes by phone, mail and letter, a person
who calls, staff of every role, and the console's forms posted as a browser would."""

import re

from flask import g

from consent.core import staff_users
from consent.core.database import db

PASSWORD = "correct horse battery"
CALL_TEXTS = {
    "nl": {
        "title": "Telefonische aanbiedingen",
        "description": "Wij bellen u met aanbiedingen.",
        "retention": "Zolang dit doel het vraagt.",
        "recipients": "Ons callcenter, Belbedrijf B.V.",
    },
    "nb": {
        "title": "Tilbud på telefon",
        "description": "Vi ringer deg med tilbud.",
        "retention": "Så lenge formålet krever det.",
        "recipients": "Kundesenteret vårt, Ringefirma AS",
    },
    "en": {
        "title": "Offers by phone",
        "description": "We call you with offers.",
        "retention": "As long as this purpose needs it.",
        "recipients": "Our call centre, Belbedrijf B.V.",
    },
}
RESEARCH_TEXTS = {
    "nl": ("Kwaliteitsonderzoek", "Wij onderzoeken de kwaliteit van onze dienst."),
    "nb": ("Kvalitetsundersøkelser", "Vi undersøker kvaliteten på tjenesten vår."),
    "en": ("Quality research", "We study the quality of our service."),
}


def staff_world(make):
    """Acme with a phone and a mail purpose on consent and a research purpose on legitimate
    interest; Anna, who lives in Norway and reads Norwegian, consented to both."""
    c = make.controller()
    c.profile = c.profile | {
        "authorities": {
            "NL": {
                "name": "Autoriteit Persoonsgegevens",
                "url": "https://autoriteitpersoonsgegevens.nl",
                "complaint_url": "https://autoriteitpersoonsgegevens.nl/klacht",
                "default": True,
            },
            "NO": {
                "name": "Datatilsynet",
                "url": "https://www.datatilsynet.no",
                "complaint_url": "https://www.datatilsynet.no/klage",
                "default": False,
            },
        }
    }
    newsletter = make.purpose(c, channels=("email", "sms"))
    calls = make.purpose(c, slug="calls", channels=("phone",), texts=CALL_TEXTS)
    research = make.purpose(
        c,
        slug="research",
        basis="legitimate_interest",
        category="research",
        channels=(),
        texts=RESEARCH_TEXTS,
    )
    anna = make.subject(c, email="anna@example.test", locale="nb")
    anna.country = "NO"
    make.record(anna, "consent_given", newsletter)
    make.record(anna, "consent_given", calls, channel="phone")
    make.record(anna, "basis_asserted", research, basis="legitimate_interest", evidence="order 9")
    db.session.commit()
    return c, anna, {"newsletter": newsletter, "calls": calls, "research": research}


def staff_user(controller, role, email=None):
    user = staff_users.create(controller, email or f"{role}@acme.example", role, PASSWORD)
    db.session.commit()
    return user


def csrf(client, url="/console/login"):
    page = client.get(url).get_data(True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'type="hidden" name="csrf_token" value="([^"]+)"', page
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


def sign_in(client, user):
    """Sign in through the console's own form, whatever fields it asks for. The tests' app
    context outlives requests, so a CSRF token cached for another client is dropped first."""
    g.pop("csrf_token", None)
    page = client.get("/console/login?lang=en").get_data(True)
    data = {"csrf_token": csrf(client), "email": user.email, "password": PASSWORD}
    if 'name="controller"' in page:
        data["controller"] = user.controller.slug
    answer = client.post("/console/login?lang=en", data=data)
    assert answer.status_code == 302, answer.status_code
    return answer


def post(client, url, fields, page=None):
    """A console form posted with the CSRF token of the page it sits on."""
    token = csrf(client, page or "/console/requests")
    return client.post(url, data={"csrf_token": token, **fields})
