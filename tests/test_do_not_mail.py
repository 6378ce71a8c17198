"""The do-not-mail export: exactly the people who said no for a purpose and channel (refused,
withdrew, objected, unsubscribed, switched the channel off, bounced), never the erased,
from the CLI and the API alike."""

import csv
import io
import json
import urllib.request

import pytest
from sqlalchemy import select

from consent.core import api_keys, ledger, subjects
from consent.core.database import db
from consent.core.models import State
from tests.support.live import serving
from tests.support.pages import link_for, world

ONE_CLICK = {"List-Unsubscribe": "One-Click"}


@pytest.fixture
def people(make, client):
    """One person per way of saying no, and people who did not say no."""
    c, anna, p = world(make)
    newsletter, offers = p["newsletter"], p["offers"]
    made = {"anna": anna}

    def person(name, *records):
        made[name] = make.subject(c, email=f"{name}@example.nl", external_id=f"CRM-{name}")
        for kind, purpose, fields in records:
            make.record(made[name], kind, purpose, **fields)
        return made[name]

    email = {"channel": "email"}
    person("rita", ("consent_given", newsletter, email))  # reachable
    person("ruud", ("consent_refused", newsletter, email))
    person("wim", ("consent_given", newsletter, email), ("consent_withdrawn", newsletter, email))
    person(
        "olga",
        ("basis_asserted", offers, {"basis": "legitimate_interest", "evidence": "order 5"}),
        ("objection_recorded", None, {"scope": "direct_marketing"}),
    )
    person("chris", ("consent_given", newsletter, email), ("channel_disabled", None, email))
    person("bob", ("channel_disabled", None, {**email, "reason": "hard bounce 550"}))
    person("sam", ("consent_refused", newsletter, {"channel": "sms"}))
    person("nina")  # never asked
    person("eva", ("consent_withdrawn", newsletter, email))
    ursula = person("ursula", ("consent_given", newsletter, email))
    db.session.commit()
    token = link_for(c, ursula, "unsubscribe", purposes=("newsletter",), channel="email")
    assert client.post(f"/unsubscribe/{token}", data=ONE_CLICK).status_code == 200
    subjects.erase(made["eva"], source="api", actor="test")
    db.session.commit()
    return c, made


def names(rows) -> list[tuple[str, str]]:
    return [(row["email"].split("@")[0], row["reason"]) for row in rows]


def test_the_cli_lists_exactly_who_said_no(runner, people, tmp_path):
    c, made = people
    out = tmp_path / "do-not-mail.csv"
    result = runner.invoke(
        args=[
            "consent",
            "suppression",
            "export",
            "--controller",
            "acme",
            "--purpose",
            "newsletter",
            "-o",
            str(out),
        ]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert list(rows[0]) == [
        "email",
        "subject",
        "external_id",
        "purpose",
        "channel",
        "reason",
        "since",
    ]
    assert sorted(names(rows)) == sorted(
        [
            ("ruud", "refused"),
            ("wim", "withdrawn"),
            ("olga", "objected"),
            ("chris", "channel_disabled"),
            ("bob", "channel_disabled"),
            ("ursula", "withdrawn"),
        ]
    )
    ursula = next(row for row in rows if row["email"].startswith("ursula"))
    assert ursula["subject"] == made["ursula"].public_id and ursula["external_id"] == "CRM-ursula"
    assert ursula["since"].endswith("Z") and ursula["channel"] == "email"

    sms = runner.invoke(
        args=[
            "consent",
            "suppression",
            "export",
            "--channel",
            "sms",
            "--purpose",
            "newsletter",
            "--format",
            "ndjson",
        ]
    )
    assert sorted(names(json.loads(line) for line in sms.output.splitlines())) == [
        ("olga", "objected"),
        ("sam", "refused"),
    ]
    # Every purpose on email: the switched-off channel stops the invoices too; nobody erased.
    every = list(
        csv.DictReader(
            io.StringIO(
                runner.invoke(
                    args=["consent", "suppression", "export", "--controller", "acme"]
                ).output
            )
        )
    )
    assert ("chris", "invoices") in {(r["email"].split("@")[0], r["purpose"]) for r in every}
    assert not any(r["email"].startswith(("eva", "rita", "nina", "anna")) for r in every)
    assert {r["purpose"] for r in every} == {"newsletter", "offers", "invoices", "profile"}


def test_a_no_holds_while_the_choice_that_would_lift_it_waits(runner, make):
    """Withdrawing an objection, or consenting again to a double opt-in purpose, without
    proof of the mailbox waits for the person's confirmation and changes nothing until then:
    the no it would undo stays on the list, since when it was said. A sign-up that waits is
    nobody's no."""
    c = make.controller()
    letters = make.purpose(c, "letters", double_opt_in=True)
    offers = make.purpose(c, "offers", basis="legitimate_interest")
    email = {"channel": "email"}
    otto = make.subject(c, email="otto@example.nl")
    make.record(otto, "basis_asserted", offers, basis="legitimate_interest", evidence="order 6")
    make.record(otto, "objection_recorded", scope="direct_marketing", **email)
    make.record(otto, "objection_withdrawn", scope="direct_marketing", **email)
    lotte = make.subject(c, email="lotte@example.nl")
    make.record(lotte, "consent_given", letters, mailbox_proof="mailed_link", **email)
    make.record(lotte, "consent_withdrawn", letters, **email)
    make.record(lotte, "consent_given", letters, **email)
    sara = make.subject(c, email="sara@example.nl")
    make.record(sara, "consent_given", letters, **email)
    db.session.commit()
    waiting = db.session.execute(
        select(State.subject_id, State.purpose_id).where(State.reason == "unconfirmed")
    ).all()
    assert set(waiting) >= {
        (otto.id, offers.id), (otto.id, letters.id), (lotte.id, letters.id), (sara.id, letters.id)
    }  # fmt: skip

    def listed(purpose):
        result = runner.invoke(
            args=["consent", "suppression", "export", "--controller", c.slug, "--purpose", purpose]
        )
        assert result.exit_code == 0, result.output
        return list(csv.DictReader(io.StringIO(result.output)))

    assert sorted(names(listed("letters"))) == [("lotte", "withdrawn"), ("otto", "objected")]
    [row] = listed("offers")
    assert names([row]) == [("otto", "objected")]
    [objected] = [e for e in ledger.events_of(otto) if e.kind == "objection_recorded"]
    assert row["since"] == objected.occurred_at.isoformat().replace("+00:00", "Z")


def test_the_cli_names_a_wrong_purpose_or_channel(runner, people):
    unknown = runner.invoke(args=["consent", "suppression", "export", "--purpose", "nope"])
    assert unknown.exit_code == 2 and "no purpose 'nope'" in unknown.output
    offered = runner.invoke(
        args=["consent", "suppression", "export", "--purpose", "invoices", "--channel", "sms"]
    )
    assert offered.exit_code == 2 and "offered by email, not sms" in offered.output


def test_the_api_answers_the_same_list_to_marketers_and_admins(client, people):
    c, _made = people
    keys = {role: api_keys.create(c, role, [])[1] for role in ("marketer", "admin", "auditor")}
    db.session.commit()

    def get(url, role="marketer"):
        return client.get(url, headers={"Authorization": f"Bearer {keys[role]}"})

    answer = get("/api/v1/suppression?purpose=newsletter&format=csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    as_csv = names(csv.DictReader(io.StringIO(answer.get_data(True))))
    answer = get("/api/v1/suppression?purpose=newsletter", role="admin")
    assert answer.mimetype == "application/x-ndjson"
    as_ndjson = names(json.loads(line) for line in answer.get_data(True).splitlines())
    assert as_csv == as_ndjson and len(as_csv) == 6
    assert "eva" not in answer.get_data(True)

    assert get("/api/v1/suppression", role="auditor").status_code == 403
    assert client.get("/api/v1/suppression").status_code == 401
    missing = get("/api/v1/suppression?purpose=nope")
    assert missing.status_code == 404 and missing.json["error"]["code"] == "unknown_purpose"
    wrong = get("/api/v1/suppression?purpose=invoices&channel=sms")
    assert wrong.status_code == 422 and wrong.json["error"]["code"] == "unknown_channel"
    assert get("/api/v1/suppression?channel=fax").status_code == 400
    assert get("/api/v1/suppression?format=xml").status_code == 400


def test_the_list_streams_from_a_real_server(app, people):
    """Streamed after the request's own objects are gone (no test context around it)."""
    c, _made = people
    key = api_keys.create(c, "marketer", [])[1]
    db.session.commit()
    with serving(app) as base:
        request = urllib.request.Request(
            f"{base}/api/v1/suppression?purpose=newsletter&format=csv",
            headers={"Authorization": f"Bearer {key}"},
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            rows = list(csv.DictReader(io.StringIO(answer.read().decode())))
    assert len(rows) == 6 and {row["purpose"] for row in rows} == {"newsletter"}
