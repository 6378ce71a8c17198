"""Campaign links: signed preference and one-click URLs and RFC 8058 headers per subject.

A campaign signs the same payload with only the subject changing, so `LinkMaker` checks
the payload once, derives the signing key once and quotes the constant parts once; each
link then costs one HMAC. The tokens are byte-for-byte those of `signed_links.make` (the tests
hold it to that), so `signed_links.read` and every route accept them.
"""

import base64
import hmac
import time
from dataclasses import dataclass
from urllib.parse import quote

from flask import current_app
from itsdangerous.encoding import int_to_bytes
from sqlalchemy import or_, select

from consent.core import mail_refs, signed_links, subjects
from consent.core.database import db
from consent.core.models import Controller, Purpose, State, Subject, utcnow

CHUNK = 1000


class _UseSigner:
    """signed_links.make for one use and one payload shape, with per-link work cut to an HMAC."""

    def __init__(self, use: str, head: str, tail: str):
        signer = signed_links.signer(use)
        self.key = signer.derive_key()
        self.digest = signer.digest_method().name
        sep = signer.sep if isinstance(signer.sep, str) else signer.sep.decode()
        self.sep = sep.encode()
        self.head, self.tail = head.encode(), tail.encode()
        base = current_app.config["PUBLIC_BASE_URL"]
        path = {"preferences": "preferences", "unsubscribe": "unsubscribe"}.get(use, use)
        # Quoted exactly as signed_links.url quotes a whole token.
        self.url_head = f"{base}/{path}/{quote(head, safe=signed_links.URL_SAFE)}"
        self.url_tail = quote(tail + sep, safe=signed_links.URL_SAFE)
        self._stamp = (None, b"")

    def stamp(self) -> bytes:
        now = int(time.time())
        if self._stamp[0] != now:
            self._stamp = (now, base64.urlsafe_b64encode(int_to_bytes(now)).rstrip(b"="))
        return self._stamp[1]

    def token(self, subject: str) -> str:
        """The token alone (the campaign metadata a mail service echoes needs no URL)."""
        message = self.head + subject.encode() + self.tail + self.sep + self.stamp()
        mac = hmac.digest(self.key, message, self.digest)
        return f"{message.decode()}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"

    def token_and_url(self, subject: str) -> tuple[str, str]:
        stamp = self.stamp()
        message = self.head + subject.encode() + self.tail + self.sep + stamp
        mac = hmac.digest(self.key, message, self.digest)
        signature = base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
        tail = f"{stamp.decode()}.{signature}"
        token = f"{message.decode()}.{signature}"
        return token, f"{self.url_head}{subject}{self.url_tail}{tail}"


@dataclass
class Target:
    """A subject a link is made for."""

    id: int
    public_id: str
    email: str | None
    reachable: bool = True


class LinkMaker:
    """Makes the link rows of one campaign: same controller, scope, channel and locale."""

    def __init__(self, controller, purposes, channel, campaign=None, locale=None, made_by=None):
        slugs = tuple(p.slug for p in purposes) if purposes is not None else None
        # Link.payload() refuses unsafe characters, so a bad campaign id fails here, once.
        template = signed_links.Link(
            controller.slug, "S", slugs, channel, campaign, locale, made_by=made_by
        )
        fields = template.payload().split("~")
        head, tail = "~".join(fields[:2]) + "~", "~" + "~".join(fields[3:])
        self.preferences = _UseSigner("preferences", head, tail)
        self.unsubscribe = _UseSigner("unsubscribe", head, tail)
        self.esp = _UseSigner("esp", head, tail)
        profile = controller.profile or {}
        self.mailto = profile.get("unsubscribe_mailto") or current_app.config["UNSUBSCRIBE_MAILTO"]

    def row(self, target: Target) -> dict:
        _, preferences_url = self.preferences.token_and_url(target.public_id)
        token, unsubscribe_url = self.unsubscribe.token_and_url(target.public_id)
        ref = mail_refs.encode(self.esp.token(target.public_id))
        headers = signed_links.list_unsubscribe(unsubscribe_url, token, self.mailto)
        # What the mail service echoes in its events, so they map back to this row.
        headers[mail_refs.HEADER] = ref
        return {
            "subject": target.public_id,
            "email": target.email,
            "preferences_url": preferences_url,
            "unsubscribe_url": unsubscribe_url,
            "headers": headers,
            "metadata": mail_refs.metadata(ref),
            "reachable": target.reachable,
        }


def _ref_hash(ref: str) -> str | None:
    try:
        return subjects.email_hash(ref)
    except subjects.InvalidEmail:
        return None


def resolve(controller: Controller, refs: list[str]) -> dict[str, Target]:
    """{ref: Target} for the refs (public ids or email addresses) that name a live subject."""
    by_hash = {ref: _ref_hash(ref) for ref in refs if "@" in ref}
    ids = [ref for ref in refs if "@" not in ref]
    query = select(Subject.id, Subject.public_id, Subject.email, Subject.email_hash).where(
        Subject.controller_id == controller.id,
        Subject.erased_at.is_(None),
        or_(
            Subject.public_id.in_(ids),
            Subject.email_hash.in_([h for h in by_hash.values() if h]),
        ),
    )
    found_id, found_hash = {}, {}
    for row in db.session.execute(query):
        target = Target(row.id, row.public_id, row.email)
        found_id[row.public_id] = found_hash[row.email_hash] = target
    resolved = {ref: found_id[ref] for ref in ids if ref in found_id}
    resolved.update({ref: found_hash[h] for ref, h in by_hash.items() if h in found_hash})
    return resolved


def flag_reachable(targets, purposes, all_purposes, channel) -> None:
    """Set target.reachable: for every purpose in scope, or for any when the scope is all."""
    scope = purposes if purposes is not None else all_purposes
    ids = list({t.id for t in targets})
    if not ids or not scope:
        for target in targets:
            target.reachable = False
        return
    now = utcnow()
    reachable: dict[int, set[int]] = {}
    query = select(State.subject_id, State.purpose_id).where(
        State.subject_id.in_(ids),
        State.purpose_id.in_([p.id for p in scope]),
        State.channel == channel,
        State.reachable.is_(True),
        or_(State.expires_at.is_(None), State.expires_at > now),
    )
    for subject_id, purpose_id in db.session.execute(query):
        reachable.setdefault(subject_id, set()).add(purpose_id)
    for target in targets:
        got = reachable.get(target.id, set())
        target.reachable = len(got) == len(scope) if purposes is not None else bool(got)


def link_rows(controller, refs, purposes: list[Purpose] | None, channel, campaign, locale, made_by):
    """Yield ("ok", ref, row) or ("unknown", ref, None) for each ref, in input order.

    Refs are read in chunks, so a file of a million subjects streams through. `made_by`
    names the key or command the links are handed to: they prove nothing about a mailbox.
    """
    maker = LinkMaker(controller, purposes, channel, campaign, locale, made_by)
    chunk: list[str] = []
    for ref in refs:
        chunk.append(ref.strip())
        if len(chunk) >= CHUNK:
            yield from _chunk_rows(controller, maker, chunk, purposes, channel)
            chunk = []
    if chunk:
        yield from _chunk_rows(controller, maker, chunk, purposes, channel)


def _chunk_rows(controller, maker, chunk, purposes, channel):
    resolved = resolve(controller, chunk)
    flag_reachable(list(resolved.values()), purposes, controller.purposes, channel)
    for ref in chunk:
        target = resolved.get(ref)
        yield ("ok", ref, maker.row(target)) if target else ("unknown", ref, None)
