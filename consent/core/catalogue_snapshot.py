"""The catalogue the recipient's pages work with, kept per process: the controller's own
row, its purposes with their settings versions and the current notices per locale, as
read-only copies.

A preference page shows every purpose with its notice, and a one-click decides and
records with them. Reading and building them as ORM objects on every request cost a third
of the page and a tenth of a one-click, and they change only when someone edits the
catalogue or the controller; every such edit gives the controller a new
`catalogue_version`, set by the database itself (core/catalogue_ddl.py). The request reads
that version with the person: while it is the one a copy was read at, the copy is what the
database holds. Only `state_rebuilt_through`, which a rebuild moves on without a new
version, is read from the row every time.

A change is recorded with a kept copy only when the controller's row was read in the
statement that locked the person (subjects.by_link with lock): the copy is then exactly
the catalogue that statement would have read, as the ORM's purposes were before. Events
name their purpose by id (ledger.prepare), so no ORM purpose is needed to write them.
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
CONTROLLER = Controller.__table__.columns


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


class ControllerWithKeptCatalogue:
    """The kept copy of the controller's row, with the kept purposes in place of the ORM's
    and this request's `state_rebuilt_through`."""

    state_is_current = Controller.state_is_current

    def __init__(self, copy: SimpleNamespace, state_rebuilt_through: int | None):
        self.row = copy.controller
        self.purposes = list(copy.purposes)
        self.state_rebuilt_through = state_rebuilt_through

    def __getattr__(self, name):
        return getattr(self.row, name)


def kept(found) -> ControllerWithKeptCatalogue:
    """The controller whose id, catalogue_version and state_rebuilt_through were read in this
    transaction (`found`: its row, or those three columns), with its own columns and its
    catalogue kept from an earlier read while its version is the same; the current notices
    of every locale are then read from the copy too (purposes.current_notices)."""
    key = (found.id, found.catalogue_version)
    copy = KEPT.get(key)
    if copy is None:
        copy = _read(found.id)
        if len(KEPT) >= MOST_KEPT:
            KEPT.clear()
        KEPT[key] = copy
    for locale, notices in copy.notices.items():
        purposes.remember_current_notices(copy.controller, locale, notices)
    return ControllerWithKeptCatalogue(copy, found.state_rebuilt_through)


def _read(controller_id: int) -> SimpleNamespace:
    controller = db.session.get(Controller, controller_id, populate_existing=True)
    found = db.session.scalars(
        select(Purpose).where(Purpose.controller_id == controller_id).order_by(Purpose.position)
    )
    return SimpleNamespace(
        # A Controller never added to a session: its columns, properties and methods, and
        # nothing it could load or flush.
        controller=Controller(**{c.name: getattr(controller, c.name) for c in CONTROLLER}),
        purposes=tuple(KeptPurpose(purpose) for purpose in found),
        notices={locale: purposes.current_notices(controller, locale) for locale in LOCALES},
    )
