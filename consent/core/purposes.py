"""Controllers, purposes and their versioned, immutable notices."""

import hashlib

from sqlalchemy import func, select

from consent.core.database import db
from consent.core.durations import parse_duration
from consent.core.models import Controller, Notice, Purpose
from consent.core.vocabulary import BASES, CATEGORIES, CHANNELS, LOCALES


def notice_hash(title: str, description: str) -> str:
    """SHA-256 of exactly the text a person is shown."""
    return hashlib.sha256(f"{title}\n\n{description}".encode()).hexdigest()


def controller_by_slug(slug: str) -> Controller | None:
    return db.session.scalar(select(Controller).where(Controller.slug == slug))


def purpose_by_slug(controller: Controller, slug: str) -> Purpose | None:
    return db.session.scalar(
        select(Purpose).where(Purpose.controller_id == controller.id, Purpose.slug == slug)
    )


def define_purpose(controller: Controller, slug: str, texts: dict, **fields) -> Purpose:
    """Create a purpose with its first notice; texts is {locale: (title, description)}."""
    if fields.get("basis") not in BASES:
        raise ValueError(f"unknown basis {fields.get('basis')!r}")
    if fields.get("category") not in CATEGORIES:
        raise ValueError(f"unknown category {fields.get('category')!r}")
    if not set(fields.get("channels", ())) <= set(CHANNELS):
        raise ValueError(f"unknown channel in {fields.get('channels')!r}")
    if fields.get("consent_lifetime"):
        parse_duration(fields["consent_lifetime"])
    position = len(controller.purposes)
    purpose = Purpose(controller=controller, slug=slug, position=position, **fields)
    db.session.add(purpose)
    db.session.flush()
    publish_notice(purpose, texts)
    return purpose


def publish_notice(purpose: Purpose, texts: dict) -> int:
    """Store the texts as a new version unless they equal the current one; returns the version."""
    missing = set(LOCALES) - set(texts)
    if missing:
        raise ValueError(f"notice texts missing for {sorted(missing)}")
    current = latest_version(purpose)
    if current and all(
        (n.title, n.description) == tuple(texts[n.locale]) for n in notices(purpose, current)
    ):
        return current
    version = (current or 0) + 1
    for locale, (title, description) in texts.items():
        db.session.add(
            Notice(
                purpose_id=purpose.id,
                version=version,
                locale=locale,
                title=title,
                description=description,
                text_hash=notice_hash(title, description),
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


def current_notices(controller: Controller, locale: str) -> dict[int, Notice]:
    """The newest notice of every purpose of the controller in one locale: {purpose_id: notice}."""
    newest = (
        select(Notice.purpose_id, func.max(Notice.version).label("version"))
        .join(Purpose)
        .where(Purpose.controller_id == controller.id)
        .group_by(Notice.purpose_id)
        .subquery()
    )
    rows = db.session.scalars(
        select(Notice)
        .join(
            newest,
            (Notice.purpose_id == newest.c.purpose_id) & (Notice.version == newest.c.version),
        )
        .where(Notice.locale == locale)
    )
    return {notice.purpose_id: notice for notice in rows}
