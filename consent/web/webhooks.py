"""How the worker posts a queued webhook: signed when it leaves, over HTTPS, never redirected.

The core builds and signs the request (consent/core/webhooks.py); this module only speaks
HTTP, with the standard library. Any answer but 2xx, a timeout or a refused connection is
a failed attempt: the outbox retries it with backoff and dead-letters it after
OUTBOX_MAX_ATTEMPTS. A redirect is a failure too: a signed body is posted only to the URL
the catalogue names.
"""

import ssl
import urllib.error
import urllib.request

from flask import current_app

from consent.core import outbox, webhooks
from consent.core.models import OutboxMessage, utcnow

# At most this much of a receiver's answer is read; the body says nothing we keep.
ANSWER_BYTES = 4096


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A 3xx answer stays an error (urllib.error.HTTPError) instead of being followed."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def _opener() -> urllib.request.OpenerDirector:
    config = current_app.config
    context = ssl.create_default_context(cafile=config.get("WEBHOOK_CA_FILE") or None)
    return urllib.request.build_opener(_NoRedirects(), urllib.request.HTTPSHandler(context=context))


def deliver(message: OutboxMessage) -> None:
    """Post one delivery; raises on anything but a 2xx answer (the outbox records why)."""
    url, body, headers = webhooks.request_for(message, utcnow())
    if not url.startswith("https://"):
        raise outbox.Undeliverable("a webhook URL is https")
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    timeout = current_app.config["WEBHOOK_TIMEOUT_SECONDS"]
    try:
        with _opener().open(request, timeout=timeout) as answer:
            answer.read(ANSWER_BYTES)
    except urllib.error.HTTPError as error:
        error.close()  # the answer's socket; the error itself is the attempt's outcome
        raise
    webhooks.delivered(message)


HANDLERS = {webhooks.KIND: deliver}
