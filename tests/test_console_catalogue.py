"""The catalogue in the console (issue 15 item 3): edit the organisation and purposes, a live
preview of the preference page per language with no writes, the plan, publish as a new
version (logged), retire, upload and download the file."""

import html
import io
import re
from html.parser import HTMLParser

import pytest
import yaml
from flask import g
from sqlalchemy import func, select

from consent.core import catalogue, purposes, staff_users
from consent.core.catalogue import problems
from consent.core.database import db
from consent.core.models import CatalogueChange, Controller, Event, Notice, Purpose
from consent.web import staff_words
from tests.support.live import serving
from tests.test_catalogue import EXAMPLE, apply, consent_of
from tests.test_console import PASSWORD, csrf_token

ADMIN = "admin@acme.example"


@pytest.fixture
def acme(app, runner):
    assert apply(runner, EXAMPLE).exit_code == 0
    controller = purposes.controller_by_slug("acme")
    consent_of(controller, "newsletter")
    for email, role in ((ADMIN, "admin"), ("audit@acme.example", "auditor")):
        staff_users.create(controller, email, role, PASSWORD)
    staff_users.create(controller, "mark@acme.example", "marketer", PASSWORD)
    db.session.commit()
    return controller


def sign_in(client, email=ADMIN):
    g.pop("csrf_token", None)
    token = csrf_token(client, "/console/login?lang=en")
    data = {"csrf_token": token, "email": email, "password": PASSWORD}
    assert client.post("/console/login?lang=en", data=data).status_code == 302


class Fields(HTMLParser):
    """The editor's fields as a browser would send them, unchanged."""

    def __init__(self):
        super().__init__()
        self.values, self._textarea, self._select = {}, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name") and a.get("type") not in ("file",):
            if a.get("type") != "checkbox" or "checked" in a:
                self.values[a["name"]] = a.get("value", "")
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self.values[self._textarea] = ""
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a["value"]

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data


def form_of(client, target):
    g.pop("csrf_token", None)
    parser = Fields()
    parser.feed(client.get(f"/console/catalogue/edit/{target}?lang=en").get_data(True))
    return parser.values


def _unescape(text):
    return html.unescape(text)


def written():
    return (
        db.session.scalar(select(func.count(Event.id))),
        db.session.scalar(select(func.count(Notice.id))),
        db.session.scalar(select(func.count(CatalogueChange.id))),
        db.session.scalar(select(func.count(Purpose.id))),
        db.session.scalar(select(func.count(Controller.id))),
    )


def publish_from(client, plan_page):
    text = _unescape(
        re.search(
            r'<textarea name="document" hidden readonly>(.*?)</textarea>', plan_page, re.S
        ).group(1)
    )
    base = re.search(r'name="base" value="([0-9a-f]+)"', plan_page).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', plan_page).group(1)
    return client.post(
        "/console/catalogue/publish?lang=en",
        data={"csrf_token": token, "base": base, "document": text},
    )


def test_an_admin_changes_a_notice_previews_it_and_publishes_a_new_version(client, acme):
    sign_in(client)
    overview = client.get("/console/catalogue?lang=en").get_data(True)
    assert 'data-purpose="newsletter"' in overview and "Newsletter" in overview
    before = written()
    fields = form_of(client, "newsletter")
    assert fields["notice-nb-title"] == "Nyhetsbrev"
    fields["notice-nb-title"] = "Nyhetsbrevet vårt"
    preview = client.post("/console/catalogue/preview/newsletter?lang=nb", data=fields)
    shown = preview.get_data(True)
    assert preview.status_code == 200 and 'lang="nb"' in shown
    assert "Nyhetsbrevet vårt" in shown and "Nieuwsbrief" not in shown
    assert "frame-ancestors 'self'" in preview.headers["Content-Security-Policy"]
    assert preview.headers["X-Frame-Options"] == "SAMEORIGIN"
    plan = client.post("/console/catalogue/edit/newsletter?lang=en", data=fields)
    text = plan.get_data(True)
    assert plan.status_code == 200
    assert "New notice version 2 for Newsletter." in text
    assert re.search(r"1 person(&#39;|')s consent rests on an older version of it.", text)
    assert written() == before  # the preview and the plan wrote nothing
    published = publish_from(client, text)
    assert published.status_code == 302
    newsletter = purposes.purpose_by_slug(acme, "newsletter")
    assert purposes.latest_version(newsletter) == 2
    assert purposes.current_notices(acme, "nb")[newsletter.id].title == "Nyhetsbrevet vårt"
    change = db.session.scalars(select(CatalogueChange).order_by(CatalogueChange.id.desc())).first()
    assert change.actor == ADMIN
    assert "Published as a new version." in client.get(published.headers["Location"]).get_data(True)
    # The same plan again: the catalogue moved on since it was made.
    stale = publish_from(client, text)
    assert stale.status_code == 409 and "changed since" in stale.get_data(True)
    # A purpose comes only through the "new" editor, never from a made-up address.
    made_up = client.post("/console/catalogue/edit/nothing-here?lang=en", data=fields)
    assert made_up.status_code == 404
    assert client.post("/console/catalogue/preview/nothing-here", data=fields).status_code == 404


def test_retire_a_purpose_and_a_forbidden_change_writes_nothing(client, acme):
    sign_in(client)
    token = csrf_token(client, "/console/catalogue?lang=en")
    plan = client.post(
        "/console/catalogue/retire/customer-marketing?lang=en", data={"csrf_token": token}
    )
    assert "Retired: Offers for customers." in plan.get_data(True)
    assert publish_from(client, plan.get_data(True)).status_code == 302
    assert purposes.purpose_by_slug(acme, "customer-marketing").retired
    before = written()
    fields = form_of(client, "newsletter")
    fields["basis"] = "legitimate_interest"
    fields.pop("double_opt_in", None)
    fields["consent_lifetime"] = ""
    refused = client.post("/console/catalogue/edit/newsletter?lang=en", data=fields)
    assert refused.status_code == 422
    assert "purposes[0].basis: consent → legitimate_interest" in refused.get_data(True)
    assert written() == before
    assert purposes.purpose_by_slug(acme, "newsletter").basis == "consent"


def test_add_a_purpose_and_change_the_organisation(client, acme):
    sign_in(client)
    fields = form_of(client, "new")
    fields.update(slug="webinars", category="events", basis="consent", **{"channel-email": "on"})
    for locale, title in (("nl", "Webinars"), ("nb", "Webinarer"), ("en", "Webinars")):
        fields[f"notice-{locale}-title"] = title
        fields[f"notice-{locale}-description"] = f"{title}: invitations."
        fields[f"notice-{locale}-retention"] = "2 years"
    plan = client.post("/console/catalogue/edit/new?lang=en", data=fields).get_data(True)
    assert "New purpose: Webinars" in plan
    assert publish_from(client, plan).status_code == 302
    assert purposes.purpose_by_slug(acme, "webinars").category == "events"
    identity = form_of(client, "organisation")
    identity["name"] = "Acme Nederland B.V."
    plan = client.post("/console/catalogue/edit/organisation?lang=en", data=identity).get_data(True)
    assert "Organisation: Legal name changes" in plan
    assert publish_from(client, plan).status_code == 302
    assert purposes.controller_by_slug("acme").name == "Acme Nederland B.V."


def test_download_and_upload_the_file(client, acme):
    sign_in(client)
    download = client.get("/console/catalogue.yaml")
    assert download.status_code == 200
    assert 'filename="acme.yaml"' in download.headers["Content-Disposition"]
    document = yaml.safe_load(download.get_data(True))
    assert document == catalogue.export(acme)

    def upload(data: bytes):
        token = csrf_token(client, "/console/catalogue?lang=en")
        return client.post(
            "/console/catalogue/upload?lang=en",
            data={"csrf_token": token, "file": (__import__("io").BytesIO(data), "acme.yaml")},
            content_type="multipart/form-data",
        )

    same = upload(download.get_data())
    assert same.status_code == 200 and "No changes" in same.get_data(True)
    document["policy"]["version"] = "2027-01"
    changed = upload(catalogue.dump(document).encode())
    assert "Organisation: Privacy statement changes" in changed.get_data(True)
    before = written()
    other = {**document, "slug": "someone-else"}
    assert upload(catalogue.dump(other).encode()).status_code == 422
    broken = upload(b"slug: acme\nlocales: [nl\n")
    assert broken.status_code == 422 and "not valid YAML" in broken.get_data(True)
    assert upload(b"\xff\xfe").status_code == 422
    assert written() == before


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        ("nl", ["purposes[1].notice.nb.title: ontbreekt", "colour: onbekende sleutel"]),
        ("nb", ["purposes[1].notice.nb.title: mangler", "colour: ukjent nøkkel"]),
        ("en", ["purposes[1].notice.nb.title: missing", "colour: unknown key"]),
    ],
)
def test_what_is_wrong_with_an_upload_is_said_in_the_readers_language(client, acme, locale, words):
    """The paths are the file's own; what is wrong with them is in the console's language."""
    sign_in(client)
    document = catalogue.export(acme)
    document["purposes"][1]["notice"]["nb"].pop("title")
    document["colour"] = "#000000"
    token = csrf_token(client, f"/console/catalogue?lang={locale}")
    answer = client.post(
        f"/console/catalogue/upload?lang={locale}",
        data={
            "csrf_token": token,
            "file": (io.BytesIO(catalogue.dump(document).encode()), "acme.yaml"),
        },
        content_type="multipart/form-data",
    )
    assert answer.status_code == 422
    page = html.unescape(answer.get_data(True))
    for sentence in words:
        assert sentence in page


def test_every_catalogue_problem_has_words_in_the_console():
    assert set(staff_words.CATALOGUE_PROBLEMS) == set(problems.ENGLISH)


def test_roles_auditors_read_admins_change(app, acme):
    marketer, auditor = app.test_client(), app.test_client()
    sign_in(marketer, "mark@acme.example")
    assert marketer.get("/console/catalogue").status_code == 403
    sign_in(auditor, "audit@acme.example")
    page = auditor.get("/console/catalogue?lang=en").get_data(True)
    assert "Newsletter" in page and "/console/catalogue/edit/" not in page
    assert auditor.get("/console/catalogue.yaml").status_code == 200
    assert auditor.get("/console/catalogue/edit/newsletter").status_code == 403
    token = csrf_token(auditor, "/console/catalogue?lang=en")
    answer = auditor.post("/console/catalogue/retire/newsletter", data={"csrf_token": token})
    assert answer.status_code == 403


@pytest.fixture
def server(app):
    with serving(app) as url:
        yield url


def test_edit_with_a_live_preview_and_publish_in_a_browser(server, browser, acme):
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))

    def console(message):
        # The browser asks for /favicon.ico on its own; the product serves none.
        if message.type == "error" and "favicon" not in message.location.get("url", ""):
            problems.append(message.text)

    page.on("console", console)
    try:
        page.goto(f"{server}/console/login?lang=en")
        page.get_by_label("Email address").fill(ADMIN)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("link", name="Catalogue").click()
        page.locator("tr[data-purpose=newsletter]").get_by_role("link", name="Edit").click()
        frame = page.frame_locator("iframe[name=preview]")
        frame.get_by_role("heading", name="Nieuwsbrief").wait_for()  # the default language
        page.get_by_role("button", name="Preview in Norsk bokmål").click()
        frame.get_by_role("heading", name="Nyhetsbrev").wait_for()
        page.locator("#notice-nb-title").fill("Nyhetsbrevet vårt")
        frame.get_by_role("heading", name="Nyhetsbrevet vårt").wait_for()  # as typed
        page.get_by_role("button", name="Review the changes").click()
        assert page.get_by_text("New notice version 2 for Newsletter.").is_visible()
        page.get_by_role("button", name="Publish as a new version").click()
        assert page.get_by_role("status").inner_text() == "Published as a new version."
        assert problems == []
    finally:
        context.close()
