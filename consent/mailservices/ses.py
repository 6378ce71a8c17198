"""Amazon SES through Amazon SNS: bounce, complaint and receipt (`mailto:`) notifications.

SNS signs each message with RSA (SHA1withRSA for SignatureVersion 1, SHA256withRSA for 2)
over fixed fields. The signing certificate is configured here as PEM in the variable the
catalogue names first (several PEM blocks when AWS rotates it); nothing is fetched at run
time, so the SigningCertURL in a message is never followed, and neither is the
SubscribeURL of a subscription confirmation: the operator confirms that from the log. An
optional second variable holds the topic ARN the controller subscribed, and others are
refused.
"""

import base64
import binascii
import json
import logging

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from flask import jsonify

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

log = logging.getLogger(__name__)
NOTIFICATION_FIELDS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
CONFIRMATION_FIELDS = (
    "Message",
    "MessageId",
    "SubscribeURL",
    "Timestamp",
    "Token",
    "TopicArn",
    "Type",
)
DIGESTS = {"1": hashes.SHA1, "2": hashes.SHA256}


def string_to_sign(message: dict) -> bytes:
    """SNS's canonical form: `name\\nvalue\\n` for each signed field present, in order."""
    fields = NOTIFICATION_FIELDS if message.get("Type") == "Notification" else CONFIRMATION_FIELDS
    lines = [f"{name}\n{message[name]}\n" for name in fields if message.get(name) is not None]
    return "".join(lines).encode()


def verify(certificates_pem: str, message: dict) -> bool:
    digest = DIGESTS.get(str(message.get("SignatureVersion")))
    if digest is None or not isinstance(message.get("Signature"), str):
        return False
    try:
        signature = base64.b64decode(message["Signature"], validate=True)
        certificates = x509.load_pem_x509_certificates(certificates_pem.encode())
    except (ValueError, binascii.Error):
        return False
    data = string_to_sign(message)
    for certificate in certificates:
        try:
            certificate.public_key().verify(signature, data, padding.PKCS1v15(), digest())
            return True
        except (InvalidSignature, TypeError, ValueError):
            continue
    return False


def _ref(mail: dict) -> str | None:
    """The consent_ref from the message tags (event publishing), else from the original
    headers (notifications that include them)."""
    tags = mail.get("tags")
    if isinstance(tags, dict):
        values = {k: v[0] for k, v in tags.items() if isinstance(v, list) and v}
        ref = mail_refs.from_metadata(values)
        if ref:
            return ref
    for header in mail.get("headers") or []:
        if isinstance(header, dict) and header.get("name", "").lower() == "x-consent-ref":
            return header.get("value")
    return None


def notice(message_id: str, report: dict) -> Notice:
    """One SES notification (the SNS message's `Message`) as a report."""
    name = str(report.get("notificationType") or report.get("eventType") or "")
    mail = report.get("mail") if isinstance(report.get("mail"), dict) else {}
    kind, text = UNKNOWN, None
    if name == "Bounce":
        bounce = report.get("bounce") or {}
        kind = BOUNCE if bounce.get("bounceType") == "Permanent" else UNKNOWN
    elif name == "Complaint":
        complaint = report.get("complaint") or {}
        # Not sent because the address was already suppressed: nobody complained.
        on_list = complaint.get("complaintSubType") == "OnAccountSuppressionList"
        kind = UNKNOWN if on_list else COMPLAINT
    elif name == "Received":
        kind = UNSUBSCRIBE
        headers = mail.get("commonHeaders") or {}
        receipt = report.get("receipt") or {}
        words = [headers.get("subject") or "", *(mail.get("destination") or [])]
        text = " ".join(str(w) for w in [*words, *(receipt.get("recipients") or [])])
    ref = _ref(mail) if kind in (BOUNCE, COMPLAINT) else None
    return Notice(message_id, name, kind, ref=ref, mailto=text)


@bp.post("/<slug>/ses")
def ses_notifications(slug):
    """An SNS HTTPS delivery: a notification, or a subscription (un)confirmation."""
    controller, (certificates, topic) = controller_and_credentials(slug, "ses")
    message = json_body()
    if not isinstance(message, dict) or not isinstance(message.get("MessageId"), str):
        raise malformed("The body is not an SNS message")
    if not verify(certificates, message):
        raise refused("SNS message signature")
    if topic and message.get("TopicArn") != topic:
        raise refused("SNS topic")
    kind = message.get("Type")
    if kind == "SubscriptionConfirmation":
        log.warning(
            "SNS subscription of mail service ses for %s to topic %s waits for confirmation; "
            "nothing is fetched at run time: confirm it by opening %s",
            controller.slug,
            message.get("TopicArn"),
            message.get("SubscribeURL"),
        )
        return jsonify(
            {
                "subscription": "not_confirmed",
                "message": "Nothing is fetched at run time. The confirmation link is in the "
                "log: open it, or confirm the subscription in the AWS console.",
            }
        )
    if kind != "Notification":
        return jsonify({"subscription": "ignored"})
    try:
        report = json.loads(message.get("Message") or "")
    except ValueError:
        report = None
    if not isinstance(report, dict):
        raise malformed("The SNS message does not hold an SES notification")
    return answer(controller, "ses", [notice(message["MessageId"], report)])
