"""Finding, creating and erasing subjects; email normalisation and the keyed email hash."""

import hashlib
import hmac
import unicodedata
from functools import cache

from flask import current_app
from sqlalchemy import bindparam, delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import joinedload

from consent.core import ledger, locked_read, outbox, subject_requests, webhooks
from consent.core.database import db, is_postgresql
from consent.core.models import (
    AddressChange,
    Controller,
    Purpose,
    Subject,
    Suppression,
    new_public_id,
    utcnow,
)


class InvalidEmail(ValueError):
    pass


# Characters that render as nothing: an address with them is the same person's address.
INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))


def normalise_email(email: str) -> str:
    """One person, one spelling: NFKC, invisible characters removed, trimmed, lower-cased,
    IDNA domain without a trailing dot. Control characters (CR, LF…), spaces, quoted local
    parts and more than one @ are refused, so the keyed hash that keeps an erased person
    from coming back cannot be dodged by another spelling."""
    email = unicodedata.normalize("NFKC", email or "").translate(INVISIBLE).strip()
    if any(ord(c) < 0x20 or ord(c) == 0x7F or c.isspace() for c in email):
        raise InvalidEmail(email)
    local, sep, domain = email.rpartition("@")
    if not sep or not local or "@" in local or local.startswith('"') or len(email) > 254:
        raise InvalidEmail(email)
    domain = domain.rstrip(".")
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError as error:
        raise InvalidEmail(email) from error
    if "." not in domain.strip(".") or ".." in domain or local.endswith("."):
        raise InvalidEmail(email)
    return f"{local}@{domain}".lower()


def email_hash(email: str) -> str:
    key = current_app.config["EMAIL_HASH_KEY"].encode()
    return hmac.new(key, normalise_email(email).encode(), hashlib.sha256).hexdigest()


def is_suppressed(controller: Controller, hashed: str) -> bool:
    return (
        db.session.scalar(
            select(Suppression.id).where(
                Suppression.controller_id == controller.id, Suppression.email_hash == hashed
            )
        )
        is not None
    )


def by_email(controller: Controller, email: str) -> Subject | None:
    return db.session.scalar(
        select(Subject).where(
            Subject.controller_id == controller.id, Subject.email_hash == email_hash(email)
        )
    )


def by_public_id(controller: Controller, public_id: str) -> Subject | None:
    return db.session.scalar(
        select(Subject).where(
            Subject.controller_id == controller.id, Subject.public_id == public_id
        )
    )


def by_link(controller_slug: str, public_id: str, lock: bool = False, with_purposes=True):
    """(controller, subject) a signed link names, with one query; the subject is None when
    not there (the controller too when its slug is unknown). `lock`: on PostgreSQL the same
    query takes the row lock `ledger.lock` would take, and reads the person's chain with
    it, so a change costs no second read (ledger.hold; core/locked_read.py). `with_purposes`:
    the controller's purposes and their settings come in the same query; without them, for
    a request that works with a kept copy (catalogue_snapshot.kept), only what that needs of
    the controller's row is read, as it is now (under the person's lock, when locking)."""
    if lock and is_postgresql():
        found = locked_read.read(controller_slug, public_id)
        if found is None:
            return _controller(controller_slug), None
        controller, subject, chain = found
        ledger.hold(subject, chain)
        return controller, subject
    parameters = {"slug": controller_slug, "public_id": public_id}
    result = db.session.execute(_by_link_query(with_purposes), parameters)
    found = (result.unique() if with_purposes else result).all()
    if not found:
        return _controller(controller_slug), None
    return (found[0].Controller if with_purposes else found[0]), found[0].Subject


def _controller(slug: str) -> Controller | None:
    return db.session.scalar(select(Controller).where(Controller.slug == slug))


@cache
def _by_link_query(with_purposes: bool):
    """Built once per kind, with bound values: building and keying the statement on every
    request cost a third of the lookup's CPU."""
    if with_purposes:
        return (
            select(Controller, Subject)
            .join(Subject, Subject.controller_id == Controller.id)
            .where(
                Controller.slug == bindparam("slug"), Subject.public_id == bindparam("public_id")
            )
            .options(joinedload(Controller.purposes).joinedload(Purpose.settings))
        )
    return (
        select(*locked_read.KEPT_BY, Subject)
        .join(Subject, Subject.controller_id == Controller.id)
        .where(Controller.slug == bindparam("slug"), Subject.public_id == bindparam("public_id"))
        .execution_options(populate_existing=True)
    )


def by_external_id(controller: Controller, external_id: str) -> Subject | None:
    return db.session.scalar(
        select(Subject).where(
            Subject.controller_id == controller.id, Subject.external_id == external_id
        )
    )


def find(controller: Controller, reference: str) -> Subject | None:
    """By public id, email address or the controller's own customer id: the console's and
    the CLI's one way to name a person."""
    reference = reference.strip()
    if not reference:
        return None
    found = by_public_id(controller, reference)
    if found is None and "@" in reference:
        try:
            found = by_email(controller, reference)
        except InvalidEmail:
            found = None
    return found or by_external_id(controller, reference)


def upsert(
    controller: Controller,
    email: str,
    external_id: str | None = None,
    locale: str | None = None,
    events_follow: bool = False,
    trusted: bool = True,
    country: str | None = None,
) -> tuple[Subject | None, bool]:
    """(subject, created); (None, False) when a trusted caller names an address erased on
    request (an import must not bring the person back).

    `trusted`: the caller knows who the person is (an admin key, an import). An untrusted
    caller (the publishable widget key) finds people by address only and never changes who
    an existing person is: no new address, no CRM id, no locale of someone known. For an
    erased address it gets a new subject, like for any new one (its answer must not tell
    them apart): `suppressed()` then tells the door to hold that person until they confirm.
    A new subject gets its state rows here, unless `events_follow`: the caller records
    events for it at once, and ledger.record writes the state then. Two requests creating
    the same person at once both get the one subject.
    """
    hashed = email_hash(email)
    if trusted and is_suppressed(controller, hashed):
        return None, False
    subject = by_email(controller, email)
    if subject is None and external_id and trusted:
        subject = by_external_id(controller, external_id)
    if subject is None:
        if external_id and not trusted and by_external_id(controller, external_id):
            external_id = None  # someone else's CRM id: not the widget's to hand out
        return _create(controller, email, hashed, external_id, locale, events_follow, country)
    if trusted:
        subject.email = normalise_email(email)
        subject.email_hash = hashed
        if external_id:
            subject.external_id = external_id
        if locale:
            subject.locale = locale
        if country:
            subject.country = country
        db.session.flush()
    return subject, False


def _create(controller, email, hashed, external_id, locale, events_follow, country=None):
    """Insert a new subject unless another transaction has just made the same person (the
    insert then does nothing and theirs is answered): simultaneous first decisions for one
    address all land on one subject."""
    statement = (postgresql_insert if is_postgresql() else sqlite_insert)(Subject)
    inserted = db.session.execute(
        statement.values(
            controller_id=controller.id,
            public_id=new_public_id(),
            event_count=0,
            email=normalise_email(email),
            email_hash=hashed,
            external_id=external_id,
            locale=locale,
            country=country,
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["controller_id", "email_hash"])
        .returning(Subject.id)
    )
    created = inserted.scalar_one_or_none() is not None
    subject = by_email(controller, email)
    if created and not events_follow:
        ledger.refresh_state(subject, controller, [])
    return subject, created


def suppressed(subject: Subject) -> bool:
    """Whether the person's address is one erased on request and not yet confirmed again."""
    return bool(subject.email_hash) and is_suppressed(
        db.session.get(Controller, subject.controller_id), subject.email_hash
    )


def lift_suppression(subject: Subject) -> None:
    """The person confirmed the mailbox is theirs: the address is no longer held back."""
    db.session.execute(
        delete(Suppression).where(
            Suppression.controller_id == subject.controller_id,
            Suppression.email_hash == subject.email_hash,
        )
    )


def erase(subject: Subject, *, source: str, actor: str, locale: str | None = None, suppress=True):
    """Art. 17: record the erasure, remove personal data, keep the pseudonymous ledger.

    An erasure the person asked for keeps a keyed hash of the address (`suppress`), so an
    import cannot bring them back; one by retention keeps none."""
    receipt = ledger.record(
        subject, [ledger.Change("erasure_completed")], source=source, actor=actor, locale=locale
    )
    webhooks.scrub_person(subject)
    outbox.purge_person(subject, keep_kinds=(webhooks.KIND,))
    db.session.execute(delete(AddressChange).where(AddressChange.subject_id == subject.id))
    subject_requests.forget(subject)  # staff notes go too; the requests stay as proof
    if suppress and subject.email_hash and not suppressed(subject):
        db.session.add(
            Suppression(controller_id=subject.controller_id, email_hash=subject.email_hash)
        )
    subject.email = None
    subject.email_hash = None
    subject.external_id = None
    subject.country = None
    subject.erased_at = utcnow()
    db.session.flush()
    return receipt
