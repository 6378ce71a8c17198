"""The embeddable widget in a real browser, on a sign-up page served from another origin."""

import html
from urllib.parse import parse_qs

import pytest
from sqlalchemy import select
from werkzeug.wrappers import Request, Response

from consent.core import api_keys, purposes, subjects
from consent.core.database import db
from consent.core.models import Event, Notice, Receipt, Subject
from tests.support.live import serving

WEBINARS = {
    "nl": ("Webinaruitnodigingen", "Wij nodigen u uit voor onze webinars."),
    "nb": ("Webinarinvitasjoner", "Vi inviterer deg til webinarene våre."),
    "en": ("Webinar invitations", "We invite you to our webinars."),
}
PERSONALISATION = {
    "nl": ("Gepersonaliseerde aanbiedingen", "Wij stemmen aanbiedingen af op uw gebruik."),
    "nb": ("Tilpassede tilbud", "Vi tilpasser tilbud etter bruken din."),
    "en": ("Personalised offers", "We tailor offers to how you use our products."),
}

PAGE = """<!doctype html>
<html lang="{lang}">
<head><meta charset="utf-8"><title>Sign up</title></head>
<body>
<h1>Sign up for the webinar</h1>
<form id="signup" action="/signup/done" method="post">
  <label for="name">Name</label> <input id="name" name="name">
  <label for="email">Email</label> <input id="email" type="email" name="email">
  <div data-consent-widget {attributes}></div>
  <button type="submit" name="action" value="register">Register</button>
</form>
<script src="{app}/static/consent-widget.js" defer></script>
</body>
</html>
"""


class HostSite:
    """Somebody else's website: a sign-up page embedding the widget, and the form's target.

    Its strict Content-Security-Policy allows scripts and requests to the consent service only,
    so the widget must work without inline code or styles.
    """

    def __init__(self):
        self.app_url = ""
        self.lang = "en"
        self.widget = {}
        self.received = []

    def page(self) -> str:
        attributes = " ".join(
            f'data-{name}="{html.escape(value)}"' for name, value in self.widget.items()
        )
        return PAGE.format(lang=self.lang, app=self.app_url, attributes=attributes)

    def __call__(self, environ, start_response):
        request = Request(environ)
        if request.method == "POST" and request.path == "/signup/done":
            self.received.append(parse_qs(request.get_data(as_text=True), keep_blank_values=True))
            response = Response("<!doctype html><h1>Thank you</h1>", mimetype="text/html")
        elif request.path == "/signup":
            response = Response(self.page(), mimetype="text/html")
            response.headers["Content-Security-Policy"] = (
                f"default-src 'none'; script-src {self.app_url}; connect-src {self.app_url}; "
                "form-action 'self'"
            )
        elif request.path == "/favicon.ico":
            response = Response(status=204)  # keeps the console free of unrelated errors
        else:
            response = Response("not found", status=404)
        return response(environ, start_response)


@pytest.fixture
def servers(app):
    """(consent service URL, host site URL, host site): two origins, each on its own port."""
    site = HostSite()
    with serving(app) as service_url, serving(site) as host_url:
        site.app_url = service_url
        yield service_url, host_url, site


@pytest.fixture
def shop(make):
    """A controller with two consent purposes and a profiling one.

    Tests commit (in _widget_key) before the browser starts and read back through a fresh
    session, so no open transaction in the test blocks the server thread's writes on SQLite.
    """
    controller = make.controller()
    make.purpose(controller, "newsletter")
    make.purpose(controller, "webinars", category="events", texts=WEBINARS)
    make.purpose(controller, "personalisation", category="profiling", texts=PERSONALISATION)
    return controller


def _widget_key(controller, origin: str) -> str:
    _row, key = api_keys.create(controller, "widget", origins=[origin])
    db.session.commit()
    return key


def _open(browser, url, init_script=None):
    """A fresh page on url, collecting script errors, CSP violations and console warnings."""
    context = browser.new_context(locale="en-GB")
    if init_script:
        context.add_init_script(init_script)
    page = context.new_page()
    problems, warnings = [], []
    page.on("pageerror", lambda error: problems.append(str(error)))

    def console(message):
        if "Content Security Policy" in message.text or message.type == "error":
            problems.append(message.text)
        if message.type == "warning":
            warnings.append(message.text)

    page.on("console", console)
    page.goto(url)
    return context, page, problems, warnings


def _submit(page, email="anna@example.test"):
    page.get_by_label("Name").fill("Anna de Vries")
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Register").click()
    page.wait_for_url("**/signup/done")
    assert page.get_by_role("heading", name="Thank you").is_visible()


def _events(email="anna@example.test"):
    """What the server thread recorded, read through a fresh session."""
    db.session.remove()
    controller = purposes.controller_by_slug("acme")
    subject = subjects.by_email(controller, email)
    if subject is None:
        return None, []
    rows = db.session.scalars(
        select(Event).where(Event.subject_id == subject.id).order_by(Event.seq)
    )
    return subject, list(rows)


def _notice(slug, locale, version):
    purpose = purposes.purpose_by_slug(purposes.controller_by_slug("acme"), slug)
    return db.session.scalar(
        select(Notice).where(
            Notice.purpose_id == purpose.id, Notice.version == version, Notice.locale == locale
        )
    )


def test_sign_up_records_each_decision_with_a_receipt(servers, browser, shop):
    service_url, host_url, site = servers
    site.widget = {
        "api": service_url,
        "key": _widget_key(shop, host_url),
        "purposes": "newsletter,webinars",
        "locale": "nl",
        "form": "#signup",
    }
    context, page, problems, _warnings = _open(browser, f"{host_url}/signup")
    try:
        page.locator("[data-consent-widget][data-state=ready]").wait_for(state="attached")
        boxes = page.get_by_role("checkbox")
        assert boxes.count() == 2
        newsletter = page.get_by_label("Nieuwsbrief")
        webinars = page.get_by_label("Webinaruitnodigingen")
        assert not newsletter.is_checked() and not webinars.is_checked()  # active opt-in only
        assert newsletter.is_enabled() and webinars.is_enabled()
        assert page.get_by_text("Wij sturen u onze nieuwsbrief.").is_visible()
        description_id = newsletter.get_attribute("aria-describedby").split()[0]
        assert page.locator(f"#{description_id}").inner_text() == "Wij sturen u onze nieuwsbrief."
        assert page.locator("input[name=consent_receipt]").input_value() == ""

        newsletter.check()
        _submit(page)
        assert problems == []
    finally:
        context.close()

    assert len(site.received) == 1
    form = site.received[0]
    assert form["email"] == ["anna@example.test"]
    assert form["name"] == ["Anna de Vries"]
    assert form["action"] == ["register"]  # the clicked button survives form.submit()
    receipt_id = form["consent_receipt"][0]
    assert receipt_id

    subject, events = _events()
    assert subject is not None and subject.locale == "nl"
    assert [(e.kind, e.purpose.slug) for e in events] == [
        ("consent_given", "newsletter"),
        ("consent_refused", "webinars"),
    ]
    for event in events:
        notice = _notice(event.purpose.slug, "nl", event.notice_version)
        assert event.notice_version == 1
        assert notice is not None and event.notice_hash == notice.text_hash
        assert event.source == "widget" and event.channel == "email" and event.locale == "nl"
        assert event.receipt_id == receipt_id
    receipt = db.session.get(Receipt, receipt_id)
    assert receipt is not None and receipt.subject_id == subject.id and receipt.jws


def test_gpc_refuses_profiling_and_html_lang_picks_the_language(servers, browser, shop):
    service_url, host_url, site = servers
    site.lang = "no"  # no data-locale: <html lang>, with the Norwegian alias
    site.widget = {
        "api": service_url,
        "key": _widget_key(shop, host_url),
        "purposes": "newsletter,personalisation",
    }
    context, page, problems, _warnings = _open(
        browser,
        f"{host_url}/signup",
        "Object.defineProperty(navigator, 'globalPrivacyControl', {value: true})",
    )
    try:
        page.locator("[data-consent-widget][data-state=ready]").wait_for(state="attached")
        newsletter = page.get_by_label("Nyhetsbrev")
        profiling = page.get_by_label("Tilpassede tilbud")
        assert newsletter.is_enabled() and not newsletter.is_checked()
        assert profiling.is_disabled() and not profiling.is_checked()
        profiling.click(force=True)  # a disabled box cannot be ticked
        assert not profiling.is_checked()
        newsletter.check()
        _submit(page, email="ola@example.test")
        assert problems == []
    finally:
        context.close()

    assert site.received[0]["consent_receipt"][0]
    _subject, events = _events("ola@example.test")
    assert [(e.kind, e.purpose.slug, e.locale) for e in events] == [
        ("consent_given", "newsletter", "nb"),
        ("consent_refused", "personalisation", "nb"),
    ]


def test_gpc_note_comes_localised_from_the_server(servers, browser, shop, client):
    """The widget has no strings of its own: the note is the API's messages.gpc."""
    service_url, host_url, site = servers
    key = _widget_key(shop, host_url)

    def gpc_message(locale):
        answer = client.get(
            f"/api/v1/purposes?locale={locale}",
            headers={"Authorization": f"Bearer {key}", "Origin": host_url},
        ).get_json()
        return (answer.get("messages") or {}).get("gpc")

    note, english = gpc_message("nl"), gpc_message("en")
    db.session.remove()
    assert isinstance(note, str) and note.strip(), "GET /api/v1/purposes lacks messages.gpc"
    assert note != english  # translated on the server, not a fixed string
    site.widget = {"api": service_url, "key": key, "purposes": "personalisation", "locale": "nl"}
    context, page, _problems, _warnings = _open(
        browser,
        f"{host_url}/signup",
        "Object.defineProperty(navigator, 'globalPrivacyControl', {value: true})",
    )
    try:
        page.locator("[data-consent-widget][data-state=ready]").wait_for(state="attached")
        shown = page.locator(".consent-widget__gpc-note")
        assert shown.inner_text() == note
        box = page.get_by_label("Gepersonaliseerde aanbiedingen")
        assert shown.get_attribute("id") in box.get_attribute("aria-describedby").split()
    finally:
        context.close()


def test_origin_outside_the_allow_list_records_nothing_but_signs_up(servers, browser, shop):
    service_url, host_url, site = servers
    key = _widget_key(shop, "https://shop.example.test")
    site.widget = {"api": service_url, "key": key, "purposes": "newsletter", "locale": "nl"}
    context, page, problems, warnings = _open(browser, f"{host_url}/signup")
    try:
        page.locator("[data-consent-widget][data-state=failed]").wait_for(state="attached")
        assert page.get_by_role("checkbox").count() == 0
        # Sent by hand from this origin, the browser's CORS check stops the consent call too.
        outcome = page.evaluate(
            """([url, key]) => fetch(url + "/api/v1/consents", {
                method: "POST",
                headers: {Authorization: "Bearer " + key, "Content-Type": "application/json"},
                body: JSON.stringify({subject: {email: "anna@example.test"}, decisions: [
                    {purpose: "newsletter", decision: "given", channel: "email"}]})
            }).then(r => "status " + r.status, e => "blocked")""",
            [service_url, key],
        )
        assert outcome == "blocked"
        _submit(page)
    finally:
        context.close()
    assert any("consent-widget" in text for text in warnings)
    assert site.received[0]["email"] == ["anna@example.test"]
    assert site.received[0]["consent_receipt"] == [""]
    _events()
    assert db.session.scalar(select(Subject).limit(1)) is None
    assert db.session.scalar(select(Event).limit(1)) is None
    problems = [p for p in problems if "CORS" not in p and "Failed to" not in p]
    assert problems == []


def test_sign_up_survives_a_failing_consent_call(servers, browser, shop):
    service_url, host_url, site = servers
    site.widget = {
        "api": service_url,
        "key": _widget_key(shop, host_url),
        "purposes": "newsletter",
        "locale": "nl",
    }
    context, page, _problems, warnings = _open(browser, f"{host_url}/signup")
    try:
        page.route("**/api/v1/consents", lambda route: route.abort())
        page.locator("[data-consent-widget][data-state=ready]").wait_for(state="attached")
        page.get_by_label("Nieuwsbrief").check()
        _submit(page)
    finally:
        context.close()
    assert site.received[0]["email"] == ["anna@example.test"]
    assert site.received[0]["consent_receipt"] == [""]
    assert any("could not record" in text for text in warnings)
    assert _events() == (None, [])


def test_only_purposes_a_person_can_choose_are_offered(servers, browser, shop, make):
    """Before, a contract purpose named in data-purposes was offered with a refuse choice;
    a sign-up form shows only purposes that rest on the person's consent."""
    make.purpose(shop, "invoices", basis="contract", category="service")
    service_url, host_url, site = servers
    site.widget = {
        "api": service_url,
        "key": _widget_key(shop, host_url),
        "purposes": "newsletter,invoices",
        "form": "#signup",
    }
    context, page, problems, warnings = _open(browser, f"{host_url}/signup")
    try:
        page.locator("[data-consent-widget][data-state=ready]").wait_for(state="attached")
        assert page.get_by_role("checkbox").count() == 1
        assert any("not a purpose a person chooses" in w for w in warnings)
        assert problems == []
    finally:
        context.close()
