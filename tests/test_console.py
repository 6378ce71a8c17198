"""The staff console: sign-in, roles, the marketer dashboard and the auditor timeline."""

import re
from datetime import timedelta

import pytest
from werkzeug.security import check_password_hash, generate_password_hash

from consent import create_app
from consent.config import TestConfig
from consent.console.views import events_per_month
from consent.core import reachability, staff_users
from consent.core.database import db
from consent.core.models import StaffUser, utcnow

PASSWORD = "correct horse battery"


def csrf_token(client, url="/console/login"):
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(True))
    match = match or re.search(
        r'type="hidden" name="csrf_token" value="([^"]+)"', page.get_data(True)
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


def login(client, controller="acme", email="staff@acme.example", password=PASSWORD):
    return client.post(
        "/console/login?lang=en",
        data={
            "csrf_token": csrf_token(client),
            "controller": controller,
            "email": email,
            "password": password,
        },
    )


@pytest.fixture
def world(make):
    """A controller with two purposes, three people with different choices, and an
    unrelated controller with a person of its own."""
    c = make.controller()
    newsletter = make.purpose(c, channels=("email", "sms"))
    offers = make.purpose(c, slug="offers", basis="legitimate_interest")
    anna = make.subject(c, email="anna@example.test", external_id="CRM-1")
    bert = make.subject(c, email="bert@example.test")
    carla = make.subject(c, email="carla@example.test")
    make.record(anna, "consent_given", newsletter, channel="email")
    make.record(anna, "consent_given", newsletter, channel="sms")
    make.record(bert, "consent_given", newsletter, channel="email")
    make.record(bert, "consent_withdrawn", newsletter, channel="email")
    make.record(carla, "basis_asserted", offers, basis="legitimate_interest", evidence="order 9")
    make.record(carla, "objection_recorded", scope="direct_marketing")
    other = make.controller(slug="other", name="Other AS", default_locale="nb")
    make.purpose(other)
    stranger = make.subject(other, email="anna@example.test")
    db.session.commit()
    return {
        "controller": c,
        "purposes": {"newsletter": newsletter, "offers": offers},
        "anna": anna,
        "stranger": stranger,
    }


def search(client, query, lang="en"):
    """The console's search as the form sends it: a POST, so the address is in no URL."""
    token = csrf_token(client, "/console/")
    return client.post(f"/console/subjects?lang={lang}", data={"q": query, "csrf_token": token})


def staff_user(controller, role, email="staff@acme.example"):
    user = staff_users.create(controller, email, role, PASSWORD)
    db.session.commit()
    return user


def test_wrong_password_and_unknown_email_get_the_same_401_and_no_session(client, world):
    staff_user(world["controller"], "marketer")
    answers = [
        login(client, password="wrong password here"),
        login(client, email="nobody@acme.example"),
        login(client, controller="nowhere"),
    ]
    for answer in answers:
        assert answer.status_code == 401
        assert "is not right" in answer.get_data(True)
    with client.session_transaction() as session:
        assert "staff_user_id" not in session
    assert client.get("/console/").status_code == 302


def test_an_unknown_email_costs_what_a_wrong_password_does():
    """The hash checked for an address without an account is made with the same method and
    parameters as every staff password, so checking it takes as long."""
    method = generate_password_hash("any password").split("$")[0]
    assert staff_users._DUMMY_HASH.split("$")[0] == method
    assert not check_password_hash(staff_users._DUMMY_HASH, "no user has this password")


def test_login_error_is_localised(client, world):
    staff_user(world["controller"], "marketer")
    answer = client.post(
        "/console/login?lang=nl",
        data={
            "csrf_token": csrf_token(client, "/console/login?lang=nl"),
            "controller": "acme",
            "email": "staff@acme.example",
            "password": "wrong password here",
        },
    )
    assert answer.status_code == 401
    assert 'lang="nl"' in answer.get_data(True)
    assert "is not right" not in answer.get_data(True)


def test_login_replaces_the_session_and_opens_the_dashboard(client, world):
    user = staff_user(world["controller"], "marketer")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    answer = login(client)
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("/console/?lang=en")
    with client.session_transaction() as session:
        assert session["staff_user_id"] == user.id
        assert "planted" not in session
    page = client.get("/console/")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"


def test_post_without_csrf_token_is_refused(client, world):
    staff_user(world["controller"], "marketer")
    answer = client.post(
        "/console/login",
        data={"controller": "acme", "email": "staff@acme.example", "password": PASSWORD},
    )
    assert answer.status_code == 400
    with client.session_transaction() as session:
        assert "staff_user_id" not in session
    assert login(client).status_code == 302
    assert client.post("/console/logout").status_code == 400
    assert client.get("/console/").status_code == 200


def test_logout_ends_the_session(client, world):
    staff_user(world["controller"], "auditor")
    login(client)
    token = csrf_token(client, "/console/")
    answer = client.post("/console/logout", data={"csrf_token": token})
    assert answer.status_code == 302
    assert "/console/login" in answer.headers["Location"]
    after = client.get("/console/subjects")
    assert after.status_code == 302
    assert after.headers["Location"].endswith("/console/login")


def test_disabled_user_is_signed_out_and_cannot_sign_in(client, world):
    user = staff_user(world["controller"], "marketer")
    login(client)
    staff_users.disable(user)
    db.session.commit()
    assert client.get("/console/").status_code == 302
    assert login(client).status_code == 401


def test_marketer_sees_the_reachable_counts_and_the_chart(client, world):
    staff_user(world["controller"], "marketer")
    login(client)
    page = client.get("/console/?lang=en").get_data(True)
    shown = {
        (purpose, channel): int(count)
        for purpose, channel, count in re.findall(
            r'data-purpose="([\w-]+)" data-channel="(\w+)">.*?data-count="(\d+)"', page, re.S
        )
    }
    expected = {
        (p.slug, channel): reachability.count(p, channel)
        for p in world["purposes"].values()
        for channel in p.channels
    }
    assert shown == expected
    assert expected[("newsletter", "email")] == 1
    assert expected[("newsletter", "sms")] == 1
    assert "<svg" in page and "<script" not in page and "style=" not in page
    month = utcnow().strftime("%Y-%m")
    row = re.search(rf'<tr data-month="{month}">(.*?)</tr>', page, re.S).group(1)
    numbers = dict(re.findall(r'data-series="(\w+)" data-count="(\d+)"', row))
    assert numbers == {"given": "3", "ended": "1", "objected": "1"}
    assert page.count('class="bar bar-given"') == 12


def test_chart_counts_months_apart_and_ignores_other_controllers(app, world, make):
    c, newsletter = world["controller"], world["purposes"]["newsletter"]
    now = utcnow()
    old = make.subject(c, email="old@example.test")
    make.record(
        old, "consent_given", newsletter, channel="email", occurred_at=now - timedelta(days=500)
    )
    make.record(
        old, "consent_given", newsletter, channel="email", occurred_at=now - timedelta(days=62)
    )
    db.session.commit()
    counts = events_per_month(c, now)
    assert len(counts) == 12
    assert sum(month["given"] for month in counts.values()) == 4
    assert counts[now.strftime("%Y-%m")]["given"] == 3


def test_marketer_may_not_open_the_timeline(client, world):
    staff_user(world["controller"], "marketer")
    login(client)
    answer = search(client, "anna@example.test", "nl")
    assert answer.status_code == 403
    assert "anna@example.test" not in answer.get_data(True)
    assert 'lang="nl"' in answer.get_data(True)
    proof = client.get(f"/console/subjects/{world['anna'].public_id}/proof")
    assert proof.status_code == 403


@pytest.mark.parametrize("query", ["anna@example.test", "ANNA@example.test ", "CRM-1", "public"])
def test_auditor_finds_a_person_and_sees_every_event(client, world, query):
    staff_user(world["controller"], "auditor")
    login(client)
    anna = world["anna"]
    query = anna.public_id if query == "public" else query
    page = search(client, query)
    assert page.status_code == 200
    text = page.get_data(True)
    event_ids = re.findall(r'<tr data-event="([\w-]+)">', text)
    assert len(event_ids) == anna.event_count == 2
    assert "consent_given" in text and anna.public_id in text
    assert f"/console/subjects/{anna.public_id}/proof" in text


def test_another_controllers_person_is_not_found(client, world):
    staff_user(world["controller"], "admin")
    login(client)
    stranger = world["stranger"]
    answer = search(client, stranger.public_id)
    assert answer.status_code == 404
    assert "No person found" in answer.get_data(True)
    assert "data-event=" not in answer.get_data(True)
    assert client.get(f"/console/subjects/{stranger.public_id}/proof").status_code == 404


def test_auditor_opens_the_printable_proof(client, world):
    staff_user(world["controller"], "auditor")
    login(client)
    anna = world["anna"]
    page = client.get(f"/console/subjects/{anna.public_id}/proof?purpose=newsletter&lang=en")
    assert page.status_code == 200
    assert "Proof of consent" in page.get_data(True)
    assert "The hash chain of 2 events is intact" in page.get_data(True)
    unknown = client.get(f"/console/subjects/{anna.public_id}/proof?purpose=nope")
    assert unknown.status_code == 404


def test_cli_creates_and_lists_users(runner, world):
    result = runner.invoke(
        args=[
            "consent",
            "users",
            "create",
            "--controller",
            "acme",
            "--email",
            "Dpo@Acme.Example",
            "--role",
            "auditor",
        ],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(db.select(StaffUser))
    assert (user.email, user.role) == ("dpo@acme.example", "auditor")
    assert PASSWORD not in user.password_hash
    assert staff_users.authenticate("acme", "dpo@acme.example", PASSWORD) == user
    listed = runner.invoke(args=["consent", "users", "list", "--controller", "acme"])
    assert "dpo@acme.example\tauditor" in listed.output
    again = runner.invoke(
        args=[
            "consent",
            "users",
            "create",
            "--controller",
            "acme",
            "--email",
            "dpo@acme.example",
            "--role",
            "admin",
        ],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert again.exit_code == 1 and "already has an account" in again.output
    short = runner.invoke(
        args=[
            "consent",
            "users",
            "create",
            "--controller",
            "acme",
            "--email",
            "x@acme.example",
            "--role",
            "admin",
        ],
        input="pw\npw\n",
    )
    assert short.exit_code == 1 and "at least" in short.output
    assert db.session.scalar(db.select(db.func.count(StaffUser.id))) == 1


def test_login_is_rate_limited(tmp_path):
    config = type(
        "Limited",
        (TestConfig,),
        {"RATELIMIT_ENABLED": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'l.db'}"},
    )
    limited = create_app(config)
    with limited.app_context():
        db.create_all()
    client = limited.test_client()
    data = {"controller": "acme", "email": "a@acme.example", "password": "wrong password"}
    with limited.app_context():
        data["csrf_token"] = csrf_token(client)
        answers = [client.post("/console/login", data=data).status_code for _ in range(11)]
        db.engine.dispose()
    assert answers[:10] == [401] * 10
    assert answers[10] == 429


def test_a_cookie_copied_before_logout_is_worthless_after_it(app, client, make, world):
    """Before: the copied cookie kept working for up to 31 days."""
    staff_user(world["controller"], "auditor")
    assert login(client).status_code == 302
    copied = client.get_cookie("session").value
    assert client.get("/console/").status_code == 200
    client.post("/console/logout", data={"csrf_token": csrf_token(client, "/console/")})
    thief = app.test_client()
    thief.set_cookie("session", copied)
    answer = thief.get("/console/")
    assert answer.status_code == 302 and "/console/login" in answer.headers["Location"]


def test_a_session_outlives_a_key_rotation_and_ends_with_the_old_key(app, client, world):
    """The cookie's signer is made once per set of keys (web/session_cookie.py): a cookie
    signed with the old key works while it is the new key's fallback, and not after."""
    staff_user(world["controller"], "auditor")
    login(client)
    signed_with_old_key = client.get_cookie("session").value
    app.config["SECRET_KEY_FALLBACKS"] = [app.secret_key]
    app.secret_key = "a-rotated-secret-key-of-enough-length-01"

    def console_with_old_cookie():
        browser = app.test_client()
        browser.set_cookie("session", signed_with_old_key)
        return browser.get("/console/")

    assert console_with_old_cookie().status_code == 200
    app.config["SECRET_KEY_FALLBACKS"] = []
    answer = console_with_old_cookie()
    assert answer.status_code == 302 and "/console/login" in answer.headers["Location"]


def test_an_idle_session_ends(app, client, make, world, monkeypatch):
    staff_user(world["controller"], "auditor")
    login(client)
    assert client.get("/console/").status_code == 200
    later = utcnow() + timedelta(minutes=app.config["CONSOLE_IDLE_MINUTES"] + 1)
    monkeypatch.setattr("consent.console.views.utcnow", lambda: later)
    assert client.get("/console/").status_code == 302


def test_a_refused_sign_in_logs_no_address(client, make, world, caplog):
    staff_user(world["controller"], "auditor")
    with caplog.at_level("WARNING"):
        assert login(client, password="wrong password!!").status_code == 401
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "refused" in logged and "staff@acme.example" not in logged


def test_disable_and_reset_end_the_users_sessions(app, client, world, runner):
    """Before: accounts could be neither disabled nor reset from the CLI."""
    staff_user(world["controller"], "auditor")
    login(client)
    assert client.get("/console/").status_code == 200
    reset = runner.invoke(
        args=["consent", "users", "reset", "--controller", "acme", "--email", "staff@acme.example"],
        input="a new password, long enough\na new password, long enough\n",
    )
    assert reset.exit_code == 0, reset.output
    assert client.get("/console/").status_code == 302  # signed out by the reset
    assert login(client, password="a new password, long enough").status_code == 302
    disable = runner.invoke(
        args=[
            "consent",
            "users",
            "disable",
            "--controller",
            "acme",
            "--email",
            "staff@acme.example",
        ]
    )
    assert disable.exit_code == 0 and "disabled" in disable.output
    assert client.get("/console/").status_code == 302
    assert login(client, password="a new password, long enough").status_code == 401
    unknown = runner.invoke(
        args=["consent", "users", "disable", "--controller", "acme", "--email", "x@acme.example"]
    )
    assert unknown.exit_code == 1 and "no console user" in unknown.output


def test_the_search_keeps_addresses_out_of_urls_and_nul_out_of_the_database(client, world):
    """Failed before the fix: the search was a GET, so the address went into the URL, the
    server log and the browser history; a NUL byte in a form reached PostgreSQL as a 500."""
    staff_user(world["controller"], "auditor")
    login(client)
    page = client.get("/console/subjects?q=anna@example.test&lang=en")
    assert page.status_code == 200 and "data-event=" not in page.get_data(True)
    assert 'method="post"' in page.get_data(True)
    assert search(client, "anna\x00@example.test").status_code == 400
    client.post("/console/logout", data={"csrf_token": csrf_token(client, "/console/")})
    token = csrf_token(client, "/console/login")
    refused = client.post(
        "/console/login",
        data={"csrf_token": token, "controller": "acme", "email": "a\x00b", "password": "x"},
    )
    assert refused.status_code == 400


def limited_console(tmp_path, **settings):
    config = type(
        "Limited",
        (TestConfig,),
        {
            "RATELIMIT_ENABLED": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'l.db'}",
            **settings,
        },
    )
    limited = create_app(config)
    with limited.app_context():
        db.create_all()
    return limited


def test_sign_ins_are_limited_per_account_whatever_address_they_come_from(tmp_path):
    """Failed before the fix: attempts were counted per socket address only, so guesses
    spread over many clients were never limited; behind a configured proxy the client is
    the forwarded address, and without one a forwarded header is ignored."""
    limited = limited_console(tmp_path, PROXY_COUNT=1)
    client = limited.test_client()
    data = {"controller": "acme", "email": "a@acme.example", "password": "wrong password"}
    with limited.app_context():
        data["csrf_token"] = csrf_token(client)
        answers = [
            client.post(
                "/console/login", data=data, headers={"X-Forwarded-For": f"203.0.113.{n}"}
            ).status_code
            for n in range(11)
        ]
        other = client.post(
            "/console/login",
            data={**data, "email": "b@acme.example"},
            headers={"X-Forwarded-For": "203.0.113.99"},
        )
        db.engine.dispose()
    assert answers == [401] * 10 + [429]
    assert other.status_code == 401  # another account, another client: not limited


def test_a_forwarded_address_is_ignored_without_a_configured_proxy(tmp_path):
    limited = limited_console(tmp_path)
    client = limited.test_client()
    with limited.app_context():
        token = csrf_token(client)
        answers = [
            client.post(
                "/console/login",
                data={"csrf_token": token, "controller": "acme", "email": f"{n}@acme.example",
                      "password": "wrong password"},
                headers={"X-Forwarded-For": f"203.0.113.{n}"},
            ).status_code
            for n in range(11)
        ]  # fmt: skip
        db.engine.dispose()
    assert answers[10] == 429  # one socket address, whatever the header claims
