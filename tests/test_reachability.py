"""Who may be mailed: every reason of SPEC §3 through the list, the count and the check;
time travel from the ledger; CSV and NDJSON that the standard library reads."""

import csv
import io
import json
from datetime import timedelta

import pytest

from consent.core import reachability, subjects
from consent.core.database import db
from consent.core.models import utcnow
from tests.support import api as api_support

NOW = utcnow()


@pytest.fixture
def world(make):
    return api_support.build(make)


def listing(client, world, purpose, fmt="ndjson", **params):
    response = client.get(
        "/api/v1/reachable",
        query_string={"purpose": purpose, "format": fmt, **params},
        headers=world.auth("marketer"),
        buffered=True,
    )
    assert response.status_code == 200, response.data
    text = response.get_data(as_text=True)
    if fmt == "csv":
        assert response.mimetype == "text/csv"
        return list(csv.DictReader(io.StringIO(text)))
    assert response.mimetype == "application/x-ndjson"
    return [json.loads(line) for line in text.splitlines()]


def count(client, world, purpose, **params):
    response = client.get(
        "/api/v1/reachable",
        query_string={"purpose": purpose, "count": "1", **params},
        headers=world.auth("marketer"),
    )
    assert response.status_code == 200, response.data
    return response.get_json()["count"]


def check(client, world, purpose, emails, **extra):
    response = client.post(
        "/api/v1/reachable/check",
        json={"purpose": purpose, "emails": emails, **extra},
        headers=world.auth("marketer"),
    )
    assert response.status_code == 200, response.data
    return {r["email"]: r for r in response.get_json()["results"]}


def person(make, world, name):
    return make.subject(world.controller, email=f"{name}@example.test")


def test_every_reason(client, world, make):
    """One person per reason; the list holds exactly the reachable ones, with their basis."""
    c, news, offers, service = world.controller, world.newsletter, world.offers, world.service
    webinar = make.purpose(c, "webinar", double_opt_in=True)
    sms = make.purpose(c, "sms-news", channels=("email", "sms"))
    people = {name: person(make, world, name) for name in (
        "given", "never", "refused", "withdrawn", "lapsed", "unconfirmed", "confirmed",
        "objected", "restricted", "erased", "li", "li-objected", "contract", "no-contract",
        "contract-ended", "sms-off",
    )}  # fmt: skip
    make.record(people["given"], "consent_given", news)
    make.record(people["refused"], "consent_refused", news)
    make.record(people["withdrawn"], "consent_given", news, occurred_at=NOW - timedelta(days=3))
    make.record(people["withdrawn"], "consent_withdrawn", news)
    make.record(people["lapsed"], "consent_given", news, occurred_at=NOW - timedelta(days=800))
    make.record(people["unconfirmed"], "consent_given", webinar, source="widget")
    make.record(people["confirmed"], "consent_given", webinar, source="widget")
    make.record(people["confirmed"], "consent_confirmed", webinar)
    make.record(people["objected"], "consent_given", news, occurred_at=NOW - timedelta(days=1))
    make.record(people["objected"], "objection_recorded", scope="direct_marketing")
    make.record(people["restricted"], "consent_given", news)
    make.record(people["restricted"], "restriction_started")
    make.record(people["erased"], "consent_given", news)
    subjects.erase(people["erased"], source="api", actor="test")
    for name in ("li", "li-objected"):
        make.record(people[name], "basis_asserted", offers, basis="legitimate_interest",
                    evidence="existing customer")  # fmt: skip
    make.record(people["li-objected"], "objection_recorded", offers)
    make.record(people["contract"], "basis_asserted", service, basis="contract", evidence="c-1")
    make.record(
        people["contract-ended"], "basis_asserted", service, basis="contract", evidence="c-2",
        occurred_at=NOW - timedelta(days=2),
    )  # fmt: skip
    make.record(people["contract-ended"], "basis_ended", service, basis="contract")
    make.record(people["sms-off"], "consent_given", sms)
    make.record(people["sms-off"], "consent_withdrawn", sms, channel="sms")
    db.session.commit()

    def emails(rows):
        return sorted(r["email"].split("@")[0] for r in rows)

    assert emails(listing(client, world, "newsletter")) == ["given"]
    assert emails(listing(client, world, "webinar")) == ["confirmed"]
    assert emails(listing(client, world, "service")) == ["contract"]
    assert emails(listing(client, world, "service", channel="post")) == ["contract"]
    assert emails(listing(client, world, "sms-news", channel="sms")) == []
    assert emails(listing(client, world, "sms-news", channel="email")) == ["sms-off"]
    offers_list = listing(client, world, "offers")
    # Legitimate interest for direct marketing needs the customer relationship asserted.
    assert emails(offers_list) == ["li"]
    assert {r["basis"] for r in offers_list} == {"legitimate_interest"}
    assert listing(client, world, "service")[0]["basis"] == "contract"

    addresses = [f"{name}@example.test" for name in people] + ["stranger@example.test"]
    news_answers = check(client, world, "newsletter", addresses)
    expected = {
        "given": (True, "consent_given"),
        "never": (False, "never_asked"),
        "refused": (False, "refused"),
        "withdrawn": (False, "withdrawn"),
        "lapsed": (False, "lapsed"),
        "objected": (False, "objected"),
        "restricted": (False, "restricted"),
        "erased": (False, "erased"),
        "stranger": (False, "unknown"),
    }
    for name, (reachable, reason) in expected.items():
        answer = news_answers[f"{name}@example.test"]
        assert (answer["reachable"], answer["reason"]) == (reachable, reason), name
    assert news_answers["given@example.test"]["basis"] == "consent"
    assert news_answers["erased@example.test"]["suppressed"] is True
    assert (
        check(client, world, "webinar", ["unconfirmed@example.test"])["unconfirmed@example.test"][
            "reason"
        ]
        == "unconfirmed"
    )
    assert (
        check(client, world, "offers", ["li-objected@example.test"])["li-objected@example.test"][
            "reason"
        ]
        == "objected"
    )
    service_answers = check(
        client, world, "service",
        ["contract@example.test", "no-contract@example.test", "contract-ended@example.test"],
    )  # fmt: skip
    assert service_answers["contract@example.test"]["reason"] == "basis_asserted"
    assert service_answers["no-contract@example.test"]["reason"] == "basis_not_asserted"
    assert service_answers["contract-ended@example.test"]["reason"] == "basis_ended"
    sms_answer = check(client, world, "sms-news", ["sms-off@example.test"], channel="sms")
    assert sms_answer["sms-off@example.test"]["reason"] == "withdrawn"
    off = check(client, world, "newsletter", ["given@example.test"], channel="sms")
    assert off["given@example.test"]["reason"] == "channel_not_offered"
    assert (
        check(client, world, "newsletter", ["not-an-address"])["not-an-address"]["reason"]
        == "invalid_email"
    )


def test_count_equals_list_length(client, world, make):
    for number in range(7):
        subject = make.subject(world.controller, email=f"p{number}@example.test")
        if number % 2:
            make.record(subject, "consent_given", world.newsletter)
        if number % 3 == 0:
            make.record(subject, "basis_asserted", world.offers, basis="legitimate_interest",
                        evidence="customer")  # fmt: skip
    db.session.commit()
    for purpose, expected in (("newsletter", 3), ("offers", 3), ("service", 0)):
        ndjson = listing(client, world, purpose)
        rows = listing(client, world, purpose, fmt="csv")
        assert count(client, world, purpose) == len(ndjson) == len(rows) == expected
        assert [r["subject"] for r in rows] == [r["subject"] for r in ndjson]


def test_csv_and_ndjson_parse_with_the_standard_library(client, world, make):
    subject = make.subject(world.controller, email="o'brien,jr@example.test")
    make.record(subject, "consent_given", world.newsletter)
    db.session.commit()
    response = client.get(
        "/api/v1/reachable?purpose=newsletter&format=csv",
        headers=world.auth("marketer"),
        buffered=True,
    )
    reader = csv.reader(io.StringIO(response.get_data(as_text=True)))
    assert next(reader) == ["subject", "email", "basis"]
    assert list(reader) == [[subject.public_id, "o'brien,jr@example.test", "consent"]]
    [line] = listing(client, world, "newsletter")
    assert line == {"subject": subject.public_id, "email": "o'brien,jr@example.test",
                    "basis": "consent"}  # fmt: skip


def test_time_travel_from_the_ledger(client, world, make):
    march = NOW - timedelta(days=60)
    anna = person(make, world, "anna")
    make.record(anna, "consent_given", world.newsletter, occurred_at=march - timedelta(days=10))
    make.record(anna, "consent_withdrawn", world.newsletter, occurred_at=march + timedelta(days=10))
    bob = person(make, world, "bob")
    make.record(bob, "consent_given", world.newsletter, occurred_at=march + timedelta(days=5))
    db.session.commit()

    def at(moment):
        return sorted(
            r["email"] for r in listing(client, world, "newsletter", at=moment.isoformat())
        )

    assert at(march - timedelta(days=20)) == []
    assert at(march) == ["anna@example.test"]
    assert at(march + timedelta(days=6)) == ["anna@example.test", "bob@example.test"]
    assert at(march + timedelta(days=11)) == ["bob@example.test"]
    assert count(client, world, "newsletter", at=march.isoformat()) == 1
    # The state table (now) and the ledger replayed at this instant agree.
    assert at(utcnow()) == sorted(r["email"] for r in listing(client, world, "newsletter"))
    past = check(client, world, "newsletter", ["anna@example.test"], at=march.isoformat())
    assert past["anna@example.test"]["reachable"] is True
    assert (
        check(client, world, "newsletter", ["anna@example.test"])["anna@example.test"]["reason"]
        == "withdrawn"
    )


def test_time_travel_leaves_out_people_not_yet_known(client, world, make):
    later = person(make, world, "later")
    make.record(later, "basis_asserted", world.offers, basis="legitimate_interest",
                evidence="customer")  # fmt: skip
    db.session.commit()
    before = (NOW - timedelta(days=1)).isoformat()
    assert listing(client, world, "offers", at=before) == []
    assert [r["email"] for r in listing(client, world, "offers")] == ["later@example.test"]


def test_time_travel_sees_an_erased_person_before_erasure(client, world, make):
    gone = person(make, world, "gone")
    make.record(gone, "consent_given", world.newsletter, occurred_at=NOW - timedelta(days=5))
    subjects.erase(gone, source="api", actor="test")
    db.session.commit()
    rows = listing(client, world, "newsletter", at=(NOW - timedelta(days=1)).isoformat())
    assert rows == [{"subject": gone.public_id, "email": None, "basis": "consent"}]
    assert listing(client, world, "newsletter") == []


@pytest.mark.parametrize(
    "params, status, code",
    [
        ({}, 400, "missing_parameter"),
        ({"purpose": "nope"}, 404, "unknown_purpose"),
        ({"purpose": "newsletter", "channel": "fax"}, 400, "invalid_channel"),
        ({"purpose": "newsletter", "format": "xml"}, 400, "invalid_format"),
        ({"purpose": "newsletter", "at": "yesterday"}, 400, "invalid_parameter"),
        ({"purpose": "newsletter", "at": "2999-01-01T00:00:00Z"}, 422, "future_time"),
    ],
)
def test_bad_parameters(client, world, params, status, code):
    response = client.get("/api/v1/reachable", query_string=params, headers=world.auth("marketer"))
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code


def test_streams_from_a_server_side_cursor(world, make):
    """The list is a generator that reads in chunks, not a list built in memory."""
    for number in range(5):
        make.record(
            make.subject(world.controller, email=f"s{number}@example.test"),
            "consent_given",
            world.newsletter,
        )
    db.session.commit()
    stream = reachability.rows(world.newsletter, "email")
    assert iter(stream) is stream
    first = next(stream)
    assert first.basis == "consent" and first.email == "s0@example.test"
    assert len(list(stream)) == 4
