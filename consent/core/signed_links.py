"""Signed links: one salt per use, time-stamped, key rotation (newest signs, all verify).

The payload is a short `~`-joined text rather than JSON: signing a campaign's links is
dominated by serialisation, and this keeps it close to the speed of the raw HMAC.
"""

import re
from dataclasses import dataclass
from urllib.parse import quote

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner

# `esp`: the campaign metadata a mail service echoes in its events (core/mail_refs.py).
USES = ("preferences", "unsubscribe", "receipt", "confirm", "address", "esp")
VERSION = "2"
# Version 1 had no `made_by`; its links still open, proving nothing about the mailbox.
OLD_VERSION = "1"
ALL = "*"
# The one body an RFC 8058 one-click POST carries.
ONE_CLICK_BODY = "List-Unsubscribe=One-Click"
URL_SAFE = "*:"  # left unquoted in URLs, so the all-purposes marker and made_by stay readable
_FIELD = r"[A-Za-z0-9_.,:*-]*"
_PAYLOAD = re.compile(rf"{_FIELD}(?:~{_FIELD}){{8}}")
# `made_by` of a link the product mailed itself, followed by the address it went to (hashed).
MAILED = "mail:"
_MAILED_HASH_LENGTH = 16


class InvalidLink(Exception):
    """Tampered, unknown key, or not a link for this use."""


class ExpiredLink(InvalidLink):
    """A genuine link past its lifetime; `link` still says whose it was."""

    def __init__(self, link):
        super().__init__("expired")
        self.link = link


@dataclass(frozen=True)
class Link:
    controller: str
    subject: str
    purposes: tuple[str, ...] | None = None  # None means every purpose
    channel: str | None = None
    campaign: str | None = None
    locale: str | None = None
    extra: str | None = None  # a receipt id (`receipt`), an address change id (`address`)
    # Who made the link: `mail:<address hash>` when the product mailed it to the person,
    # otherwise the API key or command that handed it to a marketer (SPEC §4).
    made_by: str | None = None

    def payload(self) -> str:
        fields = [
            VERSION,
            self.controller,
            self.subject,
            ",".join(self.purposes) if self.purposes is not None else ALL,
            self.channel or "",
            self.campaign or "",
            self.locale or "",
            self.extra or "",
            self.made_by or "",
        ]
        payload = "~".join(fields)
        if not _PAYLOAD.fullmatch(payload):
            raise ValueError(f"unsupported characters in link fields {fields!r}")
        return payload

    @classmethod
    def parse(cls, text: str) -> "Link":
        fields = text.split("~")
        if len(fields) == 8 and fields[0] == OLD_VERSION:
            fields.append("")
        elif len(fields) != 9 or fields[0] != VERSION:
            raise InvalidLink("unknown payload")
        _, controller, subject, purposes, channel, campaign, locale, extra, made_by = fields
        return cls(
            controller=controller,
            subject=subject,
            purposes=None if purposes == ALL else tuple(p for p in purposes.split(",") if p),
            channel=channel or None,
            campaign=campaign or None,
            locale=locale or None,
            extra=extra or None,
            made_by=made_by or None,
        )

    def proves_mailbox(self, email_hash: str | None) -> bool:
        """Whether the product mailed this link to the address the person has now."""
        return bool(email_hash) and self.made_by == mailed_to(email_hash)


def mailed_to(email_hash: str) -> str:
    """`made_by` of a link the product mails to the address with this hash."""
    return MAILED + email_hash[:_MAILED_HASH_LENGTH]


class _Signer(TimestampSigner):
    """TimestampSigner that derives each key once instead of on every signature."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._derived = {}

    def derive_key(self, secret_key=None):
        if secret_key not in self._derived:
            self._derived[secret_key] = super().derive_key(secret_key)
        return self._derived[secret_key]


def signer(use: str) -> TimestampSigner:
    """The app's signer for one use; SECRET_KEYS is read once per app."""
    signers = current_app.extensions.get("link_signers")
    if signers is None:
        # itsdangerous signs with the last key of the list and verifies with all of them.
        keys = list(reversed(current_app.config["SECRET_KEYS"]))
        signers = {name: _Signer(keys, salt=f"consent.{name}") for name in USES}
        current_app.extensions["link_signers"] = signers
    if use not in signers:
        raise ValueError(f"unknown link use {use!r}")
    return signers[use]


def make(link: Link, use: str) -> str:
    return signer(use).sign(link.payload()).decode()


def read(token: str, use: str, max_age_days: int | None = None) -> Link:
    """The link behind a token; InvalidLink when tampered, ExpiredLink when too old."""
    if max_age_days is None:
        max_age_days = current_app.config["LINK_MAX_AGE_DAYS"]
    try:
        payload = signer(use).unsign(token, max_age=max_age_days * 86400)
    except SignatureExpired as error:
        try:
            expired = Link.parse(error.payload.decode())
        except (InvalidLink, UnicodeDecodeError, AttributeError):
            raise InvalidLink("malformed") from error
        raise ExpiredLink(expired) from error
    except BadSignature as error:
        raise InvalidLink("bad signature") from error
    try:
        return Link.parse(payload.decode())
    except UnicodeDecodeError as error:
        raise InvalidLink("malformed") from error


def url(link: Link, use: str, endpoint_path: str | None = None) -> str:
    """An absolute URL under PUBLIC_BASE_URL, e.g. https://…/preferences/<token>."""
    base = current_app.config["PUBLIC_BASE_URL"]
    path = (
        endpoint_path
        or {
            "preferences": "preferences",
            "unsubscribe": "unsubscribe",
            "receipt": "receipts",
            "confirm": "confirm",
            "address": "address",
        }[use]
    )
    return f"{base}/{path}/{quote(make(link, use), safe=URL_SAFE)}"


def list_unsubscribe_headers(link: Link, mailto: str | None = None) -> dict[str, str]:
    token = make(link, "unsubscribe")
    unsubscribe_url = f"{current_app.config['PUBLIC_BASE_URL']}/unsubscribe/"
    return list_unsubscribe(unsubscribe_url + quote(token, safe=URL_SAFE), token, mailto)


def list_unsubscribe(
    unsubscribe_url: str, token: str | None = None, mailto: str | None = None
) -> dict[str, str]:
    """RFC 8058 headers: one https URL, then the controller's `unsubscribe_mailto` (else the
    deployment's UNSUBSCRIBE_MAILTO) with the same one-click token in its subject, so a
    mail sent there unsubscribes exactly what the URL does, and the One-Click marker."""
    value = f"<{unsubscribe_url}>"
    mailto = mailto or current_app.config.get("UNSUBSCRIBE_MAILTO")
    if mailto:
        # Every character of a token is allowed in a mailto header value (RFC 6068:
        # unreserved and some-delims), so only the space is escaped: no quoting per link.
        value += f", <mailto:{mailto}?subject=unsubscribe{'%20' + token if token else ''}>"
    return {"List-Unsubscribe": value, "List-Unsubscribe-Post": ONE_CLICK_BODY}
