"""GET /metrics: refused without its token, and its numbers move with what happens."""

from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from consent.core import checkpoints, outbox
from consent.core.database import db
from consent.core.models import OutboxMessage, utcnow
from tests.support import api as api_support
from tests.support.pages import link_for, world

TOKEN = "metrics-token-for-the-tests-0123456789"


def scrape(client) -> dict:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.get_data(True)
    assert response.content_type.startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.get_data(True)):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_are_off_without_a_token_and_refused_without_the_right_one(app, client):
    app.config["METRICS_TOKEN"] = ""
    off = client.get("/metrics", headers={"Authorization": "Bearer anything"})
    assert off.status_code == 404 and off.json["error"]["code"] == "not_found"

    app.config["METRICS_TOKEN"] = TOKEN
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}):
        refused = client.get("/metrics", headers=headers)
        assert refused.status_code == 401
        assert refused.headers["WWW-Authenticate"].startswith("Bearer")
        assert "consent_" not in refused.get_data(True)
    assert client.get("/metrics", headers={"Authorization": "Bearer ÿ"}).status_code == 401
    assert scrape(client)


def test_counters_move_with_a_one_click(app, client, make):
    app.config["METRICS_TOKEN"] = TOKEN
    c, s, p = world(make)
    make.record(s, "consent_given", p["newsletter"], channel="email")
    db.session.commit()
    url = "/unsubscribe/" + link_for(c, s, "unsubscribe", purposes=("newsletter",), channel="email")
    route = {"route": "/unsubscribe/<token>", "method": "POST"}

    before = scrape(client)
    assert client.post(url, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    after = scrape(client)

    def moved(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("consent_one_click_unsubscribes_total") == 1
    assert moved("consent_events_recorded_total", kind="consent_withdrawn", source="one_click") == 1
    assert moved("consent_receipts_signed_total") == 1
    assert moved("consent_http_requests_total", status="200", **route) == 1
    assert moved("consent_http_request_duration_seconds_count", **route) == 1
    # A path is never a label: the token would be in the monitor's database.
    assert not any(url in str(labels) for _, labels in after)


def test_queue_and_checkpoint_numbers_come_from_the_database(app, client, make):
    app.config["METRICS_TOKEN"] = TOKEN
    c = make.controller()
    db.session.commit()
    samples = scrape(client)
    assert value(samples, "consent_database_reachable") == 1
    assert value(samples, "consent_outbox_oldest_pending_age_seconds") == 0
    # No checkpoint yet: its age counts from the controller's creation.
    assert value(samples, "consent_checkpoint_age_seconds", controller="acme") >= 0

    waiting = outbox.enqueue("mail", c, {"template": "test"})
    waiting.created_at = utcnow() - timedelta(minutes=10)
    dead = outbox.enqueue("mail", c, {"template": "test"})
    dead.state = outbox.DEAD
    db.session.commit()
    samples = scrape(client)
    assert value(samples, "consent_outbox_messages", kind="mail", state="pending") == 1
    assert value(samples, "consent_outbox_messages", kind="mail", state="dead") == 1
    assert value(samples, "consent_outbox_oldest_pending_age_seconds") >= 600

    make.record(make.subject(c), "consent_given", make.purpose(c), channel="email")
    db.session.commit()
    assert checkpoints.run(c) is not None
    db.session.commit()
    age = value(scrape(client), "consent_checkpoint_age_seconds", controller="acme")
    assert age == pytest.approx(0, abs=120)
    assert db.session.query(OutboxMessage).count() == 2


def test_events_written_by_the_bulk_import_are_counted_too(app, client, make):
    app.config["METRICS_TOKEN"] = TOKEN
    world = api_support.build(make)
    person = {
        "email": "klant@example.test",
        "bases": [{"purpose": "service", "basis": "contract", "evidence": "contract 123"}],
    }
    before = scrape(client)
    answer = client.post(
        "/api/v1/subjects", json={"subjects": [person]}, headers=world.auth("admin")
    )
    assert answer.status_code == 200 and answer.json["subjects"][0]["events"] == 1
    after = scrape(client)
    labels = {"kind": "basis_asserted", "source": "import"}
    assert (
        value(after, "consent_events_recorded_total", **labels)
        - value(before, "consent_events_recorded_total", **labels)
        == 1
    )
    assert (
        value(after, "consent_receipts_signed_total")
        - value(before, "consent_receipts_signed_total")
        == 1
    )
