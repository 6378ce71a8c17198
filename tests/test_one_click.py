"""RFC 8058 one-click unsubscribe: GET and HEAD change nothing, the POST withdraws at once."""

import time

import pytest

from consent.core import signed_links
from consent.core.database import db
from tests.support.pages import events, link_for, state, world

ONE_CLICK = {"List-Unsubscribe": "One-Click"}


@pytest.fixture
def given(make):
    """A subject with consent for the newsletter on email and sms."""
    c, s, p = world(make)
    make.record(s, "consent_given", p["newsletter"])
    db.session.commit()
    return c, s, p


def unsubscribe_url(c, s, **fields):
    fields.setdefault("purposes", ("newsletter",))
    fields.setdefault("channel", "email")
    return f"/unsubscribe/{link_for(c, s, 'unsubscribe', **fields)}"


def test_get_and_head_change_nothing(client, given):
    c, s, p = given
    url = unsubscribe_url(c, s, locale="en")
    count = len(events(s))
    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(True)
    assert 'name="List-Unsubscribe" value="One-Click"' in html
    assert 'name="answer" value="page"' in html  # the button asks for the answer page
    assert "Newsletter" in html and "csrf_token" not in html
    assert client.head(url).status_code == 200
    assert len(events(s)) == count
    assert state(s, p["newsletter"]).reachable


def test_urlencoded_post_withdraws_consent(client, given):
    c, s, p = given
    response = client.post(unsubscribe_url(c, s, locale="en"), data=ONE_CLICK)
    assert response.status_code == 200
    assert "You are unsubscribed" in response.get_data(True)
    [withdrawn] = events(s, kind="consent_withdrawn")
    assert withdrawn.source == "one_click" and withdrawn.channel == "email"
    assert not state(s, p["newsletter"], "email").reachable
    assert state(s, p["newsletter"], "sms").reachable


def test_a_mailbox_providers_post_is_answered_in_two_lines(client, given):
    c, s, p = given
    response = client.post(unsubscribe_url(c, s, locale="en"), data=ONE_CLICK)
    assert response.status_code == 200
    assert response.mimetype == "text/plain" and response.headers["Content-Language"] == "en"
    assert response.get_data(True) == (
        "You are unsubscribed\nThis took effect immediately. You do not need to do anything else.\n"
    )
    again = client.post(unsubscribe_url(c, s, locale="en"), data=ONE_CLICK)
    assert again.get_data(True).startswith("You were already unsubscribed\n")


def test_the_pages_button_is_answered_with_the_page(client, given):
    c, s, p = given
    button = {**ONE_CLICK, "answer": "page"}
    response = client.post(unsubscribe_url(c, s, locale="en"), data=button)
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(True)
    [withdrawn] = events(s, kind="consent_withdrawn")
    assert "You are unsubscribed" in html and withdrawn.receipt_id in html
    assert "/preferences/" in html and "What you will still receive" in html


def test_multipart_post_withdraws_consent(client, given):
    c, s, p = given
    response = client.post(
        unsubscribe_url(c, s), data=ONE_CLICK, content_type="multipart/form-data"
    )
    assert response.status_code == 200
    assert len(events(s, kind="consent_withdrawn")) == 1
    assert not state(s, p["newsletter"]).reachable


def test_bare_body_without_content_type_is_accepted(client, given):
    c, s, p = given
    response = client.post(unsubscribe_url(c, s), data=b"List-Unsubscribe=One-Click")
    assert response.status_code == 200
    assert not state(s, p["newsletter"]).reachable


def test_repeat_post_is_idempotent_and_never_redirects(client, given):
    c, s, p = given
    url = unsubscribe_url(c, s)
    first = client.post(url, data=ONE_CLICK)
    second = client.post(url, data=ONE_CLICK)
    assert first.status_code == second.status_code == 200
    assert "Location" not in second.headers
    assert len(events(s, kind="consent_withdrawn")) == 1
    # Issue 15 item 9: the second answer says nothing changed, rather than "unsubscribed".
    assert "You are unsubscribed" in first.get_data(True)
    assert "You were already unsubscribed" in second.get_data(True)


def test_post_needs_no_cookie_and_sets_none(app, given):
    c, s, p = given
    client = app.test_client(use_cookies=False)
    response = client.post(unsubscribe_url(c, s), data=ONE_CLICK)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


def test_post_without_the_one_click_body_changes_nothing(client, given):
    c, s, p = given
    url = unsubscribe_url(c, s)
    assert client.post(url, data={}).status_code == 400
    assert client.post(url, data={"List-Unsubscribe": "Yes"}).status_code == 400
    assert events(s, kind="consent_withdrawn") == []


def test_legitimate_interest_purpose_gets_an_objection(client, given):
    c, s, p = given
    client.post(unsubscribe_url(c, s, purposes=("offers",)), data=ONE_CLICK)
    [objection] = events(s, kind="objection_recorded")
    assert objection.purpose_id == p["offers"].id and objection.source == "one_click"
    assert not state(s, p["offers"]).reachable
    client.post(unsubscribe_url(c, s, purposes=("offers",)), data=ONE_CLICK)
    assert len(events(s, kind="objection_recorded")) == 1


def test_contract_purpose_is_left_alone(client, given):
    c, s, p = given
    client.post(unsubscribe_url(c, s, purposes=("invoices",)), data=ONE_CLICK)
    assert state(s, p["invoices"]).reachable
    assert events(s)[-1].kind == "consent_given"


def test_link_for_all_purposes_unsubscribes_from_all_marketing(client, given):
    c, s, p = given
    response = client.post(unsubscribe_url(c, s, purposes=None, channel=None), data=ONE_CLICK)
    assert response.status_code == 200
    scopes = [(e.kind, e.scope, e.source) for e in events(s)[-2:]]
    assert scopes == [
        ("consent_withdrawn", "newsletter", "one_click"),
        ("objection_recorded", "direct_marketing", "one_click"),
    ]
    for purpose in ("newsletter", "offers"):
        for channel in p[purpose].channels:
            assert not state(s, p[purpose], channel).reachable
    assert state(s, p["invoices"]).reachable
    assert state(s, p["profile"]).reachable


def test_a_genuine_expired_link_still_unsubscribes(client, given, monkeypatch):
    c, s, p = given
    url = unsubscribe_url(c, s)
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 400 * 86400)
    response = client.post(url, data=ONE_CLICK)
    assert response.status_code == 200
    assert not state(s, p["newsletter"]).reachable


def test_tampered_and_wrong_use_links_are_refused(client, given):
    c, s, p = given
    url = unsubscribe_url(c, s)
    assert client.post(url[:-2] + "xx", data=ONE_CLICK).status_code == 400
    preferences_token = link_for(c, s, "preferences", purposes=("newsletter",))
    wrong = client.post(f"/unsubscribe/{preferences_token}", data=ONE_CLICK)
    assert wrong.status_code == 400
    assert events(s, kind="consent_withdrawn") == []


def test_list_unsubscribe_headers_point_at_a_working_url(client, given):
    c, s, p = given
    link = signed_links.Link(c.slug, s.public_id, purposes=("newsletter",), channel="email")
    headers = signed_links.list_unsubscribe_headers(link)
    url = headers["List-Unsubscribe"].strip("<>")
    assert url.startswith("https://prefs.example.test/unsubscribe/")
    path = url.removeprefix("https://prefs.example.test")
    response = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not state(s, p["newsletter"]).reachable


def test_one_clicks_are_never_rate_limited(given, database_url, tmp_path):
    """A mailbox provider sends many people's one-clicks from one address: a deployment's
    default limit per address must not refuse any of them."""
    from tests.test_links import close, limited_app

    c, s, _p = given
    limited = limited_app(database_url, tmp_path, RATELIMIT_DEFAULT="2 per hour")
    try:
        client = limited.test_client()
        answers = [client.post(unsubscribe_url(c, s), data=ONE_CLICK) for _ in range(4)]
        assert [a.status_code for a in answers] == [200] * 4
        pages = [client.get("/preferences").status_code for _ in range(3)]
        assert pages == [200, 200, 429]  # the default limit is in force elsewhere
    finally:
        close(limited)
