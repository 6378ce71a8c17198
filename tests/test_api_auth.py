"""Keys and roles on every route: 401 without a valid key, 403 for a role that may not,
404 for another controller's data, CORS for widget origins, 413 for oversized bodies."""

import pytest
from sqlalchemy import select

from consent.core import api_keys
from consent.core.database import db
from consent.core.models import ApiKey
from tests.support import api as api_support

ROLES = api_keys.ROLES


def routes(world, subject_id):
    """(method, path, json body, roles allowed) for every keyed route of SPEC §6.

    The admin role may use every route; the others only their own.
    """
    return [
        ("GET", "/api/v1/purposes?locale=nl", None, set(ROLES)),
        (
            "POST",
            "/api/v1/consents",
            {
                "subject": {"email": "new@example.test"},
                "locale": "nl",
                "decisions": [{"purpose": "newsletter", "decision": "given"}],
            },
            {"widget", "admin"},
        ),
        ("POST", "/api/v1/subjects", {"subjects": [{"email": "b@example.test"}]}, {"admin"}),
        (
            "POST",
            "/api/v1/events",
            {"subject": subject_id, "kind": "consent_refused", "purpose": "newsletter"},
            {"admin"},
        ),
        ("GET", "/api/v1/reachable?purpose=newsletter&count=1", None, {"marketer", "admin"}),
        ("GET", "/api/v1/reachable?purpose=newsletter&format=csv", None, {"marketer", "admin"}),
        (
            "POST",
            "/api/v1/reachable/check",
            {"purpose": "newsletter", "emails": ["anna@example.test"]},
            {"marketer", "admin"},
        ),
        ("POST", "/api/v1/links", {"subjects": [subject_id]}, {"marketer", "admin"}),
        ("GET", f"/api/v1/subjects/{subject_id}/history", None, {"auditor", "admin"}),
        (
            "GET",
            f"/api/v1/subjects/{subject_id}/proof?purpose=newsletter",
            None,
            {"auditor", "admin"},
        ),
    ]


@pytest.fixture
def world(make):
    world = api_support.build(make)
    world.anna = make.subject(world.controller)
    db.session.commit()
    return world


def call(client, method, path, body, headers):
    return client.open(path, method=method, json=body, headers=headers, buffered=True)


def test_role_matrix(client, world):
    """Every role × every route: allowed roles get through, the others get 403."""
    for method, path, body, allowed in routes(world, world.anna.public_id):
        for role in ROLES:
            response = call(client, method, path, body, world.auth(role))
            if role in allowed:
                assert response.status_code in (200, 201), (role, path, response.get_json())
            else:
                assert response.status_code == 403, (role, path, response.status_code)
                assert response.get_json()["error"]["code"] == "forbidden"


def test_no_key_unknown_key_and_revoked_key_get_401(client, world):
    revoked = db.session.scalars(select_key("marketer", world.controller.id)).one()
    api_keys.revoke(revoked)
    db.session.commit()
    for method, path, body, _allowed in routes(world, world.anna.public_id):
        for headers in (
            {},
            {"Authorization": "Bearer ck_m_not-a-real-key"},
            {"Authorization": f"Basic {world.keys['admin']}"},
            world.auth("marketer"),
        ):
            response = call(client, method, path, body, headers)
            assert response.status_code == 401, (path, headers)
            error = response.get_json()["error"]
            assert error["code"] == "unauthorized" and error["message"]


def select_key(role, controller_id):
    return select(ApiKey).where(ApiKey.role == role, ApiKey.controller_id == controller_id)


def test_keys_are_stored_hashed(world):
    stored = db.session.scalars(select_key("admin", world.controller.id)).one()
    assert world.keys["admin"] not in (stored.key_hash, stored.prefix)
    assert stored.key_hash == api_keys.hash_key(world.keys["admin"])


def test_other_controllers_subject_is_not_found(client, world, make):
    rival_subject = make.subject(world.other, email="ola@example.test")
    db.session.commit()
    own = world.auth("admin")
    response = client.post(
        "/api/v1/events",
        json={
            "subject": rival_subject.public_id,
            "kind": "consent_refused",
            "purpose": "newsletter",
        },
        headers=own,
    )
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "unknown_subject"
    for path in (
        f"/api/v1/subjects/{rival_subject.public_id}/history",
        f"/api/v1/subjects/{rival_subject.public_id}/proof",
    ):
        assert client.get(path, headers=world.auth("auditor")).status_code == 404
    links = client.post(
        "/api/v1/links",
        json={"subjects": [rival_subject.public_id, "ola@example.test"]},
        headers=world.auth("marketer"),
    ).get_json()
    assert links["links"] == []
    assert links["unknown"] == [rival_subject.public_id, "ola@example.test"]
    check = client.post(
        "/api/v1/reachable/check",
        json={"purpose": "newsletter", "emails": ["ola@example.test"]},
        headers=world.auth("marketer"),
    ).get_json()
    assert check["results"][0]["reason"] == "unknown"


def test_other_controllers_purpose_is_not_found(client, world, make):
    make.purpose(world.other, "rival-only")
    db.session.commit()
    response = client.get(
        "/api/v1/reachable?purpose=rival-only&count=1", headers=world.auth("marketer")
    )
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "unknown_purpose"
    purposes = client.get("/api/v1/purposes", headers=world.auth("widget", other=True))
    assert [p["slug"] for p in purposes.get_json()["purposes"]] == ["newsletter", "rival-only"]


def test_reachable_list_is_scoped_to_the_keys_controller(client, world, make):
    for controller, purpose, email in (
        (world.controller, world.newsletter, "anna@example.test"),
        (world.other, world.other_purpose, "ola@example.test"),
    ):
        subject = make.subject(controller, email=email)
        make.record(subject, "consent_given", purpose)
    db.session.commit()
    mine = client.get(
        "/api/v1/reachable?purpose=newsletter", headers=world.auth("marketer"), buffered=True
    )
    theirs = client.get(
        "/api/v1/reachable?purpose=newsletter",
        headers=world.auth("marketer", other=True),
        buffered=True,
    )
    assert b"anna@example.test" in mine.data and b"ola@example.test" not in mine.data
    assert b"ola@example.test" in theirs.data and b"anna@example.test" not in theirs.data


def test_widget_cors_for_allowed_origin_only(client, world):
    body = {
        "subject": {"email": "web@example.test"},
        "decisions": [{"purpose": "newsletter", "decision": "given"}],
    }
    allowed = client.post(
        "/api/v1/consents",
        json=body,
        headers={**world.auth("widget"), "Origin": api_support.ORIGIN},
    )
    assert allowed.status_code == 201
    assert allowed.headers["Access-Control-Allow-Origin"] == api_support.ORIGIN
    refused = client.post(
        "/api/v1/consents",
        json=body,
        headers={**world.auth("widget"), "Origin": "https://evil.example"},
    )
    assert refused.status_code == 403
    assert "Access-Control-Allow-Origin" not in refused.headers


def test_cors_preflight(client, world):
    for path in ("/api/v1/consents", "/api/v1/purposes"):
        ok = client.options(
            path,
            headers={"Origin": api_support.ORIGIN, "Access-Control-Request-Method": "POST"},
        )
        assert ok.status_code == 204
        assert ok.headers["Access-Control-Allow-Origin"] == api_support.ORIGIN
        assert "Authorization" in ok.headers["Access-Control-Allow-Headers"]
        evil = client.options(path, headers={"Origin": "https://evil.example"})
        assert "Access-Control-Allow-Origin" not in evil.headers


def test_oversized_body_gets_413_json(client, world):
    big = b'{"subjects": ["' + b"x" * (5 * 1024 * 1024) + b'"]}'
    response = client.post(
        "/api/v1/links", data=big, content_type="application/json", headers=world.auth("marketer")
    )
    assert response.status_code == 413
    assert "error" in response.get_json()


def test_too_many_items_gets_413(client, world):
    response = client.post(
        "/api/v1/reachable/check",
        json={"purpose": "newsletter", "emails": ["a@example.test"] * 10_001},
        headers=world.auth("marketer"),
    )
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_many_items"


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[1, 2]", b'"text"'],
)
def test_malformed_json_gets_400(client, world, body):
    response = client.post(
        "/api/v1/links", data=body, content_type="application/json", headers=world.auth("marketer")
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_json"


def test_unknown_api_route_is_json_404(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_nul_characters_are_refused(client, world):
    """PostgreSQL cannot store NUL; the API says 400 instead of failing."""
    response = client.post(
        "/api/v1/events",
        json={"subject": "\x00", "kind": "consent_given"},
        headers=world.auth("admin"),
    )
    assert response.status_code == 400
    response = client.get("/api/v1/reachable?purpose=%00", headers=world.auth("marketer"))
    assert response.status_code == 400
    response = client.get("/api/v1/subjects/%00/history", headers=world.auth("auditor"))
    assert response.status_code == 400


def test_a_channel_the_purpose_does_not_offer_is_422_but_the_check_keeps_its_reason(
    client, world, make
):
    """Issue 15 item 11: before, GET /reachable for phone on an email-only purpose answered
    an empty list; the per-address check still answers each row with its reason."""
    make.subject(world.controller, email="anna@example.test")
    db.session.commit()
    listed = client.get(
        "/api/v1/reachable?purpose=newsletter&channel=phone&count=1",
        headers=world.auth("marketer"),
    )
    assert listed.status_code == 422
    assert "offered by email" in listed.get_json()["error"]["message"]
    check = client.post(
        "/api/v1/reachable/check",
        json={"purpose": "newsletter", "channel": "phone", "emails": ["anna@example.test"]},
        headers=world.auth("marketer"),
    ).get_json()
    assert check["results"][0]["reason"] == "channel_not_offered"
