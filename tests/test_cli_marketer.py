"""`flask consent keys|import|links|reachable`: the marketer's commands end to end."""

import csv
import io
import json

import pytest
from sqlalchemy import select

from consent.core import api_keys
from consent.core.database import db
from consent.core.models import ApiKey


@pytest.fixture
def controller(make):
    controller = make.controller()
    make.purpose(controller, "newsletter")
    make.purpose(controller, "offers", basis="legitimate_interest")
    db.session.commit()
    return controller


def run(runner, *args):
    result = runner.invoke(args=["consent", *args])
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def test_keys_create_prints_the_key_alone_on_the_last_line(runner, controller, client):
    result = run(runner, "keys", "create", "--controller", "acme", "--role", "marketer")
    key = result.stdout.strip().splitlines()[-1]
    assert key.startswith("ck_") and " " not in key
    row = db.session.scalars(select(ApiKey)).one()
    assert row.key_hash == api_keys.hash_key(key) and row.role == "marketer"
    response = client.get(
        "/api/v1/reachable?purpose=offers&count=1", headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code == 200

    listed = run(runner, "keys", "list").stdout
    assert row.prefix in listed and "marketer" in listed and key not in listed
    run(runner, "keys", "revoke", str(row.id))
    assert "revoked" in run(runner, "keys", "list", "--controller", "acme").stdout
    response = client.get(
        "/api/v1/reachable?purpose=offers&count=1", headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code == 401


def test_widget_keys_need_an_origin(runner, controller):
    result = runner.invoke(args=["consent", "keys", "create", "--role", "widget"])
    assert result.exit_code != 0
    result = run(runner, "keys", "create", "--role", "widget", "--origin", "https://shop.example")
    assert db.session.scalars(select(ApiKey)).one().origins == ["https://shop.example"]


def test_unknown_controller_is_an_error(runner, controller):
    result = runner.invoke(
        args=["consent", "keys", "create", "--controller", "x", "--role", "admin"]
    )
    assert result.exit_code != 0 and "no controller" in result.output


def test_import_links_and_reachable(runner, controller, tmp_path):
    contacts = tmp_path / "contacts.csv"
    contacts.write_text(
        "email,external_id,locale,purpose,basis,evidence,sale_reference,opt_out_offered_at\n"
        "anna@example.test,c-1,nl,offers,legitimate_interest,order 1,order 1,2026-01-02\n"
        "bob@example.test,c-2,nb,offers,legitimate_interest,order 2,order 2,2026-01-02\n"
        "oops,c-3,nb,offers,legitimate_interest,order 3,order 3,2026-01-02\n"
    )
    result = run(runner, "import", str(contacts), "--controller", "acme")
    assert "line 4: invalid_email" in result.stdout
    assert "2 created" in result.stdout and "1 invalid" in result.stdout
    assert "importing" in result.stderr
    again = run(runner, "import", str(contacts)).stdout
    assert "3 rows: all already imported (1 batches by an earlier run of this file)" in again

    listed = run(runner, "reachable", "--purpose", "offers").stdout
    rows = list(csv.DictReader(io.StringIO(listed)))
    assert [(r["email"], r["basis"]) for r in rows] == [
        ("anna@example.test", "legitimate_interest"),
        ("bob@example.test", "legitimate_interest"),
    ]
    ndjson = run(runner, "reachable", "--purpose", "offers", "--format", "ndjson").stdout
    assert [json.loads(line)["email"] for line in ndjson.splitlines()] == [
        "anna@example.test",
        "bob@example.test",
    ]
    assert run(runner, "reachable", "--purpose", "offers", "--count").stdout.strip() == "2"
    assert run(runner, "reachable", "--purpose", "newsletter", "--count").stdout.strip() == "0"

    refs = tmp_path / "send.csv"
    refs.write_text(f"email\nanna@example.test\nghost@example.test\n{rows[1]['subject']}\n")
    out = tmp_path / "links.csv"
    result = run(
        runner, "links", str(refs), "--purpose", "newsletter", "--campaign", "2026-11-news",
        "--locale", "nb", "-o", str(out),
    )  # fmt: skip
    assert "unknown subject: ghost@example.test" in result.stderr
    assert "signing links" in result.stderr
    links = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [(r["email"], r["reachable"]) for r in links] == [
        ("anna@example.test", "false"),
        ("bob@example.test", "false"),
    ]
    assert links[0]["preferences_url"].startswith("https://prefs.example.test/preferences/")
    assert links[0]["list_unsubscribe"] == f"<{links[0]['unsubscribe_url']}>"
    assert links[0]["list_unsubscribe_post"] == "List-Unsubscribe=One-Click"


def test_links_for_thousands_of_refs_come_out_whole_and_in_order(
    runner, controller, make, tmp_path
):
    """The command writes its lines a thousand at a time: two full thousands and the rest
    all arrive, each ref's row where the file had it, the unknown ones left out."""
    people = [make.subject(controller, f"p{n}@example.test") for n in range(3)]
    db.session.commit()
    refs = [person.public_id for person in people] * 800 + ["ghost@example.test"]
    source = tmp_path / "send.csv"
    source.write_text("subject\n" + "\n".join(refs) + "\n")
    out = tmp_path / "links.csv"
    result = run(runner, "links", str(source), "--campaign", "c1", "-o", str(out))
    assert "2400 links made, 1 unknown subjects" in result.stderr
    links = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [row["subject"] for row in links] == refs[:-1]


def test_reachable_refuses_a_future_instant(runner, controller):
    result = runner.invoke(
        args=["consent", "reachable", "--purpose", "offers", "--at", "2999-01-01"]
    )
    assert result.exit_code != 0 and "future" in result.output


def test_a_channel_the_purpose_does_not_offer_is_an_error(runner, controller, client):
    """Issue 15 item 11: before, asking for phone on an email-only purpose answered an empty
    list, which reads as "nobody may be called"."""
    result = runner.invoke(
        args=["consent", "reachable", "--purpose", "newsletter", "--channel", "phone"]
    )
    assert result.exit_code != 0 and "offered by email, not phone" in result.output
