"""Accounts (issue 15 item 5): one sign-in per person, a chooser for a person with roles at
two controllers, `users create` reading the password, and disable/reset for admins."""

import re

import pytest
from flask import g
from werkzeug.security import generate_password_hash

from consent.core import staff_audit, staff_users
from consent.core.database import db
from tests.support.live import serving
from tests.test_console import PASSWORD, csrf_token

EMAIL = ADMIN_EMAIL = "sam@consult.example"


@pytest.fixture
def two(make):
    """Sam: administrator at Acme, auditor at Other AS, one password."""
    acme = make.controller()
    make.purpose(acme)
    other = make.controller(slug="other", name="Other AS", default_locale="nb")
    make.purpose(other)
    at_acme = staff_users.create(acme, EMAIL, "admin", PASSWORD)
    at_other = staff_users.create(other, EMAIL, "auditor")  # keeps the password Sam has
    db.session.commit()
    return {"acme": acme, "other": other, "at_acme": at_acme, "at_other": at_other}


def fresh_csrf(client, url):
    """The test keeps an app context open, which the requests of every client share: the
    CSRF token flask-wtf caches on g would cross from one client to another."""
    g.pop("csrf_token", None)
    return csrf_token(client, url)


def sign_in(client, email=EMAIL, password=PASSWORD, **extra):
    token = fresh_csrf(client, "/console/login?lang=en")
    data = {"csrf_token": token, "email": email, "password": password, **extra}
    return client.post("/console/login?lang=en", data=data)


def choose(client, role):
    token = csrf_token(client, "/console/choose?lang=en")
    return client.post("/console/choose?lang=en", data={"csrf_token": token, "role": role.id})


def test_the_sign_in_asks_no_organisation(client, two):
    page = client.get("/console/login?lang=en").get_data(True)
    assert 'name="email"' in page and 'name="password"' in page
    assert 'name="controller"' not in page and "Organisation" not in page


def test_a_person_with_two_controllers_picks_one_and_switches(client, two):
    answer = sign_in(client)
    assert answer.status_code == 302 and "/console/choose" in answer.headers["Location"]
    # Not signed in as anyone until the choice.
    assert client.get("/console/").status_code == 302
    page = client.get("/console/choose?lang=en").get_data(True)
    assert "Acme B.V." in page and "Other AS" in page
    assert choose(client, two["at_other"]).status_code == 302
    dashboard = client.get("/console/?lang=en").get_data(True)
    assert "Other AS" in dashboard and "Switch organisation" in dashboard
    with client.session_transaction() as session:
        assert session["staff_user_id"] == two["at_other"].id
        assert "staff_choices" not in session
    # The auditor role there cannot open the admin's pages of Acme.
    assert client.get("/console/accounts").status_code == 403
    assert choose(client, two["at_acme"]).status_code == 302
    assert client.get("/console/accounts?lang=en").status_code == 200


def test_only_the_roles_the_password_opens_are_offered(client, two, make):
    stranger = staff_users.create(two["other"], "eve@other.example", "admin", "eve's own password")
    db.session.commit()
    sign_in(client)
    assert choose(client, stranger).status_code == 400
    with client.session_transaction() as session:
        assert "staff_user_id" not in session
    # A role whose password differs (set before roles shared one) is not opened by Sam's.
    two["at_other"].password_hash = generate_password_hash("an older, other password")
    db.session.commit()
    client.post("/console/logout", data={"csrf_token": csrf_token(client, "/console/login")})
    answer = sign_in(client)
    assert answer.headers["Location"].endswith("/console/?lang=en")  # straight in, at Acme
    with client.session_transaction() as session:
        assert session["staff_user_id"] == two["at_acme"].id


def test_a_link_may_name_the_organisation(app, client, two):
    answer = sign_in(client, controller="other")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/console/?lang=en")
    with client.session_transaction() as session:
        assert session["staff_user_id"] == two["at_other"].id
    assert sign_in(app.test_client(), controller="nowhere").status_code == 401


def test_a_disabled_role_is_no_longer_offered_and_its_sessions_end(client, two):
    sign_in(client)
    choose(client, two["at_other"])
    staff_users.disable(two["at_other"])
    db.session.commit()
    assert client.get("/console/").status_code == 302
    answer = sign_in(client)
    assert answer.headers["Location"].endswith("/console/?lang=en")


def test_signing_out_ends_the_session_of_every_role(app, client, two):
    sign_in(client)
    choose(client, two["at_acme"])
    copied = client.get_cookie("session").value
    client.post("/console/logout", data={"csrf_token": csrf_token(client, "/console/")})
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/console/").status_code == 302


def test_users_create_reads_the_password_once_from_a_pipe(runner, two, make):
    make.controller(slug="third", name="Third Oy")
    db.session.commit()
    args = ["consent", "users", "create", "--controller", "acme", "--role", "marketer"]
    made = runner.invoke(args=[*args, "--email", "new@acme.example"], input=f"{PASSWORD}\n")
    assert made.exit_code == 0, made.output
    assert staff_users.sign_in("new@acme.example", PASSWORD)
    # A person who signs in already keeps their password: nothing is read.
    again = ["consent", "users", "create", "--controller", "third", "--role", "auditor"]
    second = runner.invoke(args=[*again, "--email", EMAIL], input="")
    assert second.exit_code == 0, second.output
    assert "already signs in" in second.output
    assert {r.controller.slug for r in staff_users.sign_in(EMAIL, PASSWORD)} == {
        "acme",
        "other",
        "third",
    }


def test_users_create_asks_twice_on_a_terminal(runner, two, monkeypatch):
    monkeypatch.setattr("consent.cli.admin.stdin_is_terminal", lambda: True)
    args = ["consent", "users", "create", "--controller", "acme", "--role", "marketer"]
    typed = f"{PASSWORD}\na typo in the confirmation\n{PASSWORD}\n{PASSWORD}\n"
    made = runner.invoke(args=[*args, "--email", "new@acme.example"], input=typed)
    assert made.exit_code == 0, made.output
    assert made.output.count("Repeat for confirmation") == 2
    assert staff_users.sign_in("new@acme.example", PASSWORD)


def admin_post(client, path, **data):
    token = fresh_csrf(client, "/console/accounts?lang=en")
    return client.post(f"{path}?lang=en", data={"csrf_token": token, **data})


def test_an_admin_disables_and_resets_accounts_of_their_own_controller(app, client, two):
    acme = two["acme"]
    account = {"account": "mia@acme.example", "role": "marketer", "active": True}
    marketer = staff_users.create(acme, "mia@acme.example", "marketer", "mia's first password")
    db.session.commit()
    mia = app.test_client()
    assert sign_in(mia, "mia@acme.example", "mia's first password").status_code == 302
    assert mia.get("/console/accounts").status_code == 403  # admins only
    sign_in(client, controller="acme")
    page = client.get("/console/accounts?lang=en").get_data(True)
    assert 'data-account="mia@acme.example"' in page
    # Sam also works for Other AS: the password is not Acme's admin's to change.
    refused = admin_post(client, f"/console/accounts/{two['at_acme'].id}/reset")
    assert refused.status_code == 409 and "another organisation" in refused.get_data(True)
    own = admin_post(client, f"/console/accounts/{two['at_acme'].id}/disable")
    assert own.status_code == 409
    short = admin_post(
        client, f"/console/accounts/{marketer.id}/reset", password="short", confirm="short"
    )
    assert short.status_code == 400 and "at least 12 characters" in short.get_data(True)
    new = "mia's second password"
    reset = admin_post(client, f"/console/accounts/{marketer.id}/reset", password=new, confirm=new)
    assert reset.status_code == 200 and "has a new password" in reset.get_data(True)
    assert mia.get("/console/").status_code == 302  # her session ended
    assert sign_in(mia, "mia@acme.example", "mia's first password").status_code == 401
    assert sign_in(mia, "mia@acme.example", new).status_code == 302
    disabled = admin_post(client, f"/console/accounts/{marketer.id}/disable")
    assert disabled.status_code == 200 and "can no longer sign in" in disabled.get_data(True)
    assert mia.get("/console/").status_code == 302
    assert sign_in(mia, "mia@acme.example", new).status_code == 401
    # Both changes are in the staff log, with who did them and the account before and after.
    lines = [(line.actor, line.action, line.after) for line in staff_audit.lines(acme)]
    assert (ADMIN_EMAIL, "account_disabled", {**account, "active": False}) in lines
    assert (ADMIN_EMAIL, "account_password_set", account) in lines
    # Another controller's account is not found from Acme.
    eve = staff_users.create(two["other"], "eve@other.example", "admin", "eve's own password")
    db.session.commit()
    assert admin_post(client, f"/console/accounts/{eve.id}/disable").status_code == 404
    assert eve.disabled_at is None


@pytest.fixture
def server(app):
    with serving(app) as url:
        yield url


def test_sign_in_once_and_choose_the_organisation_in_a_browser(server, browser, two):
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    try:
        page.goto(f"{server}/console/login?lang=en")
        assert page.get_by_label("Organisation").count() == 0
        page.get_by_label("Email address").fill(EMAIL)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r".*/console/choose.*"))
        page.get_by_role("button", name="Other AS").click()
        page.wait_for_url(re.compile(r".*/console/\?lang=.*"))
        assert page.get_by_role("heading", name="Other AS", level=1).is_visible()
        page.get_by_role("link", name="Switch organisation").click()
        page.get_by_role("button", name="Acme B.V.").click()
        page.wait_for_url(re.compile(r".*/console/\?lang=.*"))
        assert page.get_by_role("heading", name="Acme B.V.", level=1).is_visible()
        assert page.get_by_role("link", name="Staff accounts").is_visible()
    finally:
        context.close()
