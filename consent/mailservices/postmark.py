"""Postmark: webhooks and the inbound webhook (`mailto:` unsubscribes), behind basic auth.

Postmark signs nothing; it authenticates with the user name and password written into the
webhook URL (`https://user:password@…`), whose variables the catalogue names (user first,
then password). `Metadata` given when sending comes back in bounce, spam-complaint and
subscription-change webhooks.
"""

import hashlib
import hmac

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

# A subscription change's reason, when the address was suppressed (SuppressSending true).
SUPPRESSED = {"HardBounce": BOUNCE, "SpamComplaint": COMPLAINT}


def _authenticated(user: str, password: str) -> bool:
    given = request.authorization
    if given is None or given.type != "basic":
        return False
    same_user = hmac.compare_digest((given.username or "").encode(), user.encode())
    same_password = hmac.compare_digest((given.password or "").encode(), password.encode())
    return same_user and same_password


def _kind(record: dict) -> str:
    record_type = record.get("RecordType")
    if record_type == "Bounce":
        return BOUNCE if record.get("Type") == "HardBounce" else UNKNOWN
    if record_type == "SpamComplaint":
        return COMPLAINT
    if record_type == "SubscriptionChange" and record.get("SuppressSending") is True:
        reason = record.get("SuppressionReason")
        if reason == "ManualSuppression":
            # The recipient's own unsubscribe; a customer's or admin's is not their choice.
            return UNSUBSCRIBE if record.get("Origin") == "Recipient" else UNKNOWN
        return SUPPRESSED.get(reason, UNKNOWN)
    # A reactivation (SuppressSending false) never lifts anything here.
    return UNKNOWN


def _event_id(record: dict) -> str:
    record_type = str(record.get("RecordType") or "")
    if record_type in ("Bounce", "SpamComplaint") and record.get("ID") is not None:
        return f"{record_type}:{record['ID']}"
    fields = ("MessageID", "ChangedAt", "SuppressSending", "SuppressionReason", "Recipient")
    parts = [record.get(k) for k in fields]
    if record_type == "SubscriptionChange" and parts[0]:
        # The change has no id of its own: the message, the moment, the direction, why.
        digest = hashlib.sha256(repr(parts).encode()).hexdigest()
        return f"{record_type}:{digest}"
    return f"{record_type}:{hashlib.sha256(request.get_data(cache=True)).hexdigest()}"


@bp.post("/<slug>/postmark")
def postmark_events(slug):
    """A Postmark webhook: one JSON record (Bounce, SpamComplaint, SubscriptionChange, …)."""
    controller, (user, password) = controller_and_credentials(slug, "postmark")
    if not _authenticated(user, password):
        raise refused("basic authentication of the Postmark webhook")
    record = json_body()
    if not isinstance(record, dict):
        raise malformed("The body is not a JSON object")
    ref = mail_refs.from_metadata(record.get("Metadata"))
    notice = Notice(_event_id(record), str(record.get("RecordType") or ""), _kind(record), ref)
    return answer(controller, "postmark", [notice])


@bp.post("/<slug>/postmark/inbound")
def postmark_inbound(slug):
    """The inbound webhook: a message sent to the controller's `unsubscribe_mailto`."""
    controller, (user, password) = controller_and_credentials(slug, "postmark")
    if not _authenticated(user, password):
        raise refused("basic authentication of the Postmark inbound webhook")
    message = json_body()
    if not isinstance(message, dict):
        raise malformed("The body is not a JSON object")
    text = " ".join(str(message.get(name) or "") for name in ("Subject", "To", "OriginalRecipient"))
    message_id = message.get("MessageID") or hashlib.sha256(text.encode()).hexdigest()
    notice = Notice(f"inbound:{message_id}", "Inbound", UNSUBSCRIBE, mailto=text)
    return answer(controller, "postmark", [notice])
