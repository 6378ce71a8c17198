"""Bad and stale links: tampered, unknown key, rotated key, expired, erased, rate-limited."""

import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from consent import create_app
from consent.config import TestConfig
from consent.core import signed_links
from consent.core.database import db
from consent.extensions import limiter
from tests.support.clock import later
from tests.support.mail import deliver
from tests.support.pages import link_for, world


@pytest.fixture
def mail_folder(app, tmp_path):
    folder = tmp_path / "mail_folder"
    app.config["MAIL_OUTBOX"] = str(folder)
    return folder


def sent(folder: Path) -> list[EmailMessage]:
    if not folder.exists():
        return []
    return [
        message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in sorted(folder.glob("*.eml"))
    ]


def sign_with(database_url, keys, link, use="preferences"):
    """A token made by a deployment whose SECRET_KEYS were `keys`."""
    other = create_app(
        type(
            "Other",
            (TestConfig,),
            {"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEYS": keys, "SECRET_KEY": keys[0]},
        )
    )
    with other.app_context():
        token = signed_links.make(link, use)
        db.engine.dispose()
    return token


def test_tampered_link_gets_a_localised_400_page(client, make):
    c, s, _p = world(make)
    token = link_for(c, s, locale="nl")
    response = client.get(f"/preferences/{token[:-3]}abc")
    assert response.status_code == 400
    html = response.get_data(True)
    assert "Stack" not in html and "Traceback" not in html
    dutch = client.get(f"/preferences/{token[:-3]}abc", headers={"Accept-Language": "nl"})
    assert '<html lang="nl">' in dutch.get_data(True)
    assert "Deze link is niet geldig" in dutch.get_data(True)


def test_link_signed_with_the_old_key_works_after_rotation(client, make, database_url):
    c, s, _p = world(make)
    link = signed_links.Link(c.slug, s.public_id, locale="en")
    token = sign_with(database_url, ["test-secret-old"], link)
    assert token != signed_links.make(link, "preferences")  # really signed with another key
    response = client.get(f"/preferences/{token}")
    assert response.status_code == 200 and "Your privacy preferences" in response.get_data(True)


def test_link_signed_with_an_unknown_key_is_refused(client, make, database_url):
    c, s, _p = world(make)
    link = signed_links.Link(c.slug, s.public_id, locale="en")
    token = sign_with(database_url, ["a-key-we-never-had"], link)
    response = client.get(f"/preferences/{token}")
    assert response.status_code == 400
    assert "This link is not valid" in response.get_data(True)


def test_link_for_an_unknown_controller_or_subject_no_longer_works(client, make):
    c, s, _p = world(make)
    for link in (
        signed_links.Link("nobody", s.public_id, locale="en"),
        signed_links.Link(c.slug, "not-a-subject", locale="en"),
    ):
        response = client.get(f"/preferences/{signed_links.make(link, 'preferences')}")
        assert response.status_code == 400
        assert "This link no longer works" in response.get_data(True)


def test_expired_link_offers_a_fresh_one_by_email(app, client, make, mail_folder, monkeypatch):
    c, s, _p = world(make)
    token = link_for(c, s, locale="en", campaign="2026-11-news")
    later(monkeypatch, 91)
    page = client.get(f"/preferences/{token}")
    assert page.status_code == 410
    html = page.get_data(True)
    assert "This link has expired" in html and 'name="email"' in html
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)[1]
    form = {"csrf_token": csrf, "token": token, "use": "preferences"}

    known = client.post("/links/renew", data={**form, "email": " Anna.Jansen@Example.NL "})
    unknown = client.post("/links/renew", data={**form, "email": "someone@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert known.get_data(True) == unknown.get_data(True)
    assert sent(mail_folder) == []  # nothing leaves inside a request
    deliver(app)
    [message] = sent(mail_folder)
    assert message["To"] == "anna.jansen@example.nl"
    text = message.get_body(("plain",)).get_content()
    fresh = re.search(r"https://prefs\.example\.test(/preferences/\S+)", text)[1]
    opened = client.get(fresh)
    assert opened.status_code == 200 and "a•••@e•••.nl" in opened.get_data(True)


def test_fresh_link_form_checks_the_address(client, make, mail_folder, monkeypatch):
    c, s, _p = world(make)
    token = link_for(c, s, locale="en")
    later(monkeypatch, 91)
    html = client.get(f"/preferences/{token}").get_data(True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)[1]
    response = client.post(
        "/links/renew",
        data={"csrf_token": csrf, "token": token, "use": "preferences", "email": "not an address"},
    )
    assert response.status_code == 422
    assert "Please enter a valid email address." in response.get_data(True)
    assert sent(mail_folder) == []


def test_fresh_link_form_refuses_a_forged_token(client, make, mail_folder):
    c, s, _p = world(make)
    html = client.get(f"/preferences/{link_for(c, s)}").get_data(True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)[1]
    response = client.post(
        "/links/renew",
        data={
            "csrf_token": csrf,
            "token": "1~acme~x~*~~~~.AAAA.BBBB",
            "use": "preferences",
            "email": "anna.jansen@example.nl",
        },
    )
    assert response.status_code == 400
    assert sent(mail_folder) == []


def test_erased_subject_link_no_longer_works(client, make):
    c, s, _p = world(make)
    from consent.core import subjects

    subjects.erase(s, source="api", actor="test")
    db.session.commit()
    response = client.get(f"/preferences/{link_for(c, s, locale='en')}")
    assert response.status_code == 400
    assert "This link no longer works" in response.get_data(True)


def limited_app(database_url, tmp_path, **settings):
    """The app with rate limits on (the suite runs without them) and no CSRF in the way."""
    settings = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_ENABLED": True,
        "WTF_CSRF_ENABLED": False,
        "MAIL_OUTBOX": str(tmp_path / "mail_folder"),
        **settings,
    }
    return create_app(type("Limited", (TestConfig,), settings))


def close(limited) -> None:
    limiter.enabled = False
    with limited.app_context():
        db.session.remove()
        db.engine.dispose()


def test_fresh_link_requests_are_rate_limited(app, make, database_url, tmp_path, monkeypatch):
    c, s, _p = world(make)
    token = link_for(c, s, locale="en")
    limited = limited_app(database_url, tmp_path)
    try:
        client = limited.test_client()
        later(monkeypatch, 91)
        form = {"token": token, "use": "preferences", "email": "someone@example.org"}
        answers = [client.post("/links/renew", data=form).status_code for _ in range(6)]
        assert answers == [200] * 5 + [429]
        page = client.post("/links/renew", data=form)
        assert page.status_code == 429 and "Too many requests" in page.get_data(True)
    finally:
        close(limited)


def test_fresh_links_for_one_address_are_limited_whoever_asks(
    app, make, database_url, tmp_path, monkeypatch
):
    """Before: the limit was per client only, so many clients could flood one mailbox."""
    c, s, _p = world(make)
    token = link_for(c, s, locale="en")
    limited = limited_app(database_url, tmp_path)
    later(monkeypatch, 91)
    form = {"token": token, "use": "preferences", "email": "anna.jansen@example.nl"}
    try:
        answers = []
        for n in range(6):
            client = limited.test_client()
            client.environ_base["REMOTE_ADDR"] = f"192.0.2.{n + 1}"
            answers.append(client.post("/links/renew", data=form).status_code)
        assert answers == [200] * 5 + [429]
        other = limited.test_client()
        other.environ_base["REMOTE_ADDR"] = "192.0.2.99"
        answer = other.post("/links/renew", data={**form, "email": "x@example.org"})
        assert answer.status_code == 200
    finally:
        close(limited)
