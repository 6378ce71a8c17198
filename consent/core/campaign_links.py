"""Campaign links: signed preference and one-click URLs and RFC 8058 headers per subject.

A campaign signs the same payload with only the subject changing, so `LinkMaker` does the
per-campaign work once: it checks the payload fields, derives each use's key and hashes
its HMAC pads (RFC 2104 §4: the key's inner and outer hash states are copied per link
instead of recomputed), and quotes the constant parts of the URLs. Both uses sign the same
message, so a row builds it once and base64-encodes both signatures in one call; the
one-click token doubles as the mail-service ref (core/mail_refs.py). The
tokens are byte-for-byte those of `signed_links.make` (the tests hold it to that), so
`signed_links.read` and every route accept them.
"""

import binascii
import hashlib
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import quote

from flask import current_app
from itsdangerous.encoding import base64_encode, int_to_bytes
from sqlalchemy import String, any_, bindparam, func, or_, select
from sqlalchemy.dialects.postgresql import ARRAY

from consent.core import mail_refs, signed_links, subjects
from consent.core.database import db, is_postgresql
from consent.core.models import Controller, Purpose, State, Subject, utcnow

CHUNK = 1000
_URL_SAFE_ALPHABET = bytes.maketrans(b"+/", b"-_")


class _Mac:
    """HMAC (RFC 2104) of one key with both pad states hashed once: each signature then
    costs two copies and two short updates, not the key schedule of a fresh HMAC."""

    def __init__(self, key: bytes, digest: str):
        block = hashlib.new(digest).block_size
        if len(key) > block:
            key = hashlib.new(digest, key).digest()
        key = key.ljust(block, b"\0")
        self._inner = hashlib.new(digest, bytes(b ^ 0x36 for b in key)).copy
        self._outer = hashlib.new(digest, bytes(b ^ 0x5C for b in key)).copy

    def __call__(self, message: bytes) -> bytes:
        inner = self._inner()
        inner.update(message)
        outer = self._outer()
        outer.update(inner.digest())
        return outer.digest()


def _mac(use: str) -> tuple[_Mac, bytes]:
    """The use's MAC with the key itsdangerous signs with, and its separator."""
    signer = signed_links.signer(use)
    sep = signer.sep if isinstance(signer.sep, bytes) else signer.sep.encode()
    return _Mac(signer.derive_key(), signer.digest_method().name), sep


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
        self._head, self._tail = "~".join(fields[:2]) + "~", "~" + "~".join(fields[3:])
        (self._preferences, sep), (self._unsubscribe, _) = map(_mac, ("preferences", "unsubscribe"))
        self._sep = sep.decode()
        # Each signature is padded to whole base64 groups, so one encoding serves both.
        size = len(self._preferences(b""))
        self._pad = b"\0" * (-size % 3)
        self._width, self._length = (
            (size + len(self._pad)) // 3 * 4,
            len(base64_encode(b"\0" * size)),
        )
        base = current_app.config["PUBLIC_BASE_URL"]
        head = quote(self._head, safe=signed_links.URL_SAFE)  # as signed_links.url quotes
        self._preferences_url = f"{base}/preferences/{head}"
        self._unsubscribe_url = f"{base}/unsubscribe/{head}"
        profile = controller.profile or {}
        mailto = profile.get("unsubscribe_mailto") or current_app.config["UNSUBSCRIBE_MAILTO"]
        # signed_links.list_unsubscribe: the one-click token, unquoted, in the mailto subject.
        self._mailto = f", <mailto:{mailto}?subject=unsubscribe%20" if mailto else None
        self._now = None
        self.stamp()

    def stamp(self) -> None:
        """Take the time for the links that follow (itsdangerous stamps whole seconds)."""
        now = int(time.time())
        if now != self._now:
            stamp = base64_encode(int_to_bytes(now)).decode()
            self._now, self._end = now, f"{self._tail}{self._sep}{stamp}"
            quoted = quote(self._tail + self._sep, safe=signed_links.URL_SAFE)
            self._url_end = f"{quoted}{stamp}{self._sep}"

    def cells(self, target: Target) -> tuple:
        """(subject, email, preferences URL, one-click URL, List-Unsubscribe, X-Consent-Ref,
        reachable), as of the last stamp(): a CSV line's values, at the cost of two HMACs."""
        subject = target.public_id
        message = f"{self._head}{subject}{self._end}"
        data = message.encode()
        pad, width, length = self._pad, self._width, self._length
        macs = self._preferences(data) + pad + self._unsubscribe(data)
        signatures = binascii.b2a_base64(macs, newline=False).translate(_URL_SAFE_ALPHABET)
        signatures = signatures.decode()
        one_click = signatures[width : width + length]
        token = f"{message}{self._sep}{one_click}"
        unsubscribe_url = f"{self._unsubscribe_url}{subject}{self._url_end}{one_click}"
        if self._mailto:
            list_unsubscribe = f"<{unsubscribe_url}>{self._mailto}{token}>"
        else:
            list_unsubscribe = f"<{unsubscribe_url}>"
        # mail_refs.encode: the one-click token is also the ref a mail service echoes.
        ref = binascii.b2a_base64(token.encode(), newline=False)
        ref = ref.translate(_URL_SAFE_ALPHABET).rstrip(b"=")
        return (
            subject,
            target.email,
            f"{self._preferences_url}{subject}{self._url_end}{signatures[:length]}",
            unsubscribe_url,
            list_unsubscribe,
            ref.decode(),
            target.reachable,
        )

    def row(self, target: Target, stamp: bool = True) -> dict:
        if stamp:
            self.stamp()
        subject, email, preferences_url, unsubscribe_url, list_unsubscribe, ref, reachable = (
            self.cells(target)
        )
        return {
            "subject": subject,
            "email": email,
            "preferences_url": preferences_url,
            "unsubscribe_url": unsubscribe_url,
            "headers": {
                "List-Unsubscribe": list_unsubscribe,
                "List-Unsubscribe-Post": signed_links.ONE_CLICK_BODY,
                # What the mail service echoes in its events, so they map back to this row.
                mail_refs.HEADER: ref,
            },
            "metadata": mail_refs.metadata(ref),
            "reachable": reachable,
        }


def _one_of_chunk(column):
    """`column` is one of the chunk's values. On PostgreSQL `= ANY(:chunk)`: one array
    parameter, so every chunk sends the same short statement, which the driver parses once
    and the server prepares once; a thousand placeholders cost more to parse than to run.
    Elsewhere an expanding IN, which binds the list as it is."""
    if is_postgresql():
        return column == any_(bindparam("chunk", type_=ARRAY(String)))
    return column.in_(bindparam("chunk", expanding=True))


def _ref_hash(ref: str) -> str | None:
    try:
        return subjects.email_hash(ref)
    except subjects.InvalidEmail:
        return None


class _Lookup:
    """Finds a chunk of refs (public ids or email addresses) among the controller's live
    people, each with whether they are reachable now: for every purpose in scope, or for
    any when the scope is all. One query per kind of ref, the state rows counted in it.

    Public ids are unique across controllers, so the controller is checked on the rows
    found (with it in the WHERE, SQLite walks the controller's index over all its people);
    email hashes are unique per controller: the index (controller_id, email_hash)."""

    def __init__(self, controller: Controller, purposes, channel: str):
        scope = purposes if purposes is not None else controller.purposes
        self.controller_id = controller.id
        self.engine = db.engine  # for a connection of its own (found_in)
        # Each (subject, purpose, channel) has one state row: a count per person suffices.
        self.needed = max(len(scope), 1) if purposes is not None else 1
        allowing = (
            select(func.count())
            .where(
                State.subject_id == Subject.id,
                State.purpose_id.in_([p.id for p in scope]),
                State.channel == channel,
                State.reachable.is_(True),
                or_(State.expires_at.is_(None), State.expires_at > bindparam("now")),
            )
            .scalar_subquery()
        )
        columns = (Subject.id, Subject.public_id, Subject.email, Subject.controller_id, allowing)
        live = Subject.erased_at.is_(None)
        self.by_id = select(*columns).where(_one_of_chunk(Subject.public_id), live)
        self.by_hash = select(*columns, Subject.email_hash).where(
            Subject.controller_id == controller.id, _one_of_chunk(Subject.email_hash), live
        )

    def keys(self, refs: list[str]) -> tuple[list[str], dict[str, str | None]]:
        """A chunk's public ids, and its addresses with their hashes (the app's key hashes)."""
        ids = [ref for ref in refs if "@" not in ref]
        return ids, {ref: _ref_hash(ref) for ref in refs if "@" in ref}

    def find(self, connection, ids: list[str], by_hash: dict) -> dict[str, Target]:
        """{ref: Target} for the refs found; needs no app context, so any thread may ask."""
        found: dict[str, Target] = {}
        needed, controller_id = self.needed, self.controller_id
        if ids:
            for subject_id, public_id, email, controller, allowing in self._rows(
                connection, self.by_id, ids
            ):
                if controller == controller_id:
                    found[public_id] = Target(subject_id, public_id, email, allowing >= needed)
        hashes = [h for h in by_hash.values() if h]
        if hashes:
            targets = {
                row[-1]: Target(row[0], row[1], row[2], row[4] >= needed)
                for row in self._rows(connection, self.by_hash, hashes)
            }
            found.update({ref: targets[h] for ref, h in by_hash.items() if h in targets})
        return found

    @staticmethod
    def _rows(connection, query, values: list) -> list:
        # Core rows, not the ORM's: a chunk is a thousand plain tuples.
        return connection.execute(query, {"chunk": values, "now": utcnow()}).all()

    def found_in(self, chunks):
        """(chunk, {ref: Target}) for each chunk, in order. On PostgreSQL the next chunk is
        looked up, on a connection of the lookup's own, while the caller makes this chunk's
        links: the database's half of the work runs beside Python's instead of after it
        (BENCHMARKS.md). SQLite, in process, has nothing to overlap: it looks up in turn."""
        if not is_postgresql():
            for chunk in chunks:
                yield chunk, self.find(db.session.connection(), *self.keys(chunk))
            return
        with self.engine.connect() as connection, ThreadPoolExecutor(max_workers=1) as pool:
            waiting = None
            for chunk in chunks:
                looking = chunk, pool.submit(self.find, connection, *self.keys(chunk))
                if waiting is not None:
                    yield waiting[0], waiting[1].result()
                waiting = looking
            if waiting is not None:
                yield waiting[0], waiting[1].result()


def link_rows(
    controller,
    refs,
    purposes: list[Purpose] | None,
    channel,
    campaign,
    locale,
    made_by,
    cells=False,
):
    """Yield ("ok", ref, row) or ("unknown", ref, None) for each ref, in input order; a row
    is LinkMaker.row's dict, or with `cells` its tuple LinkMaker.cells (for a CSV line).

    Refs are read in chunks, so a file of a million subjects streams through. `made_by`
    names the key or command the links are handed to: they prove nothing about a mailbox.
    """
    maker = LinkMaker(controller, purposes, channel, campaign, locale, made_by)
    make = maker.cells if cells else lambda target: maker.row(target, stamp=False)
    for chunk, found in _Lookup(controller, purposes, channel).found_in(_chunks(refs)):
        maker.stamp()  # once a chunk: the links of a chunk are made within the same second or so
        for ref in chunk:
            target = found.get(ref)
            yield ("ok", ref, make(target)) if target else ("unknown", ref, None)


def _chunks(refs):
    chunk: list[str] = []
    for ref in refs:
        chunk.append(ref.strip())
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
