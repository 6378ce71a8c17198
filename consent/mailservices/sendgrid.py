"""SendGrid: the signed Event Webhook and Inbound Parse (for `mailto:` unsubscribes).

The Event Webhook signs `timestamp + body` with ECDSA P-256 / SHA-256; the controller's
catalogue names the variable that holds the verification key SendGrid shows under Mail
Settings (base64 DER, or PEM). Custom arguments (`custom_args`, formerly `unique_args`)
come back as keys of each event, which is where the campaign's `consent_ref` pieces are.
"""

import base64
import binascii
import hashlib
import json

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_der_public_key, load_pem_public_key
from flask import request

from consent.core import mail_refs
from consent.core.mail_events import BOUNCE, COMPLAINT, UNKNOWN, UNSUBSCRIBE, Notice
from consent.mailservices.blueprint import (
    answer,
    bp,
    controller_and_credentials,
    malformed,
    refused,
)

SIGNATURE = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP = "X-Twilio-Email-Event-Webhook-Timestamp"
KINDS = {"unsubscribe": UNSUBSCRIBE, "group_unsubscribe": UNSUBSCRIBE, "spamreport": COMPLAINT}


def public_key(text: str) -> ec.EllipticCurvePublicKey:
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = load_pem_public_key(text.encode())
    else:
        key = load_der_public_key(base64.b64decode(text))
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise ValueError("not an elliptic-curve key")
    return key


def verify(key_text: str, body: bytes, signature: str, timestamp: str) -> bool:
    try:
        key = public_key(key_text)
        key.verify(
            base64.b64decode(signature, validate=True),
            timestamp.encode() + body,
            ec.ECDSA(hashes.SHA256()),
        )
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True


def _kind(event: dict) -> str:
    name = event.get("event")
    if name == "bounce":
        # `blocked` is a temporary refusal; a bounce (type `bounce`) is permanent.
        return BOUNCE if event.get("type", "bounce") == "bounce" else UNKNOWN
    return KINDS.get(name, UNKNOWN)


def notice(event: dict) -> Notice:
    """One event of the webhook's array as a report."""
    event_id = event.get("sg_event_id")
    if not isinstance(event_id, str) or not event_id:
        event_id = hashlib.sha256(json.dumps(event, sort_keys=True).encode()).hexdigest()
    ref = mail_refs.from_metadata(event) or mail_refs.from_metadata(event.get("unique_args"))
    return Notice(event_id, str(event.get("event") or ""), _kind(event), ref=ref)


@bp.post("/<slug>/sendgrid")
def sendgrid_events(slug):
    """SendGrid's Event Webhook: a signed JSON array of events."""
    controller, (key,) = controller_and_credentials(slug, "sendgrid")
    body = request.get_data(cache=True)
    signature, timestamp = request.headers.get(SIGNATURE), request.headers.get(TIMESTAMP)
    if not signature or not timestamp or not verify(key, body, signature, timestamp):
        raise refused("SendGrid event webhook signature")
    try:
        events = json.loads(body)
    except ValueError:
        raise malformed("The body is not JSON") from None
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        raise malformed("The body is not an array of events")
    return answer(controller, "sendgrid", [notice(e) for e in events])


@bp.post("/<slug>/sendgrid/inbound")
def sendgrid_inbound(slug):
    """Inbound Parse: a message sent to the controller's `unsubscribe_mailto`. SendGrid does
    not sign it; the one-click token in its subject is what authorises it, exactly as the
    https one-click URL needs no other credential (RFC 8058)."""
    controller, _ = controller_and_credentials(slug, "sendgrid", 0)
    form = request.form
    headers = form.get("headers", "")
    message_id = _header(headers, "Message-ID")
    text = " ".join(form.get(name, "") for name in ("subject", "to"))
    try:
        envelope = json.loads(form.get("envelope") or "{}")
        text += " " + " ".join(envelope.get("to") or [])
    except (ValueError, AttributeError, TypeError):
        pass
    event_id = message_id or hashlib.sha256((headers + text).encode()).hexdigest()
    return answer(
        controller, "sendgrid", [Notice(f"inbound:{event_id}", "inbound", UNSUBSCRIBE, mailto=text)]
    )


def _header(headers: str, name: str) -> str | None:
    for line in headers.splitlines():
        key, _, value = line.partition(":")
        if key.strip().lower() == name.lower() and value.strip():
            return value.strip()
    return None
