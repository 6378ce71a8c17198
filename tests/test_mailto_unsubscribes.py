"""`mailto:` unsubscribes: List-Unsubscribe names the controller's `unsubscribe_mailto` with
the one-click token in the subject; a message sent there reaches us through the provider's
inbound route and unsubscribes exactly what the https link would; without a valid token it
is counted and ignored."""

import copy
import re
from urllib.parse import unquote

import pytest

from consent.core.database import db
from tests.support.mail_services import (
    campaign_row,
    connect,
    inbound_parse_form,
    mailgun_signature,
    postmark_post,
    sample,
    sns_message,
    sns_post,
)
from tests.support.pages import events, state, world


@pytest.fixture
def acme(make, monkeypatch):
    c, s, p = world(make)
    make.record(s, "consent_given", p["newsletter"])
    connect(c, monkeypatch)
    db.session.commit()
    return c, s, p, campaign_row(c, s, [p["newsletter"]])


def mailto_of(row) -> tuple[str, str]:
    """(address, subject) of the mailto: in the row's List-Unsubscribe header."""
    match = re.search(r"<mailto:([^?>]+)\?subject=([^>]+)>", row["headers"]["List-Unsubscribe"])
    assert match, row["headers"]["List-Unsubscribe"]
    return match.group(1), unquote(match.group(2))


def withdrawn_by_mail(s):
    return [e for e in events(s, kind="consent_withdrawn") if e.source == "esp"]


def test_list_unsubscribe_puts_the_mailto_with_the_token_beside_the_url(acme):
    c, s, p, row = acme
    header = row["headers"]["List-Unsubscribe"]
    assert header.startswith(f"<{row['unsubscribe_url']}>, <mailto:unsubscribe@acme.example?")
    address, subject = mailto_of(row)
    token = row["unsubscribe_url"].rsplit("/", 1)[1]
    assert address == "unsubscribe@acme.example"
    assert subject == f"unsubscribe {unquote(token)}"


def test_sendgrid_inbound_parse_unsubscribes(client, acme):
    c, s, p, row = acme
    address, subject = mailto_of(row)
    form = inbound_parse_form(subject, address)
    answer = client.post("/hooks/acme/sendgrid/inbound", data=form)
    assert answer.get_json()["recorded"] == 1
    [withdrawn] = withdrawn_by_mail(s)
    assert (withdrawn.purpose_id, withdrawn.channel, withdrawn.actor) == (
        p["newsletter"].id,
        "email",
        "subject via esp:sendgrid",
    )
    assert not state(s, p["newsletter"], "email").reachable
    again = client.post("/hooks/acme/sendgrid/inbound", data=form)
    assert again.get_json()["duplicate"] == 1


def test_mailgun_route_unsubscribes_and_checks_its_signature(client, acme):
    c, s, p, row = acme
    address, subject = mailto_of(row)
    form = {
        "recipient": address,
        "sender": "anna.jansen@example.nl",
        "subject": subject,
        "Message-Id": "<20261201.1@example.nl>",
        **mailgun_signature(),
    }
    forged = {**form, **mailgun_signature("key-someone-else")}
    assert client.post("/hooks/acme/mailgun/inbound", data=forged).status_code == 401
    assert client.post("/hooks/acme/mailgun/inbound", data=form).get_json()["recorded"] == 1
    assert len(withdrawn_by_mail(s)) == 1


def test_postmark_inbound_unsubscribes(client, acme):
    c, s, p, row = acme
    address, subject = mailto_of(row)
    message = {**sample("postmark_webhooks.json")["inbound"], "Subject": subject, "To": address}
    assert postmark_post(client, message, path="postmark/inbound").get_json()["recorded"] == 1
    assert len(withdrawn_by_mail(s)) == 1


def test_ses_receipt_through_sns_unsubscribes(client, acme):
    c, s, p, row = acme
    address, subject = mailto_of(row)
    received = copy.deepcopy(sample("ses_sns.json")["received"])
    received["mail"]["commonHeaders"]["subject"] = subject
    received["mail"]["destination"] = received["receipt"]["recipients"] = [address]
    assert sns_post(client, sns_message(received)).get_json()["recorded"] == 1
    assert len(withdrawn_by_mail(s)) == 1


def test_a_message_without_a_valid_token_is_counted_and_ignored(client, acme):
    c, s, p, row = acme
    address, subject = mailto_of(row)
    plain = inbound_parse_form("unsubscribe", address)
    tampered = inbound_parse_form(subject.replace("newsletter", "offers"), address)
    documented = sample("postmark_webhooks.json")["inbound"]  # "Email Subject"
    answers = [
        client.post("/hooks/acme/sendgrid/inbound", data=plain).get_json(),
        client.post("/hooks/acme/sendgrid/inbound", data=tampered).get_json(),
        postmark_post(client, documented, path="postmark/inbound").get_json(),
    ]
    assert [a["unmapped"] for a in answers] == [1, 1, 1]
    assert withdrawn_by_mail(s) == [] and state(s, p["newsletter"], "email").reachable
