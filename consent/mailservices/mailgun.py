"""Mailgun: webhooks (JSON) and routes that forward inbound mail (`mailto:` unsubscribes).

Both carry `timestamp`, `token` and `signature`: the hex HMAC-SHA256 of timestamp + token
under the domain's HTTP webhook signing key, whose variable the catalogue names. Variables
set when sending (`v:consent_ref` or the `X-Mailgun-Variables` header) come back in each
event's `user-variables`.
"""

import hashlib
import hmac
import json

from flask import request

from consent.core import mail_refs
from consent.core.mail_events import BOUNCE, COMPLAINT, UNKNOWN, UNSUBSCRIBE, Notice
from consent.mailservices.blueprint import (
    answer,
    bp,
    controller_and_credentials,
    json_body,
    malformed,
    refused,
)


def verify(signing_key: str, timestamp, token, signature) -> bool:
    if not all(isinstance(value, str) and value for value in (timestamp, token, signature)):
        return False
    digest = hmac.new(signing_key.encode(), (timestamp + token).encode(), hashlib.sha256)
    return hmac.compare_digest(digest.hexdigest(), signature)


def _kind(event: dict) -> str:
    name = event.get("event")
    if name == "unsubscribed":
        return UNSUBSCRIBE
    if name == "complained":
        return COMPLAINT
    if name == "failed" and event.get("severity") == "permanent":
        return BOUNCE
    return UNKNOWN


def notice(event: dict) -> Notice:
    event_id = event.get("id")
    if not isinstance(event_id, str) or not event_id:
        event_id = hashlib.sha256(json.dumps(event, sort_keys=True).encode()).hexdigest()
    ref = mail_refs.from_metadata(event.get("user-variables"))
    return Notice(event_id, str(event.get("event") or ""), _kind(event), ref=ref)


@bp.post("/<slug>/mailgun")
def mailgun_events(slug):
    """A Mailgun webhook: `{"signature": {…}, "event-data": {…}}`."""
    controller, (key,) = controller_and_credentials(slug, "mailgun")
    body = json_body()
    if not isinstance(body, dict):
        raise malformed("The body is not a JSON object")
    signed = body.get("signature") if isinstance(body.get("signature"), dict) else {}
    if not verify(key, signed.get("timestamp"), signed.get("token"), signed.get("signature")):
        raise refused("Mailgun webhook signature")
    event = body.get("event-data")
    if not isinstance(event, dict):
        raise malformed("event-data is missing")
    return answer(controller, "mailgun", [notice(event)])


@bp.post("/<slug>/mailgun/inbound")
def mailgun_inbound(slug):
    """A route's forward() of a message sent to the controller's `unsubscribe_mailto`."""
    controller, (key,) = controller_and_credentials(slug, "mailgun")
    form = request.form
    if not verify(key, form.get("timestamp"), form.get("token"), form.get("signature")):
        raise refused("Mailgun route signature")
    text = " ".join(form.get(name, "") for name in ("subject", "Subject", "recipient", "To"))
    message_id = form.get("Message-Id") or form.get("message-id")
    event_id = message_id or hashlib.sha256(text.encode()).hexdigest()
    return answer(
        controller, "mailgun", [Notice(f"inbound:{event_id}", "inbound", UNSUBSCRIBE, mailto=text)]
    )
