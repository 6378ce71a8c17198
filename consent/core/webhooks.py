"""Webhooks out (SPEC §11): each recorded event queues one signed delivery per endpoint.

The catalogue names the endpoints (`webhooks`: url, secret_env, events). `enqueue()` runs
inside `ledger.record()`, so an event and its deliveries commit together or not at all.
A delivery is a snapshot of the event and the person as they were when it was recorded;
it is signed when it leaves (Standard Webhooks: `webhook-id`, `webhook-timestamp`,
`webhook-signature`), with the secret read then from the environment variable the
catalogue names. One person's deliveries to one endpoint share an ordering key, so the
outbox hands them out in ledger order. Erasure scrubs the person's address and ids from
every delivery but the erasure's own, which keeps them until it has been delivered.
"""

import base64
import binascii
import hashlib
import hmac
import json
from datetime import datetime

from sqlalchemy import select

from consent import config
from consent.core import outbox
from consent.core.database import db
from consent.core.models import OutboxMessage, Subject, new_uuid

KIND = "webhook"
SECRET_PREFIX = "whsec_"
ERASURE = "erasure_completed"
# The data fields that name the person; everything else in a delivery is pseudonymous.
IDENTIFIERS = ("subject", "external_id", "email")


def endpoints_for(controller, kind: str) -> list[dict]:
    """The controller's endpoints that asked for this event kind (or for every kind)."""
    return [
        endpoint
        for endpoint in controller.profile.get("webhooks") or []
        if "*" in endpoint["events"] or kind in endpoint["events"]
    ]


def _instant(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def _slug_of(controller, purpose_id: int | None) -> str | None:
    return next((p.slug for p in controller.purposes if p.id == purpose_id), None)


def body_for(controller, subject: Subject, event) -> dict:
    """The SPEC §11 body for one event, as the person was when it was recorded."""
    return {
        "type": event.kind,
        "timestamp": _instant(event.recorded_at),
        "data": {
            "controller": controller.slug,
            "subject": subject.public_id,
            "external_id": subject.external_id,
            "email": subject.email,
            "purpose": _slug_of(controller, event.purpose_id),
            "scope": event.scope,
            "channel": event.channel,
            "basis": event.basis,
            "source": event.source,
            "receipt_id": event.receipt_id,
            "occurred_at": _instant(event.occurred_at),
        },
    }


def ordering_key(url: str, subject: Subject) -> str:
    """One person at one endpoint: deliveries with this key leave in the order written."""
    return f"{KIND}:{hashlib.sha256(url.encode()).hexdigest()[:16]}:{subject.id}"


def enqueue(controller, subject: Subject, events) -> int:
    """Queue the deliveries of these events in the caller's transaction; how many."""
    queued = 0
    for event in events:
        for endpoint in endpoints_for(controller, event.kind):
            payload = {
                "id": f"msg_{new_uuid().replace('-', '')}",
                "url": endpoint["url"],
                "secret_env": endpoint["secret_env"],
                "body": body_for(controller, subject, event),
            }
            key = ordering_key(endpoint["url"], subject)
            outbox.enqueue(KIND, controller, payload, subject=subject, ordering_key=key)
            queued += 1
    return queued


def serialise(body: dict) -> bytes:
    """The exact bytes that are signed and sent."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def secret_key(secret: str) -> bytes:
    """The HMAC key inside a Standard Webhooks secret `whsec_<base64>`."""
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError(f"a webhook secret starts with {SECRET_PREFIX}")
    try:
        key = base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
    except binascii.Error as error:
        raise ValueError("a webhook secret is whsec_ followed by base64") from error
    if len(key) < 16:
        raise ValueError("a webhook secret holds at least 16 bytes")
    return key


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """`v1,` + base64(HMAC-SHA256(key, "id.timestamp.body")), as Standard Webhooks signs."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def request_for(message: OutboxMessage, now: datetime) -> tuple[str, bytes, dict]:
    """(url, body, headers) of one delivery attempt, signed now.

    A secret that is not set or not a `whsec_` secret is no passing fault: the row is dead
    at once, its error naming the variable, and it can be replayed once the secret is set.
    """
    payload = message.payload
    name = payload["secret_env"]
    secret = config.environment_secret(name)
    if not secret:
        raise outbox.Undeliverable(f"the environment variable {name} (webhook secret) is not set")
    body = serialise(payload["body"])
    timestamp = int(now.timestamp())
    try:
        signed = signature(secret, payload["id"], timestamp, body)
    except ValueError as error:
        raise outbox.Undeliverable(f"{name}: {error}") from None
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "consent-center-webhooks",
        "webhook-id": payload["id"],
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signed,
    }
    return payload["url"], body, headers


def _scrubbed(payload: dict) -> dict:
    body = payload["body"]
    data = {**body["data"], **dict.fromkeys(IDENTIFIERS)}
    return {**payload, "body": {**body, "data": data}}


def delivered(message: OutboxMessage) -> None:
    """After an erasure's delivery has left, it keeps no identifier of the person."""
    if message.payload["body"]["type"] == ERASURE:
        message.payload = _scrubbed(message.payload)


def scrub_person(subject: Subject) -> int:
    """Erasure: remove the person's address and ids from every delivery about them, pending,
    dead or delivered, except an erasure's own that has not left yet; how many rows."""
    rows = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.kind == KIND, OutboxMessage.subject_id == subject.id
        )
    )
    scrubbed = 0
    for message in rows:
        if message.payload["body"]["type"] == ERASURE and message.state != outbox.DELIVERED:
            continue
        message.payload = _scrubbed(message.payload)
        scrubbed += 1
    return scrubbed


def deliveries(controller, state: str | None = None, limit: int = 50) -> list[OutboxMessage]:
    """The controller's latest deliveries (of one state, or all), newest first."""
    query = select(OutboxMessage).where(
        OutboxMessage.kind == KIND, OutboxMessage.controller_id == controller.id
    )
    if state:
        query = query.where(OutboxMessage.state == state)
    return list(db.session.scalars(query.order_by(OutboxMessage.id.desc()).limit(limit)))


def replay(controller, message_id: int) -> OutboxMessage | None:
    """Send one dead or delivered delivery of this controller again, with the same
    webhook-id (receivers drop what they already have); None when there is no such row."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.kind != KIND or message.controller_id != controller.id:
        return None
    if message.state == outbox.PENDING:
        return message
    outbox.replay(message)
    return message
