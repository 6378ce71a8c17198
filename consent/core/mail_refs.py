"""The campaign metadata a mail service carries back: a signed reference to one link row.

Every message of a campaign carries `X-Consent-Ref: <ref>` and the same ref as metadata the
mail service echoes in its events (SendGrid custom_args, Mailgun user variables, Postmark
Metadata, Amazon SES message tags). The ref is the campaign's one-click token itself: a
signed link naming the controller, person, purposes, channel and campaign, so an event maps
to exactly what the one-click link would unsubscribe, and nobody can forge one for someone
else. It hands the mail service nothing new (the List-Unsubscribe header of the same
message carries that token), and a row needs no third signature. Refs signed apart (salt
`esp`) by earlier versions still map.

It is base64url-encoded, because SES tags allow only letters, digits, `_` and `-`; and it
is cut into pieces of at most 80 characters under `consent_ref`, `consent_ref_2`, …,
because Postmark caps a metadata value at 80 characters.
"""

import base64
import binascii
import re

from consent.core import signed_links

HEADER = "X-Consent-Ref"
KEY = "consent_ref"
PIECE = 80
_B64URL = re.compile(r"[A-Za-z0-9_-]+")


class UnreadableRef(ValueError):
    """Not a ref this deployment signed (tampered, cut off, or another kind of token)."""


def encode(token: str) -> str:
    return base64.urlsafe_b64encode(token.encode()).rstrip(b"=").decode()


def metadata(ref: str) -> dict[str, str]:
    """{"consent_ref": first piece, "consent_ref_2": second piece, …}."""
    pieces = [ref[i : i + PIECE] for i in range(0, len(ref), PIECE)]
    return {(KEY if n == 0 else f"{KEY}_{n + 1}"): piece for n, piece in enumerate(pieces)}


def from_metadata(values: dict | None) -> str | None:
    """The ref put together again from echoed metadata (pieces in order), or None."""
    if not isinstance(values, dict):
        return None
    first = values.get(KEY)
    if not isinstance(first, str) or not first:
        return None
    pieces, n = [first], 2
    while isinstance(values.get(f"{KEY}_{n}"), str):
        pieces.append(values[f"{KEY}_{n}"])
        n += 1
    return "".join(pieces)


def read(ref: str) -> signed_links.Link:
    """The link behind a ref. An old ref still maps: it only ever leads to an unsubscribe,
    a complaint or a bounce being recorded, never to access (as with one-click)."""
    ref = (ref or "").strip()
    if not _B64URL.fullmatch(ref):
        raise UnreadableRef("not base64url")
    try:
        token = base64.urlsafe_b64decode(ref + "=" * (-len(ref) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError) as error:
        raise UnreadableRef("not base64url") from error
    for use in ("unsubscribe", "esp"):
        try:
            return signed_links.read(token, use)
        except signed_links.ExpiredLink as expired:
            return expired.link
        except signed_links.InvalidLink as error:
            problem = error
    raise UnreadableRef(str(problem)) from problem


def unsubscribe_link(text: str) -> signed_links.Link | None:
    """The one-click link whose token a `mailto:` unsubscribe carries in its subject (or in
    the plus part of the address it was sent to), else None. Any word may be the token:
    mail programs add prefixes, and people type around it."""
    for word in re.split(r"[\s<>\"']+", text or ""):
        candidates = [word]
        if "@" in word and "+" in word.split("@")[0]:
            candidates.append(word.split("@")[0].split("+", 1)[1])
        for candidate in candidates:
            if not candidate.startswith(signed_links.VERSION + "~"):
                continue
            try:
                return signed_links.read(candidate, "unsubscribe")
            except signed_links.ExpiredLink as expired:
                return expired.link
            except signed_links.InvalidLink:
                continue
    return None
