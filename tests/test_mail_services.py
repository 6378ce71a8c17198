"""Mail-service events in: each provider's documented payloads, with its own authentication,
become the right ledger events (source `esp`), once per provider event id; what names
nobody, or is of a kind nothing is recorded for, is counted and left."""

import copy
import json
import threading
import uuid

import pytest

from consent.core import integrity, mail_events, mail_refs
from consent.core.database import db
from tests.support.mail_services import (
    POSTMARK,
    campaign_row,
    connect,
    mailgun_post,
    postmark_post,
    sample,
    sendgrid_post,
    sns_message,
    sns_post,
)
from tests.support.pages import events, state, world


@pytest.fixture
def acme(make, monkeypatch):
    """Anna, who consented to the newsletter by email and sms, and the campaign metadata of
    a newsletter sent to her by email; the four mail services connected."""
    c, s, p = world(make)
    make.record(s, "consent_given", p["newsletter"])
    connect(c, monkeypatch)
    db.session.commit()
    row = campaign_row(c, s, [p["newsletter"]])
    return c, s, p, row


def with_ids(events_):
    """SendGrid's reference sample gives every event the placeholder id "sg_event_id";
    real deliveries carry one id per event."""
    return [{**e, "sg_event_id": f"{e['event']}-{uuid.uuid4()}"} for e in events_]


def by_event(sample_events, name):
    return next(e for e in sample_events if e["event"] == name)


def esp_events(s):
    return [e for e in events(s) if e.source == "esp"]


def test_sendgrid_sample_events_become_the_right_events(client, acme):
    c, s, p, row = acme
    documented = with_ids(sample("sendgrid_events.json"))
    for name in ("unsubscribe", "spamreport", "bounce"):
        by_event(documented, name).update(row["metadata"])  # custom_args come back as keys
    answer = sendgrid_post(client, documented)
    assert answer.status_code == 200
    assert answer.get_json() == {
        "received": 7,
        "recorded": 3,
        "unchanged": 0,
        "unmapped": 1,  # group_unsubscribe without our metadata: nobody is guessed
        "unknown": 3,  # delivered, dropped, group_resubscribe
        "duplicate": 0,
    }
    # In the sample's order: the bounce, the spam report, the unsubscribe.
    disabled, objection, withdrawn = esp_events(s)
    assert (withdrawn.kind, withdrawn.purpose_id, withdrawn.channel) == (
        "consent_withdrawn",
        p["newsletter"].id,
        "email",
    )
    assert withdrawn.actor == "subject via esp:sendgrid"
    assert (objection.kind, objection.scope, objection.channel) == (
        "objection_recorded",
        "direct_marketing",
        "email",
    )
    assert (disabled.kind, disabled.channel, disabled.actor) == (
        "channel_disabled",
        "email",
        "esp:sendgrid",
    )
    assert {e.mailbox_proof for e in esp_events(s)} == {"none"}
    assert not state(s, p["newsletter"], "email").reachable
    assert state(s, p["newsletter"], "sms").reachable  # the campaign was by email only

    replay = sendgrid_post(client, documented)
    assert replay.get_json()["duplicate"] == 7 and replay.get_json()["recorded"] == 0
    assert len(esp_events(s)) == 3


def test_sendgrids_own_signed_sample_verifies_and_a_tampered_one_is_refused(
    client, acme, monkeypatch
):
    signed = sample("sendgrid_signed_example.json")
    monkeypatch.setenv("ACME_SENDGRID_KEY", signed["public_key"])
    headers = {
        "X-Twilio-Email-Event-Webhook-Signature": signed["signature"],
        "X-Twilio-Email-Event-Webhook-Timestamp": signed["timestamp"],
    }
    answer = client.post("/hooks/acme/sendgrid", data=signed["payload"], headers=headers)
    assert answer.status_code == 200
    assert answer.get_json()["unknown"] == 1  # a dropped message records nothing
    tampered = signed["payload"].replace("dropped", "spamreport")
    refused = client.post("/hooks/acme/sendgrid", data=tampered, headers=headers)
    assert refused.status_code == 401
    assert refused.get_json()["error"]["code"] == "bad_signature"


def test_mailgun_sample_events_become_the_right_events(client, acme):
    c, s, p, row = acme
    documented = sample("mailgun_events.json")
    answers = {}
    for name, event in documented.items():
        event["user-variables"] = dict(row["metadata"])  # v:consent_ref… come back here
        answers[name] = mailgun_post(client, event).get_json()
    outcomes = {
        name: [k for k, v in a.items() if v and k != "received"] for name, a in answers.items()
    }
    assert outcomes == {
        "unsubscribed": ["recorded"],
        "complained": ["recorded"],
        "failed_permanent": ["recorded"],
        "failed_temporary": ["unknown"],
        "opened": ["unknown"],
    }
    assert [e.kind for e in esp_events(s)] == [
        "consent_withdrawn",
        "objection_recorded",
        "channel_disabled",
    ]
    assert mailgun_post(client, documented["unsubscribed"]).get_json()["duplicate"] == 1
    anonymous = {**documented["complained"], "id": "another-id", "user-variables": {}}
    assert mailgun_post(client, anonymous).get_json()["unmapped"] == 1
    assert len(esp_events(s)) == 3


def test_postmark_sample_webhooks_become_the_right_events(client, acme):
    c, s, p, row = acme
    documented = sample("postmark_webhooks.json")
    change = {
        **documented["subscription_change"],
        "SuppressionReason": "ManualSuppression",  # the recipient's own unsubscribe
        "Metadata": row["metadata"],
    }
    complaint = {**documented["spam_complaint"], "Metadata": row["metadata"]}
    bounce = {**documented["bounce"], "Metadata": row["metadata"]}
    delivery = {**documented["delivery"], "Metadata": row["metadata"]}
    for record, outcome in (
        (change, "recorded"),
        (complaint, "recorded"),
        (bounce, "recorded"),
        (delivery, "unknown"),
    ):
        assert postmark_post(client, record).get_json()[outcome] == 1
    assert [e.kind for e in esp_events(s)] == [
        "consent_withdrawn",
        "objection_recorded",
        "channel_disabled",
    ]
    # Postmark's own subscription change after the bounce: the channel is already off.
    hard = {**documented["subscription_change"], "Metadata": row["metadata"]}
    assert postmark_post(client, hard).get_json()["unchanged"] == 1
    reactivated = {**hard, "SuppressSending": False, "ChangedAt": "2020-02-02T10:00:00Z"}
    assert postmark_post(client, reactivated).get_json()["unknown"] == 1  # lifts nothing
    assert postmark_post(client, bounce).get_json()["duplicate"] == 1
    assert len(esp_events(s)) == 3


def test_ses_notifications_through_sns_become_the_right_events(client, acme):
    c, s, p, row = acme
    documented = sample("ses_sns.json")
    bounce = copy.deepcopy(documented["bounce"])
    # Event publishing (a configuration set) echoes message tags.
    bounce["mail"]["tags"] = {name: [value] for name, value in row["metadata"].items()}
    complaint = copy.deepcopy(documented["complaint"])
    # Notifications with original headers carry X-Consent-Ref itself.
    complaint["mail"]["headers"].append(
        {"name": "X-Consent-Ref", "value": row["headers"]["X-Consent-Ref"]}
    )
    assert sns_post(client, sns_message(complaint)).get_json()["recorded"] == 1
    bounced = sns_message(bounce, version="2")
    assert sns_post(client, bounced).get_json()["recorded"] == 1
    assert sns_post(client, bounced).get_json()["duplicate"] == 1
    soft = copy.deepcopy(bounce)
    soft["bounce"]["bounceType"] = "Transient"
    assert sns_post(client, sns_message(soft)).get_json()["unknown"] == 1
    assert [e.kind for e in esp_events(s)] == ["objection_recorded", "channel_disabled"]
    assert state(s, p["newsletter"], "email").reachable is False


def test_an_sns_subscription_is_never_confirmed_by_fetching(client, acme, caplog):
    confirmation = sns_message({}, kind="SubscriptionConfirmation")
    answer = sns_post(client, confirmation)
    assert answer.status_code == 200
    assert answer.get_json()["subscription"] == "not_confirmed"
    assert "Action=ConfirmSubscription" in caplog.text  # for the operator, not fetched


def test_bad_signatures_get_401_and_record_nothing(client, acme):
    c, s, p, row = acme
    unsubscribe = [{**by_event(sample("sendgrid_events.json"), "unsubscribe"), **row["metadata"]}]
    assert sendgrid_post(client, unsubscribe, tamper=True).status_code == 401
    event = {**sample("mailgun_events.json")["unsubscribed"], "user-variables": row["metadata"]}
    assert mailgun_post(client, event, key="key-someone-else").status_code == 401
    record = {**sample("postmark_webhooks.json")["spam_complaint"], "Metadata": row["metadata"]}
    wrong = postmark_post(client, record, credentials=(POSTMARK[0], "wrong"))
    assert wrong.status_code == 401 and wrong.headers["WWW-Authenticate"].startswith("Basic")
    assert client.post("/hooks/acme/postmark", json=record).status_code == 401
    documented = sample("ses_sns.json")["sns_notification"]  # AWS's, signed by AWS's key
    assert sns_post(client, documented).status_code == 401
    other_topic = sns_message(sample("ses_sns.json")["complaint"], topic="arn:aws:sns:x:1:y")
    assert sns_post(client, other_topic).status_code == 401
    forged = sns_message(sample("ses_sns.json")["complaint"])
    forged["Message"] = forged["Message"].replace("abuse", "not-spam")
    assert sns_post(client, forged).status_code == 401
    assert esp_events(s) == [] and mail_events.counts(c) == {}


def test_a_forged_or_foreign_reference_maps_to_nobody(client, acme, make):
    c, s, p, row = acme
    ref = row["metadata"]
    other = make.controller(slug="globex")
    globex_anna = make.subject(other, email="anna.jansen@example.nl")
    newsletter = make.purpose(other)
    db.session.commit()
    foreign = campaign_row(other, globex_anna, [newsletter])["metadata"]
    cut = {"consent_ref": ref["consent_ref"]}  # a ref missing its later pieces
    flipped = {**ref, "consent_ref": ref["consent_ref"][:-2] + "AA"}
    results = [
        sendgrid_post(client, with_ids([{"event": "unsubscribe", **metadata}])).get_json()
        for metadata in (foreign, cut, flipped)
    ]
    assert [r["unmapped"] for r in results] == [1, 1, 1]
    assert esp_events(s) == [] and state(s, p["newsletter"], "email").reachable
    assert mail_events.counts(c) == {"sendgrid": {"unmapped": 3}}


def test_a_service_not_in_the_catalogue_or_without_credentials_is_refused(
    client, acme, monkeypatch
):
    c, s, p, row = acme
    assert client.post("/hooks/globex/sendgrid", json=[]).status_code == 404
    c.profile = {**c.profile, "mail_services": {"mailgun": c.profile["mail_services"]["mailgun"]}}
    db.session.commit()
    assert client.post("/hooks/acme/sendgrid", json=[]).get_json()["error"]["code"] == "not_found"
    monkeypatch.delenv("ACME_MAILGUN_KEY")
    missing = client.post("/hooks/acme/mailgun", json={})
    assert missing.status_code == 503
    assert missing.get_json()["error"]["code"] == "not_configured"
    assert "ACME_MAILGUN_KEY" not in missing.get_data(True)


def test_malformed_bodies_get_400_not_a_trace(client, acme):
    c, s, p, row = acme
    assert sendgrid_post(client, {"not": "a list"}).status_code == 400
    answer = postmark_post(client, ["not", "an", "object"])
    assert answer.status_code == 400 and answer.get_json()["error"]["code"] == "invalid_body"
    assert sns_post(client, {"Type": "Notification"}).status_code == 400
    nul = client.post("/hooks/ac%00me/sendgrid", json=[])
    assert nul.status_code == 400 and nul.get_json()["error"]["code"] == "invalid_parameter"


def test_the_campaign_metadata_is_signed_and_fits_every_provider(acme):
    c, s, p, row = acme
    ref = row["headers"]["X-Consent-Ref"]
    assert mail_refs.from_metadata(row["metadata"]) == ref
    assert all(
        len(v) <= 80 and v.replace("-", "").replace("_", "").isalnum()
        for v in row["metadata"].values()
    )
    link = mail_refs.read(ref)
    assert (link.controller, link.subject, link.purposes, link.channel, link.campaign) == (
        "acme",
        s.public_id,
        ("newsletter",),
        "email",
        "2026-11-news",
    )
    with pytest.raises(mail_refs.UnreadableRef):
        mail_refs.read(json.dumps(row["metadata"]))


def test_one_delivery_arriving_many_times_at_once_is_recorded_once(app, acme):
    """A provider retrying while the first attempt is still running: the unique provider
    event id makes every copy but one a duplicate, per event, on both databases."""
    c, s, p, row = acme
    documented = with_ids(sample("sendgrid_events.json"))
    for name in ("unsubscribe", "spamreport", "bounce"):
        by_event(documented, name).update(row["metadata"])
    copies = 6
    start = threading.Barrier(copies)
    answers, errors = [], []

    def deliver():
        try:
            start.wait(timeout=30)
            answers.append(sendgrid_post(app.test_client(), documented).get_json())
        except Exception as error:  # collected and asserted below
            errors.append(repr(error))

    threads = [threading.Thread(target=deliver) for _ in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == [] and len(answers) == copies
    totals = {key: sum(a[key] for a in answers) for key in answers[0]}
    assert totals == {
        "received": 7 * copies,
        "recorded": 3,
        "unchanged": 0,
        "unmapped": 1,
        "unknown": 3,
        "duplicate": 7 * (copies - 1),
    }
    db.session.expire_all()
    kinds = sorted(e.kind for e in esp_events(s))
    assert kinds == ["channel_disabled", "consent_withdrawn", "objection_recorded"]
    assert integrity.verify().ok


def test_the_command_says_where_each_service_posts_and_what_came_of_it(client, runner, acme):
    c, s, p, row = acme
    documented = with_ids(sample("sendgrid_events.json"))
    by_event(documented, "unsubscribe").update(row["metadata"])
    sendgrid_post(client, documented)
    result = runner.invoke(args=["consent", "mail-services", "--controller", "acme"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    hooks = "https://prefs.example.test/hooks/acme"
    assert lines[0] == f"sendgrid: {hooks}/sendgrid and {hooks}/sendgrid/inbound"
    assert lines[1:3] == [
        "  credentials: set",
        "  reports: recorded 1, unchanged 0, unmapped 3, unknown 3",  # no ref: not guessed
    ]
    assert f"ses: {hooks}/ses" in lines


def test_a_missing_credential_is_named_to_the_operator_not_the_caller(
    client, runner, acme, monkeypatch
):
    monkeypatch.delenv("ACME_POSTMARK_PASSWORD")
    record = sample("postmark_webhooks.json")["delivery"]
    assert postmark_post(client, record).status_code == 503
    result = runner.invoke(args=["consent", "mail-services", "--controller", "acme"])
    assert "  credentials: not set: ACME_POSTMARK_PASSWORD" in result.output.splitlines()
