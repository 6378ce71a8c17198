"""Logs: one JSON line per request and per recorded event, and never an address or a token.

Everything a person and a staff member do in one sitting is captured as the handler writes
it (the process's standard error, JSON): the way in without a link, the preference page, a
change, the one-click, the mail the worker sends, a failed and a good sign-in to the console.
"""

import json

import pytest

from consent.core import staff_users
from consent.core.database import db
from consent.ops import logs
from tests.support.pages import csrf_token, link_for, submit, world

PASSWORD = "correct horse battery staple"


@pytest.fixture
def json_logs(app):
    logs.configure("json")
    yield
    logs.configure(app.config["LOG_FORMAT"])


def test_no_address_token_or_password_reaches_the_log(app, client, make, smtp, json_logs, capfd):
    c, s, p = world(make, locale="en")
    make.record(s, "consent_given", p["newsletter"], channel="email")
    staff = "marketing.lead@acme.example"
    staff_users.create(c, staff, "marketer", PASSWORD)
    db.session.commit()
    page_token = link_for(c, s, locale="en")
    one_click_token = link_for(c, s, "unsubscribe", purposes=("newsletter",), channel="email")
    capfd.readouterr()

    # The way in without a link: the person types their address.
    form = csrf_token(client, "/preferences?lang=en")
    way_in = {"csrf_token": form, "controller": c.slug, "email": s.email}
    assert client.post("/preferences?lang=en", data=way_in).status_code == 200
    # The preference page, a change on it, the one-click page and its POST.
    assert client.get(f"/preferences/{page_token}?lang=en").status_code == 200
    assert submit(client, page_token, {"consent-newsletter-sms": "on"}).status_code in (200, 303)
    assert client.get(f"/unsubscribe/{one_click_token}").status_code == 200
    one_click = client.post(
        f"/unsubscribe/{one_click_token}", data={"List-Unsubscribe": "One-Click"}
    )
    assert one_click.status_code == 200
    # The worker sends what was queued (to the test's SMTP sink).
    assert app.test_cli_runner().invoke(args=["consent", "worker", "--once"]).exit_code == 0
    assert smtp.messages
    # The console: a wrong password, then the right one.
    for password in ("not the password at all", PASSWORD):
        login = {
            "csrf_token": csrf_token(client, "/console/login"),
            "controller": c.slug,
            "email": staff,
            "password": password,
        }
        client.post("/console/login?lang=en", data=login)
    assert client.get("/console/?lang=en").status_code == 200

    written = capfd.readouterr().err
    lines = [json.loads(line) for line in written.splitlines() if line.strip()]
    assert lines, "nothing was logged"
    for secret in (s.email, staff, PASSWORD, "not the password at all", page_token):
        assert secret not in written
    assert one_click_token not in written
    assert "@" not in written

    requests = [line for line in lines if line["logger"] == "consent.request"]
    for line in requests:
        assert {"time", "level", "request_id", "route", "status", "duration_ms"} <= set(line)
    by_route = {(line["method"], line["route"]): line for line in requests}
    posted = by_route[("POST", "/unsubscribe/<token>")]
    assert posted["status"] == 200 and posted["controller"] == c.slug
    assert posted["request_id"] == one_click.headers["X-Request-ID"]
    assert by_route[("GET", "/preferences/<token>")]["controller"] == c.slug
    assert ("POST", "/console/login") in by_route and ("GET", "/console/") in by_route
    assert by_route[("GET", "/console/")]["controller"] == c.slug

    recorded = [line for line in lines if line["logger"] == "consent.event"]
    withdrawn = [line for line in recorded if line["source"] == "one_click"]
    assert [line["kind"] for line in withdrawn] == ["consent_withdrawn"]
    assert withdrawn[0]["controller"] == c.slug
    assert withdrawn[0]["request_id"] == posted["request_id"]


def test_a_request_id_from_the_proxy_is_kept_and_a_strange_one_replaced(client):
    kept = client.get("/healthz", headers={"X-Request-ID": "lb-4f2a.9"})
    assert kept.headers["X-Request-ID"] == "lb-4f2a.9"
    replaced = client.get("/healthz", headers={"X-Request-ID": "a@b.example <script>"})
    assert replaced.headers["X-Request-ID"] != "a@b.example <script>"
    assert len(replaced.headers["X-Request-ID"]) == 16


def test_a_wrong_log_format_stops_the_app_with_one_line(database_url):
    from consent import create_app
    from consent.config import ConfigurationError
    from tests.support.settings import config_on

    with pytest.raises(ConfigurationError, match="LOG_FORMAT must be json or text"):
        create_app(config_on(database_url, LOG_FORMAT="yaml"))
