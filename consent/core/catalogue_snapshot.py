"""The catalogue a page reads, kept per process: the controller's purposes with their
settings versions and the current notices per locale, as plain read-only records.

A preference page shows every purpose with its notice. Reading and building them as ORM
objects on every view cost a third of the page, and they change only when someone edits
the catalogue; every such edit gives the controller a new `catalogue_version`, set by the
database itself (core/catalogue_ddl.py). The page reads the controller's row anyway: while
its version is the one a kept copy was read at, the copy is what the database holds.

Only for reading. A change is recorded through the ORM's purposes, under the person's
lock (subjects.by_link with lock), never through a kept copy.
"""

from types import SimpleNamespace

from sqlalchemy import select

from consent.core import purposes
from consent.core.database import db
from consent.core.models import VERSIONED_SETTINGS, Controller, Purpose, VersionedSettings
from consent.core.vocabulary import LOCALES

# Kept copies, by (controller id, catalogue version). A new version is a new key, so the
# dictionary is emptied when it is full rather than let old versions pile up.
KEPT: dict[tuple[int, str], SimpleNamespace] = {}
MOST_KEPT = 64


class KeptPurpose(VersionedSettings):
    """A purpose's columns and its settings versions, as the rules and the page read them."""

    def __init__(self, purpose: Purpose):
        for column in Purpose.__table__.columns:
            setattr(self, column.name, getattr(purpose, column.name))
        self.settings = tuple(
            SimpleNamespace(
                id=version.id,
                effective_at=version.effective_at,
                **{name: getattr(version, name) for name in VERSIONED_SETTINGS},
            )
            for version in purpose.settings
        )


class ControllerForReading:
    """The controller's own row, with the kept copy's purposes in place of the ORM's."""

    def __init__(self, controller: Controller, kept_purposes: tuple):
        self.row = controller
        self.purposes = list(kept_purposes)

    def __getattr__(self, name):
        return getattr(self.row, name)


def for_reading(controller: Controller) -> ControllerForReading:
    """The controller, as fresh as its row (read in this transaction), with its catalogue
    kept from an earlier read while its version is the same; the current notices of every
    locale are then read from the copy too (purposes.current_notices)."""
    key = (controller.id, controller.catalogue_version)
    kept = KEPT.get(key)
    if kept is None:
        kept = _read(controller)
        if len(KEPT) >= MOST_KEPT:
            KEPT.clear()
        KEPT[key] = kept
    for locale, notices in kept.notices.items():
        purposes.remember_current_notices(controller, locale, notices)
    return ControllerForReading(controller, kept.purposes)


def _read(controller: Controller) -> SimpleNamespace:
    found = db.session.scalars(
        select(Purpose).where(Purpose.controller_id == controller.id).order_by(Purpose.position)
    )
    return SimpleNamespace(
        purposes=tuple(KeptPurpose(purpose) for purpose in found),
        notices={locale: purposes.current_notices(controller, locale) for locale in LOCALES},
    )
