"""Controllers, purposes, their versioned settings and their versioned, immutable notices."""

import hashlib

from sqlalchemy import event as sa_event
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consent.core.database import db, forget_memos, once_per_transaction, remember
from consent.core.durations import parse_duration
from consent.core.models import (
    VERSIONED_SETTINGS,
    Controller,
    Notice,
    Purpose,
    PurposeSettings,
    utcnow,
)
from consent.core.vocabulary import BASES, CATEGORIES, CHANNELS, LOCALES

# The Art. 13/14 texts shown beside a notice's title and description, in the order hashed.
NOTICE_DETAILS = ("lifetime", "retention", "recipients", "transfers", "source")
NOTICE_FIELDS = ("title", "description", *NOTICE_DETAILS)


def notice_hash(title: str, description: str, details: dict | None = None) -> str:
    """SHA-256 of exactly the text a person is shown: title, description, then each detail
    that is there, labelled (a notice without details hashes as title and description)."""
    text = f"{title}\n\n{description}"
    for name in NOTICE_DETAILS:
        value = (details or {}).get(name)
        if value:
            text += f"\n\n{name}: {value}"
    return hashlib.sha256(text.encode()).hexdigest()


def hash_of(notice: Notice) -> str:
    """The hash a stored notice's text should have: a check that nobody edited it."""
    details = {name: getattr(notice, name) for name in NOTICE_DETAILS}
    return notice_hash(notice.title, notice.description, details)


def text_of(notice: Notice) -> dict:
    """A stored notice as the catalogue writes it: {title, description, and details}."""
    fields = {name: getattr(notice, name) for name in NOTICE_FIELDS}
    return {name: value for name, value in fields.items() if value is not None}


def _fields(value) -> dict:
    """Notice text given as (title, description) or as a dict of NOTICE_FIELDS."""
    if isinstance(value, dict):
        return {name: value.get(name) for name in NOTICE_FIELDS}
    title, description = value
    return {"title": title, "description": description} | dict.fromkeys(NOTICE_DETAILS)


def controller_by_slug(slug: str) -> Controller | None:
    return db.session.scalar(select(Controller).where(Controller.slug == slug))


def purpose_by_slug(controller: Controller, slug: str) -> Purpose | None:
    return db.session.scalar(
        select(Purpose).where(Purpose.controller_id == controller.id, Purpose.slug == slug)
    )


def define_purpose(
    controller: Controller, slug: str, texts: dict, locales=LOCALES, **fields
) -> Purpose:
    """Create a purpose with its first settings version and first notice.

    texts is {locale: (title, description)} or {locale: {title, description, details…}}."""
    if fields.get("basis") not in BASES:
        raise ValueError(f"unknown basis {fields.get('basis')!r}")
    if fields.get("category") not in CATEGORIES:
        raise ValueError(f"unknown category {fields.get('category')!r}")
    if not set(fields.get("channels", ())) <= set(CHANNELS):
        raise ValueError(f"unknown channel in {fields.get('channels')!r}")
    if fields.get("consent_lifetime"):
        parse_duration(fields["consent_lifetime"])
    fields.setdefault("position", len(controller.purposes))
    for flag in ("double_opt_in", "marketing_related", "similar_products", "demo_addition"):
        fields.setdefault(flag, False)
    fields.setdefault("retired", False)
    purpose = Purpose(controller=controller, slug=slug, **fields)
    db.session.add(purpose)
    db.session.flush()
    record_settings(purpose, utcnow())
    publish_notice(purpose, texts, locales)
    return purpose


def record_settings(purpose: Purpose, effective_at) -> PurposeSettings:
    """A new version of the purpose's settings (its current columns), in force from then."""
    version = PurposeSettings(
        purpose_id=purpose.id,
        effective_at=effective_at,
        **{name: getattr(purpose, name) for name in VERSIONED_SETTINGS},
    )
    db.session.add(version)
    purpose.settings.append(version)
    db.session.flush()
    return version


def publish_notice(purpose: Purpose, texts: dict, locales=LOCALES) -> int:
    """Store the texts as a new version unless they equal the current one; returns the version."""
    missing = set(locales) - set(texts)
    if missing:
        raise ValueError(f"notice texts missing for {sorted(missing)}")
    wanted = {locale: _fields(value) for locale, value in texts.items()}
    current = latest_version(purpose)
    if current:
        stored = {n.locale: _fields(text_of(n)) for n in notices(purpose, current)}
        if stored == wanted:
            return current
    version = (current or 0) + 1
    for locale, fields in wanted.items():
        details = {name: fields[name] for name in NOTICE_DETAILS}
        db.session.add(
            Notice(
                purpose_id=purpose.id,
                version=version,
                locale=locale,
                **fields,
                text_hash=notice_hash(fields["title"], fields["description"], details),
            )
        )
    db.session.flush()
    return version


def latest_version(purpose: Purpose) -> int | None:
    return db.session.scalar(
        select(func.max(Notice.version)).where(Notice.purpose_id == purpose.id)
    )


def notices(purpose: Purpose, version: int) -> list[Notice]:
    return list(
        db.session.scalars(
            select(Notice).where(Notice.purpose_id == purpose.id, Notice.version == version)
        )
    )


def current_notices(controller: Controller, locale: str) -> dict:
    """The newest notice of every purpose of the controller in one locale: {purpose_id: notice}.

    Each notice is a read-only row with the columns of Notice (title, version, text_hash…),
    not an ORM object: pages, receipts and mail only read them, and a page shows a dozen.
    Read once per transaction (a receipt and the page answering a change both need them)."""
    return once_per_transaction(
        ("current_notices", controller.id, locale), lambda: _current_notices(controller, locale)
    )


def remember_current_notices(controller: Controller, locale: str, notices: dict) -> None:
    """What current_notices answers for the rest of this transaction (a kept catalogue's)."""
    remember(("current_notices", controller.id, locale), notices)


@sa_event.listens_for(Session, "after_flush")
def _forget_read_catalogue(session, _context) -> None:
    """A transaction that writes the catalogue reads its notices again afterwards."""
    written = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(row, (Controller, Purpose, PurposeSettings, Notice)) for row in written):
        forget_memos(session)


def _current_notices(controller: Controller, locale: str) -> dict:
    newest = (
        select(Notice.purpose_id, func.max(Notice.version).label("version"))
        .join(Purpose)
        .where(Purpose.controller_id == controller.id)
        .group_by(Notice.purpose_id)
        .subquery()
    )
    rows = db.session.execute(
        select(*Notice.__table__.columns)
        .join(
            newest,
            (Notice.purpose_id == newest.c.purpose_id) & (Notice.version == newest.c.version),
        )
        .where(Notice.locale == locale)
    )
    return {notice.purpose_id: notice for notice in rows}
