"""The front page and the way in without a link (SPEC §5): before, `/` answered 404 and a
person without a link had no way to their preferences."""

import re

from sqlalchemy import select

from consent.core.database import db
from consent.core.models import OutboxMessage
from tests.support.live import serving
from tests.support.mail import deliver, wait_for
from tests.support.pages import csrf_token, world


def test_the_front_page_says_what_this_is_and_where_to_go(client):
    page = client.get("/?lang=nl")
    assert page.status_code == 200
    html = page.get_data(True)
    assert '<html lang="nl">' in html
    assert 'href="/preferences?lang=nl"' in html and "/console/login" in html
    assert "/api/openapi.json" in html


def test_a_person_without_a_link_gets_one_by_mail_and_nobody_learns_who_is_known(client, make):
    c, s, _p = world(make)
    page = client.get(f"/preferences?controller={c.slug}&lang=en")
    assert page.status_code == 200
    assert f'<option selected value="{c.slug}">' in page.get_data(True)
    answers = []
    for email in (s.email, "nobody@example.nl"):
        token = csrf_token(client, "/preferences?lang=en")
        answer = client.post(
            "/preferences?lang=en",
            data={"csrf_token": token, "controller": c.slug, "email": email},
        )
        answers.append((answer.status_code, answer.get_data(True)))
    assert answers[0] == answers[1] and answers[0][0] == 200
    assert "Check your inbox" in answers[0][1]
    queued = db.session.scalars(select(OutboxMessage)).all()
    assert [m.kind for m in queued] == ["fresh_link", "fresh_link"]  # the worker finds out
    bad = client.post(
        "/preferences?lang=en",
        data={"csrf_token": csrf_token(client, "/preferences"), "controller": "nope",
              "email": s.email},
    )  # fmt: skip
    assert bad.status_code == 422


def test_a_person_without_a_link_finds_their_way_in_a_browser(app, browser, make, smtp):
    """From the front page to the preference page, as a person without a link does it: in
    Chromium, in Norwegian, on a phone; the link arrives by real SMTP."""
    c, s, _p = world(make, locale="nb")
    with serving(app) as server:
        context = browser.new_context(viewport={"width": 390, "height": 800})
        try:
            page = context.new_page()
            page.goto(f"{server}/?lang=nb")
            page.locator("a[href^='/preferences']").first.click()
            page.select_option("#controller", c.slug)
            page.fill("#email", s.email)
            page.locator("button[type=submit]").click()
            assert page.locator("h1").inner_text() == "Sjekk innboksen din"
            deliver(app)
            [(recipients, message)] = wait_for(smtp)
            assert recipients == [s.email]
            text = message.get_body(("plain",)).get_content()
            path = re.search(r"https?://\S+?(/preferences/\S+)", text)[1]
            page.goto(server + path)
            assert page.locator("h1").inner_text() == "Dine personverninnstillinger"
        finally:
            context.close()
