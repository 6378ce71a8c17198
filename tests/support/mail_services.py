"""Test credentials for the mail services and requests signed the way each provider signs.

The keys are made here (an ECDSA P-256 pair for SendGrid, an HMAC key for Mailgun, a
basic-auth pair for Postmark, a self-signed RSA certificate for SNS); the documented
sample payloads live in tests/data/mail_services/.
"""

import base64
import copy
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

from consent.core.campaign_links import LinkMaker, Target
from consent.mailservices import sendgrid, ses

DATA = Path(__file__).resolve().parent.parent / "data" / "mail_services"
TOPIC = "arn:aws:sns:eu-west-1:123456789012:acme-ses"
MAILGUN_KEY = "key-test-0123456789abcdef0123456789abcdef"
POSTMARK = ("postmark-hooks", "a-long-test-password-for-postmark-hooks")
SENDGRID_KEY = ec.generate_private_key(ec.SECP256R1())
SNS_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _certificate(key) -> str:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.eu-west-1.amazonaws.com")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


SNS_CERTIFICATE = _certificate(SNS_KEY)
SENDGRID_PUBLIC = base64.b64encode(
    SENDGRID_KEY.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
).decode()
ENVIRONMENT = {
    "ACME_SENDGRID_KEY": SENDGRID_PUBLIC,
    "ACME_MAILGUN_KEY": MAILGUN_KEY,
    "ACME_POSTMARK_USER": POSTMARK[0],
    "ACME_POSTMARK_PASSWORD": POSTMARK[1],
    "ACME_SNS_CERT": SNS_CERTIFICATE,
    "ACME_SNS_TOPIC": TOPIC,
}
MAIL_SERVICES = {
    "sendgrid": {"credentials_env": ["ACME_SENDGRID_KEY"]},
    "mailgun": {"credentials_env": ["ACME_MAILGUN_KEY"]},
    "postmark": {"credentials_env": ["ACME_POSTMARK_USER", "ACME_POSTMARK_PASSWORD"]},
    "ses": {"credentials_env": ["ACME_SNS_CERT", "ACME_SNS_TOPIC"]},
}


def sample(name: str):
    return json.loads((DATA / name).read_text())


def connect(controller, monkeypatch, mailto="unsubscribe@acme.example") -> None:
    """The controller's catalogue names the four services; the environment holds them."""
    controller.profile = {
        **controller.profile,
        "mail_services": MAIL_SERVICES,
        "unsubscribe_mailto": mailto,
    }
    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)


def campaign_row(controller, subject, purposes, channel="email", campaign="2026-11-news"):
    """The link row a marketer's campaign gets for this person (POST /api/v1/links)."""
    maker = LinkMaker(controller, purposes, channel, campaign, "en", made_by="api-key:test")
    return maker.row(Target(subject.id, subject.public_id, subject.email))


def sendgrid_post(client, events, slug="acme", key=SENDGRID_KEY, tamper=False):
    body = json.dumps(events).encode()
    timestamp = "1764590400"
    signature = key.sign(timestamp.encode() + body, ec.ECDSA(hashes.SHA256()))
    if tamper:
        body += b" "
    headers = {
        sendgrid.SIGNATURE: base64.b64encode(signature).decode(),
        sendgrid.TIMESTAMP: timestamp,
    }
    return client.post(
        f"/hooks/{slug}/sendgrid", data=body, headers=headers, content_type="application/json"
    )


def mailgun_signature(key=MAILGUN_KEY) -> dict:
    timestamp, token = "1764590400", uuid.uuid4().hex + uuid.uuid4().hex[:18]
    digest = hmac.new(key.encode(), (timestamp + token).encode(), hashlib.sha256).hexdigest()
    return {"timestamp": timestamp, "token": token, "signature": digest}


def mailgun_post(client, event_data, slug="acme", key=MAILGUN_KEY):
    body = sample("mailgun_webhook.json")
    body["signature"] = mailgun_signature(key)
    body["event-data"] = event_data
    return client.post(f"/hooks/{slug}/mailgun", json=body)


def postmark_post(client, record, path="postmark", credentials=POSTMARK, slug="acme"):
    auth = base64.b64encode(":".join(credentials).encode()).decode()
    return client.post(
        f"/hooks/{slug}/{path}", json=record, headers={"Authorization": f"Basic {auth}"}
    )


def sns_message(report: dict, message_id=None, topic=TOPIC, version="1", kind="Notification"):
    """The documented SNS envelope around an SES notification, signed with the test key."""
    name = "sns_notification" if kind == "Notification" else "sns_subscription_confirmation"
    message = copy.deepcopy(sample("ses_sns.json")[name])
    message.pop("Subject", None)  # SES publishes without one
    message.update(
        MessageId=message_id or str(uuid.uuid4()),
        TopicArn=topic,
        SignatureVersion=version,
    )
    if kind == "Notification":
        message["Message"] = json.dumps(report)
    digest = hashes.SHA1() if version == "1" else hashes.SHA256()
    signature = SNS_KEY.sign(ses.string_to_sign(message), padding.PKCS1v15(), digest)
    message["Signature"] = base64.b64encode(signature).decode()
    return message


def sns_post(client, message, slug="acme"):
    """SNS posts JSON as text/plain."""
    return client.post(
        f"/hooks/{slug}/ses", data=json.dumps(message), content_type="text/plain; charset=UTF-8"
    )


def inbound_parse_form(subject: str, to: str) -> dict:
    """SendGrid's documented Inbound Parse POST, its fields as a form, sent to `to`."""
    text = (DATA / "sendgrid_inbound_parse.txt").read_text()
    fields = {}
    for part in text.split("--xYzZY"):
        head, _, value = part.strip("\n").partition("\n\n")
        if 'name="' in head:
            fields[head.split('name="')[1].split('"')[0]] = value.rstrip("\n")
    fields["subject"], fields["to"] = subject, to
    fields["envelope"] = json.dumps({"to": [to], "from": "test@example.com"})
    fields["headers"] += f"\nMessage-ID: <{uuid.uuid4()}@example.com>"
    return fields
