"""Security fixes, each with the attack that worked before it (issue: no takeover, no stale
access, nothing lost under races, nothing leaked)."""

import re
import threading

import pytest
from sqlalchemy import func, select

from consent import create_app
from consent.core import deployment, subjects
from consent.core.database import db
from consent.core.models import Event, Subject
from tests.support import api as api_support
from tests.support.settings import config_on


def widget_consent(client, world, email, external_id=None, origin=True):
    person = {"email": email, **({"external_id": external_id} if external_id else {})}
    headers = world.auth("widget")
    if not origin:
        del headers["Origin"]
    return client.post(
        "/api/v1/consents",
        json={"subject": person, "decisions": [{"purpose": "newsletter", "decision": "given"}]},
        headers=headers,
    )


def test_a_widget_key_never_changes_who_an_existing_person_is(client, make):
    """Before: an unknown address with a known CRM id took over that person's record."""
    world = api_support.build(make)
    victim = make.subject(world.controller, email="victim@example.test", external_id="CRM-7")
    db.session.commit()
    answer = widget_consent(client, world, "attacker@example.test", external_id="CRM-7")
    assert answer.status_code == 201
    db.session.expire_all()
    victim = db.session.get(Subject, victim.id)
    assert (victim.email, victim.external_id) == ("victim@example.test", "CRM-7")
    attacker = subjects.by_email(world.controller, "attacker@example.test")
    assert attacker.id != victim.id and attacker.external_id is None
    assert answer.get_json()["subject"]["id"] == attacker.public_id


def test_concurrent_first_consents_keep_every_decision(app, client, make):
    """Before: ten simultaneous first consents for a new address, nine 500s, nine lost."""
    world = api_support.build(make)
    db.session.commit()
    start, answers = threading.Barrier(10), []

    def consent():
        with app.test_client() as own:
            start.wait(timeout=30)
            answers.append(widget_consent(own, world, "new.person@example.test").status_code)

    threads = [threading.Thread(target=consent) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert answers == [201] * 10
    db.session.expire_all()
    people = db.session.scalar(
        select(func.count(Subject.id)).where(Subject.email == "new.person@example.test")
    )
    assert people == 1
    person = subjects.by_email(world.controller, "new.person@example.test")
    decided = db.session.scalar(select(func.count(Event.id)).where(Event.subject_id == person.id))
    assert decided == 10


def test_a_widget_key_needs_an_allowed_origin(client, make):
    """Before: without an Origin header the allow-list was skipped."""
    world = api_support.build(make)
    db.session.commit()
    answer = widget_consent(client, world, "someone@example.test", origin=False)
    assert answer.status_code == 403
    assert answer.get_json()["error"]["code"] == "forbidden"
    assert widget_consent(client, world, "someone@example.test").status_code == 201


def test_csv_cells_that_look_like_formulas_are_neutralised(client, make):
    """Before: an address like =HYPERLINK(...)@x.test went into the CSV as a formula."""
    world = api_support.build(make)
    for email in ("=cmd@evil.test", "+sum@evil.test", "@at@evil.test", "plain@example.test"):
        person = make.subject(world.controller, email=email) if email[0] != "@" else None
        if person:
            make.record(person, "consent_given", world.newsletter)
    db.session.commit()
    body = client.get(
        "/api/v1/reachable?purpose=newsletter&format=csv", headers=world.auth("marketer")
    ).get_data(True)
    cells = [line.split(",")[1] for line in body.splitlines()[1:]]
    assert sorted(cells) == ["'+sum@evil.test", "'=cmd@evil.test", "plain@example.test"]


ERASED = "anna@example.test"
SPELLINGS = [
    "anna@example.test.",  # a trailing dot on the domain
    "an\u200bna@example.test",  # a zero-width space
    "ＡＮＮＡ@example.test",  # full-width letters (NFKC)
    " Anna@EXAMPLE.test\u00ad",  # a soft hyphen, spaces and capitals
]


def test_an_erased_person_stays_erased_under_every_spelling(make):
    """Before: a trailing dot or an invisible character made a new person of the erased one."""
    world = api_support.build(make)
    anna = make.subject(world.controller, email=ERASED)
    subjects.erase(anna, source="api", actor="test")
    db.session.commit()
    for spelling in SPELLINGS:
        assert subjects.upsert(world.controller, spelling) == (None, False), spelling


def test_odd_addresses_are_refused_at_the_door(client, make):
    """Before: an address with CR/LF was stored and broke the confirmation mail later."""
    world = api_support.build(make)
    db.session.commit()
    for email in ("a@b.test\r\nBcc: x@y.test", '"quoted"@example.test', "a@@example.test"):
        answer = widget_consent(client, world, email)
        assert answer.status_code == 422, email
        assert answer.get_json()["error"]["code"] == "invalid_email"


def test_an_unexpected_error_is_logged_with_the_reference_it_shows(database_url, caplog):
    """Before: most 500s left no trace in the log."""
    from consent import create_app
    from tests.support.settings import config_on

    app = create_app(config_on(database_url, TESTING=False))
    with app.app_context():
        db.create_all()
    email = "anna@" + "example.test"  # personal data in the message, as a bug might put it

    @app.get("/api/v1/boom")
    def boom():
        raise RuntimeError(f"failed for {email}")

    @app.get("/boom/<token>")
    def boom_page(token):
        raise RuntimeError(f"failed for {email}")

    client = app.test_client()
    with caplog.at_level("ERROR"):
        answer = client.get("/api/v1/boom")
        page = client.get("/boom/secret-token")
    assert answer.status_code == 500 and page.status_code == 500
    reference = answer.get_json()["error"]["reference"]
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert f"unexpected RuntimeError (reference {reference}) on GET /api/v1/boom" in logged
    shown = re.search(r"Reference: (\w+)", page.get_data(True))[1]
    assert f"(reference {shown}) on GET /boom/<token>" in logged
    assert "anna@example.test" not in logged and "secret-token" not in logged
    assert "Traceback" not in page.get_data(True)
    with app.app_context():
        db.engine.dispose()


def test_every_api_answer_carries_the_protective_headers(client, make):
    """Before: API JSON, CSV and the printable proof had no CSP, nosniff or no-store."""
    world = api_support.build(make)
    db.session.commit()
    answer = client.get("/api/v1/purposes", headers=world.auth("marketer"))
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
    refused = client.get("/api/v1/purposes")
    assert refused.status_code == 401 and refused.headers["X-Frame-Options"] == "DENY"


def test_auditor_and_admin_keys_are_told_apart_by_their_prefix(make):
    """Before: both began ck_a_."""
    from consent.core import api_keys

    controller = make.controller()
    prefixes = {role: api_keys.create(controller, role)[1].split("_")[1] for role in api_keys.ROLES}
    assert len(set(prefixes.values())) == len(api_keys.ROLES)
    assert prefixes["auditor"] != prefixes["admin"]


def test_hostile_input_gets_a_clear_answer_not_a_500(client, make):
    """Before: a list as the decision, a notice version beyond any integer column and a
    year-1 time with an offset each answered 500."""
    world = api_support.build(make)
    db.session.commit()

    def consent(decision):
        body = {"subject": {"email": "x@example.test"}, "decisions": [decision]}
        return client.post("/api/v1/consents", json=body, headers=world.auth("widget"))

    as_list = consent({"purpose": "newsletter", "decision": ["given"]})
    assert as_list.status_code == 400
    assert as_list.get_json()["error"]["code"] == "invalid_decision"
    huge = consent({"purpose": "newsletter", "decision": "given", "notice_version": 10**20})
    assert huge.status_code == 422 and huge.get_json()["error"]["code"] == "unknown_notice"
    year_one = client.get(
        "/api/v1/reachable?purpose=newsletter&count=1&at=0001-01-01T00:00:00%2B05:00",
        headers=world.auth("marketer"),
    )
    assert year_one.status_code == 400
    assert year_one.get_json()["error"]["code"] == "invalid_parameter"


def test_json_nested_absurdly_deep_is_refused_as_malformed(client, make):
    """Failed before the fix: a body nested 100,000 deep raised RecursionError (a 500), and
    one nested 900 deep went on to the handlers."""
    world = api_support.build(make)
    db.session.commit()
    for depth in (100_000, 900):
        deep = "[" * depth + "]" * depth
        answer = client.post(
            "/api/v1/subjects", data=deep, content_type="application/json",
            headers=world.auth("admin"),
        )  # fmt: skip
        assert answer.status_code == 400
        assert answer.get_json()["error"]["code"] == "invalid_json"


def test_a_changed_email_hash_key_refuses_to_start(app, database_url):
    """Failed before the fix: an app given another EMAIL_HASH_KEY (say, the oldest secret
    dropped on rotation) started and silently changed every email hash, so erased people
    could be imported again."""
    deployment.check_email_hash_key()  # the database remembers the key it was written with
    with pytest.raises(deployment.HashKeyChanged):
        create_app(config_on(database_url, EMAIL_HASH_KEY="a-different-email-hash-key"))
    create_app(config_on(database_url))  # the same key starts


def test_tokens_never_reach_the_request_log(app, client, make, caplog):
    """Failed before the fix: the request log wrote every preference, one-click, receipt
    and confirmation token in full, and a token is a credential."""
    import logging

    from consent.web.log_redaction import redact

    token = "eyJ2IjoxfQ.abc-DEF_123"
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logging.getLogger("werkzeug").info(
            '%s - - [%s] "%s" %s -', "127.0.0.1", "01/Dec/2026 10:00:00",
            f"POST /unsubscribe/{token}?lang=nl HTTP/1.1", 200,
        )  # fmt: skip
    assert token not in caplog.text and "/unsubscribe/[token]?lang=nl" in caplog.text
    for prefix in ("preferences", "receipts", "confirm"):
        assert redact(f"GET /{prefix}/{token}/export") == f"GET /{prefix}/[token]/export"
    assert redact("GET /console/subjects") == "GET /console/subjects"
