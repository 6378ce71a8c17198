"""Database tables (SQLAlchemy 2, typed). No request or rule logic lives here."""

import secrets
import time
import uuid
from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from consent.core import append_only, catalogue_ddl, signing, tally_ddl
from consent.core.database import db


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC in and out, on SQLite (naive storage) and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; times are stored as aware UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        return as_utc(value)


def as_utc(value: datetime | None) -> datetime | None:
    """A time as read from either database (SQLite: naive UTC) as an aware UTC datetime."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_uuid() -> str:
    """A UUIDv7 (RFC 9562 §5.7): the Unix time in milliseconds, then 74 random bits.

    Events and receipts are keyed by these, and each has more indexes on them: random
    version 4 keys put every new entry on a random page of indexes that grow by a row each
    change (a page to read, and after each checkpoint a whole page to the WAL), where keys
    that start with the time append beside the last ones. The random bits keep them
    unguessable; the time in them is the `recorded_at` the event shows anyway."""
    value = (time.time_ns() // 1_000_000) << 80 | int.from_bytes(secrets.token_bytes(10))
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # variant 10 (RFC 9562)
    return str(uuid.UUID(int=value))


def new_catalogue_version() -> str:
    """A fresh controller's: random, like every version the triggers give it later."""
    return secrets.token_hex(16)


def new_public_id() -> str:
    """128 random bits, URL-safe; never a leading "-", which a command line takes for an option."""
    while True:
        candidate = secrets.token_urlsafe(16)
        if not candidate.startswith("-"):
            return candidate


class Controller(db.Model):
    """One organisation (tenant); every other row belongs to one. Described by its catalogue
    file (SPEC §9): the identity keys that no query filters on live in `profile`, as written."""

    __tablename__ = "controllers"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    contact_email: Mapped[str] = mapped_column(String(254))
    policy_url: Mapped[str] = mapped_column(String(500))
    policy_version: Mapped[str] = mapped_column(String(64))
    default_locale: Mapped[str] = mapped_column(String(8), default="en")
    # ISO-8601 duration after the last event at which an inactive subject's data is erased.
    inactive_retention: Mapped[str | None] = mapped_column(String(32))
    # legal, dpo, representative, authorities, marketing_regulators, locales, timezone,
    # branding, unsubscribe_mailto, mail_services, webhooks: the catalogue's own keys.
    profile: Mapped[dict] = mapped_column(JSON, default=dict)
    # While the worker recomputes state after a catalogue change, people with a higher id
    # than this have stale state rows and are answered from the ledger; None: all current.
    state_rebuilt_through: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Random, and new whenever a row of its purposes, their settings or notices changes
    # (database triggers, core/catalogue_ddl.py): what a kept copy of them is checked by.
    catalogue_version: Mapped[str] = mapped_column(String(32), default=new_catalogue_version)

    purposes: Mapped[list["Purpose"]] = relationship(
        back_populates="controller", order_by="Purpose.position"
    )

    def state_is_current(self, subject_id: int) -> bool:
        through = self.state_rebuilt_through
        return through is None or subject_id <= through

    @property
    def legal(self) -> dict:
        return self.profile.get("legal") or {}

    @property
    def jurisdiction(self) -> str:
        return self.legal.get("country", "")

    @property
    def address(self) -> dict:
        """The legal address in schema.org terms, as receipts carry it."""
        return {"streetAddress": self.legal.get("address", ""), "addressCountry": self.jurisdiction}

    @property
    def dpo(self) -> dict | None:
        return self.profile.get("dpo")

    @property
    def dpo_email(self) -> str:
        """The data protection officer's address, or the privacy contact where there is none."""
        return (self.dpo or {}).get("email") or self.contact_email

    def authority_for(self, country: str | None = None) -> dict:
        """The supervisory authority for a person living in `country` where the catalogue
        lists one (Art. 77: a person may complain where they live), else the default."""
        authorities = self.profile.get("authorities") or {}
        if country in authorities:
            return authorities[country]
        return next((a for a in authorities.values() if a.get("default")), {})

    def marketing_regulator_for(self, country: str | None = None) -> dict:
        """The regulator of marketing rules (ACM, Forbrukertilsynet) for `country`, else for
        the controller's own country, else none."""
        regulators = self.profile.get("marketing_regulators") or {}
        return regulators.get(country) or regulators.get(self.jurisdiction) or {}

    @property
    def locales(self) -> list[str]:
        return self.profile.get("locales") or [self.default_locale]


class VersionedSettings:
    """A purpose's `settings_at`: the ORM Purpose and the plain copy pages keep
    (core/catalogue_snapshot.py) both have `settings`, its versions in order."""

    def settings_at(self, at: datetime) -> "PurposeView":
        """The purpose as its settings stood at `at` (before its first version: the first)."""
        chosen = None
        for version in self.settings:
            if chosen is None or version.effective_at <= at:
                chosen = version
        # One view per version: a replay over a million people asks again and again.
        views = self.__dict__.setdefault("_views", {})
        key = chosen.id if chosen is not None else None
        if key not in views:
            views[key] = PurposeView.of(self, chosen)
        return views[key]


class Purpose(VersionedSettings, db.Model):
    """A purpose of one controller. Slug, category and basis never change once it has events;
    the settings below are the newest of its insert-only `settings` versions."""

    __tablename__ = "purposes"
    __table_args__ = (UniqueConstraint("controller_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    controller_id: Mapped[int] = mapped_column(ForeignKey("controllers.id"), index=True)
    slug: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(32))
    basis: Mapped[str] = mapped_column(String(32))
    channels: Mapped[list] = mapped_column(JSON)
    consent_lifetime: Mapped[str | None] = mapped_column(String(32))
    double_opt_in: Mapped[bool] = mapped_column(Boolean, default=False)
    marketing_related: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    similar_products: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    demo_addition: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    retired: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    retention: Mapped[str] = mapped_column(String(200), default="")
    pii_categories: Mapped[list] = mapped_column(JSON, default=list)
    third_parties: Mapped[list] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)

    controller: Mapped[Controller] = relationship(back_populates="purposes")
    notices: Mapped[list["Notice"]] = relationship(
        back_populates="purpose", order_by="Notice.version"
    )
    settings: Mapped[list["PurposeSettings"]] = relationship(
        order_by="PurposeSettings.effective_at", lazy="selectin"
    )


# The settings of a purpose that are versioned: read as in force at the instant judged.
VERSIONED_SETTINGS = (
    "channels",
    "consent_lifetime",
    "double_opt_in",
    "marketing_related",
    "similar_products",
    "demo_addition",
    "retired",
)


class PurposeSettings(db.Model):
    """One version of a purpose's settings, in force from `effective_at` (insert-only)."""

    __tablename__ = "purpose_settings"
    __table_args__ = (Index("ix_purpose_settings_purpose", "purpose_id", "effective_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose_id: Mapped[int] = mapped_column(ForeignKey("purposes.id"))
    effective_at: Mapped[datetime] = mapped_column(UTCDateTime)
    channels: Mapped[list] = mapped_column(JSON)
    consent_lifetime: Mapped[str | None] = mapped_column(String(32))
    double_opt_in: Mapped[bool] = mapped_column(Boolean)
    marketing_related: Mapped[bool] = mapped_column(Boolean)
    similar_products: Mapped[bool] = mapped_column(Boolean)
    demo_addition: Mapped[bool] = mapped_column(Boolean)
    retired: Mapped[bool] = mapped_column(Boolean)


class PurposeView:
    """A purpose with the settings of one version: what the rules read for a past instant."""

    def __init__(self, purpose: Purpose, values: dict):
        self._purpose = purpose
        self.id, self.slug = purpose.id, purpose.slug
        self.category, self.basis = purpose.category, purpose.basis
        for name, value in values.items():
            setattr(self, name, value)

    @classmethod
    def of(cls, purpose: Purpose, version: "PurposeSettings | None") -> "PurposeView":
        source = version if version is not None else purpose
        return cls(purpose, {name: getattr(source, name) for name in VERSIONED_SETTINGS})

    def settings_at(self, at: datetime) -> "PurposeView":
        return self._purpose.settings_at(at)


class Notice(db.Model):
    """One immutable version of a purpose's notice in one locale."""

    __tablename__ = "notices"
    __table_args__ = (UniqueConstraint("purpose_id", "version", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose_id: Mapped[int] = mapped_column(ForeignKey("purposes.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    locale: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)
    # The Art. 13/14 texts shown with it; the hash covers them (purposes.NOTICE_DETAILS).
    lifetime: Mapped[str | None] = mapped_column(Text)
    retention: Mapped[str | None] = mapped_column(Text)
    recipients: Mapped[str | None] = mapped_column(Text)
    transfers: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)
    text_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    purpose: Mapped[Purpose] = relationship(back_populates="notices")


# PostgreSQL storage for the write path (migration c8e0a2b4d6f8, BENCHMARKS.md). A change
# updates its person's row (the chain head) and closes a state history row: with a tenth of
# each page left free the new version stays on its page (a HOT update: no index entry, no
# other page written), where full pages moved it and wrote all five of the person's indexes.
ROOM_FOR_UPDATES = 90
# A receipt of up to this many bytes is stored in its row as it is, uncompressed: the
# payload of one change is 2 to 3 kB, and compressing it and moving it to the TOAST table
# cost more of a change's database time than the disk it saves.
RECEIPT_TOAST_TUPLE_TARGET = 4080


class Subject(db.Model):
    """A person known to one controller. Erasure blanks email and external id."""

    __tablename__ = "subjects"
    __table_args__ = (
        UniqueConstraint("controller_id", "email_hash"),
        Index("ix_subjects_controller_external", "controller_id", "external_id"),
        # The console's search by the start of an address: a range scan on both databases
        # (pattern ops, so PostgreSQL serves a prefix LIKE from it whatever the collation).
        Index(
            "ix_subjects_controller_email",
            "controller_id",
            "email",
            postgresql_ops={"email": "varchar_pattern_ops"},
        ),
        {"postgresql_with": {"fillfactor": ROOM_FOR_UPDATES}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    controller_id: Mapped[int] = mapped_column(ForeignKey("controllers.id"))
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    external_id: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    email_hash: Mapped[str | None] = mapped_column(String(64))
    locale: Mapped[str | None] = mapped_column(String(8))
    # ISO 3166 country of residence, when known: it picks the supervisory authority shown.
    country: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Length of the hash chain; the row lock on the subject serialises appends.
    event_count: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str | None] = mapped_column(String(64))

    controller: Mapped[Controller] = relationship()


class Event(db.Model):
    """The ledger. Rows are inserted once and never updated or deleted."""

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("subject_id", "seq"),
        Index("ix_events_controller_occurred", "controller_id", "occurred_at"),
        Index("ix_events_controller_recorded", "controller_id", "recorded_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    controller_id: Mapped[int] = mapped_column(ForeignKey("controllers.id"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    purpose_id: Mapped[int | None] = mapped_column(ForeignKey("purposes.id"))
    scope: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[str | None] = mapped_column(String(16))
    basis: Mapped[str | None] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(200))
    notice_version: Mapped[int | None] = mapped_column(Integer)
    notice_hash: Mapped[str | None] = mapped_column(String(64))
    locale: Mapped[str | None] = mapped_column(String(8))
    reason: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    receipt_id: Mapped[str] = mapped_column(String(36), index=True)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # chain.HASHED_FORMS: which fields `hash` covers.
    hash_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    mailbox_proof: Mapped[str | None] = mapped_column(String(16))
    given_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sale_reference: Mapped[str | None] = mapped_column(String(200))
    opt_out_offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    subject: Mapped[Subject] = relationship()
    purpose: Mapped[Purpose | None] = relationship()


@event.listens_for(Event, "before_update")
def _refuse_event_update(mapper, connection, target):
    raise RuntimeError("ledger events are append-only")


@event.listens_for(Event, "before_delete")
def _refuse_event_delete(mapper, connection, target):
    raise RuntimeError("ledger events are append-only")


class State(db.Model):
    """Current answer per subject × purpose × channel, kept in step with the ledger.

    Written only with Core statements (ledger.refresh_state, bulk import), which a session's
    identity map never sees: read it as rows (`select(State.__table__)`), not as objects."""

    __tablename__ = "state"
    __table_args__ = (
        Index("ix_state_reachable", "purpose_id", "channel", "reachable", "subject_id"),
        # The count of who is reachable, from the index alone (reachability.count_now).
        Index(
            "ix_state_reachable_expiry",
            "purpose_id",
            "channel",
            "expires_at",
            postgresql_where=text("reachable"),
            sqlite_where=text("reachable"),
        ),
    )

    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), primary_key=True)
    purpose_id: Mapped[int] = mapped_column(ForeignKey("purposes.id"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    reachable: Mapped[bool] = mapped_column(Boolean)
    basis: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[str | None] = mapped_column(String(36))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StateHistory(db.Model):
    """What a state row said from valid_from until valid_to (None: it still says it), so a
    past instant is an indexed query; written with each state change (core/state_history.py)."""

    __tablename__ = "state_history"
    __table_args__ = (
        Index("ix_state_history_reachable", "purpose_id", "channel", "reachable", "subject_id"),
        {"postgresql_with": {"fillfactor": ROOM_FOR_UPDATES}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    purpose_id: Mapped[int] = mapped_column(ForeignKey("purposes.id"))
    channel: Mapped[str] = mapped_column(String(16))
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reachable: Mapped[bool] = mapped_column(Boolean)
    basis: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[str | None] = mapped_column(String(36))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ReachableTally(db.Model):
    """A change to how many state rows reach, per purpose, channel and the UTC day their
    consent lapses (None: never); summed, the reachable count (core/tally.py)."""

    __tablename__ = "reachable_tally"
    __table_args__ = (Index("ix_reachable_tally_key", "purpose_id", "channel", "lapses_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose_id: Mapped[int] = mapped_column(ForeignKey("purposes.id"))
    channel: Mapped[str] = mapped_column(String(16))
    lapses_on: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delta: Mapped[int] = mapped_column(Integer)


class Receipt(db.Model):
    """One signed consent receipt per interaction."""

    __tablename__ = "receipts"
    __table_args__ = {"postgresql_with": {"toast_tuple_target": RECEIPT_TOAST_TUPLE_TARGET}}

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    controller_id: Mapped[int] = mapped_column(ForeignKey("controllers.id"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    payload: Mapped[dict] = mapped_column(JSON)
    # The JWS as stored: without its payload ("header..signature", RFC 7515 Appendix F),
    # which `payload` holds already, so a receipt is stored once and not twice (2.3 kB a
    # receipt where it was 6.3). Receipts stored before 2026-12 hold the whole JWS.
    stored_jws: Mapped[str] = mapped_column("jws", Text)

    @property
    def jws(self) -> str:
        """The compact JWS, payload included, that verifies against the published keys."""
        return signing.attached(self.stored_jws, self.payload)


class Suppression(db.Model):
    """Keyed email hashes of erased subjects, so a re-import cannot revive them."""

    __tablename__ = "suppressions"
    __table_args__ = (UniqueConstraint("controller_id", "email_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    controller_id: Mapped[int] = mapped_column(ForeignKey("controllers.id"))
    email_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ApiKey(db.Model):
    """A bearer key for one controller and one role; only its SHA-256 is stored."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    controller_id: Mapped[int] = mapped_column(ForeignKey("controllers.id"))
    role: Mapped[str] = mapped_column(String(16))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    origins: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    controller: Mapped[Controller] = relationship()


class ImportBatch(db.Model):
    """A committed batch of an import file, so an interrupted run resumes after it."""

    __tablename__ = "import_batches"
    __table_args__ = (UniqueConstraint("controller_id", "file_hash", "batch_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    controller_id: Mapped[int] = mapped_column(ForeignKey("controllers.id"))
    file_hash: Mapped[str] = mapped_column(String(64))
    batch_no: Mapped[int] = mapped_column(Integer)
    rows: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StaffUser(db.Model):
    """A person who signs in to the console for one controller, with one role."""

    __tablename__ = "staff_users"
    __table_args__ = (UniqueConstraint("controller_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    controller_id: Mapped[int] = mapped_column(ForeignKey("controllers.id"))
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Every session carries the generation it began in; signing out moves it on, so no copy
    # of an older session cookie works any more.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    controller: Mapped[Controller] = relationship()


class OutboxMessage(db.Model):
    """A message waiting to leave (mail, webhooks), written in the transaction of the
    change it reports and delivered by the worker; never sent inside a request."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_state_due", "state", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    controller_id: Mapped[int] = mapped_column(ForeignKey("controllers.id"))
    # Who it concerns, so an erasure can purge it: a known person, or the keyed hash of
    # an address typed into a form (cleared once delivered).
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subjects.id"), index=True)
    recipient_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    # Rows with the same key leave in the order they were written (a webhook: one person at
    # one endpoint); a later row waits while an earlier one is pending.
    ordering_key: Mapped[str | None] = mapped_column(String(100), index=True)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CatalogueChange(db.Model):
    """Who applied which catalogue plan to a controller, and when (the staff change log)."""

    __tablename__ = "catalogue_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    controller_id: Mapped[int] = mapped_column(ForeignKey("controllers.id"), index=True)
    actor: Mapped[str] = mapped_column(String(200))
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    plan: Mapped[dict] = mapped_column(JSON)


class Leaf(db.Model):
    """An event's place in its controller's Merkle tree, fixed by the first checkpoint that
    covers it, with the event hash it had then (insert-only).

    No foreign key to controllers: PostgreSQL would look the controller up once per leaf, a
    third of a checkpoint's time; the run that writes them names the controller it locked."""

    __tablename__ = "leaves"
    __table_args__ = (UniqueConstraint("event_id"),)

    controller_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    leaf_index: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    event_id: Mapped[str] = mapped_column(String(36))
    event_hash: Mapped[str] = mapped_column(String(64))


class TreeNode(db.Model):
    """The hash of a completed perfect subtree of 2**level leaves, the index-th of its size:
    what makes an audit or consistency path O(log² n) lookups (insert-only)."""

    __tablename__ = "tree_nodes"

    controller_id: Mapped[int] = mapped_column(ForeignKey("controllers.id"), primary_key=True)
    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    index: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(String(64))


class Checkpoint(db.Model):
    """A signed tree head of one controller's events (SPEC §10), insert-only. `frontier`
    holds the perfect subtrees the next run appends to."""

    __tablename__ = "checkpoints"
    __table_args__ = (UniqueConstraint("controller_id", "tree_size"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    controller_id: Mapped[int] = mapped_column(ForeignKey("controllers.id"), index=True)
    tree_size: Mapped[int] = mapped_column(Integer)
    root_hash: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[int] = mapped_column(Integer)
    jws: Mapped[str] = mapped_column(Text)
    frontier: Mapped[list] = mapped_column(JSON)
    # recorded_at of the newest event covered: the next run looks for new events from here.
    covered_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


for _table in append_only.TABLES:
    append_only.attach(db.metadata.tables[_table])
tally_ddl.attach(db.metadata.tables["state"])  # the reachable tally follows state
catalogue_ddl.attach(db.metadata)  # a controller's catalogue_version follows its catalogue


class DeploymentSetting(db.Model):
    """What the database remembers about the deployment that writes it, e.g. the
    fingerprint of the email hash key its suppression hashes were made with."""

    __tablename__ = "deployment_settings"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))


class AddressChange(db.Model):
    """A new address a person asked for (Art. 16), waiting for them to confirm it there.

    Kept outside the ledger (it holds the address) and removed when confirmed, when the
    person is erased, or when it is stale; the ledger records only `email_changed`."""

    __tablename__ = "address_changes"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    controller_id: Mapped[int] = mapped_column(ForeignKey("controllers.id"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    email_hash: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MailServiceEvent(db.Model):
    """An event a mail service reported (an unsubscribe, a complaint, a bounce, an inbound
    `mailto:` unsubscribe, or a kind nothing is recorded for), kept once per provider event
    id so a retried or replayed delivery changes nothing, and counted by what came of it.
    Holds no address: the provider's opaque id, its event type, and the outcome."""

    __tablename__ = "mail_service_events"
    __table_args__ = (UniqueConstraint("controller_id", "provider", "provider_event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    controller_id: Mapped[int] = mapped_column(ForeignKey("controllers.id"))
    provider: Mapped[str] = mapped_column(String(16))
    provider_event_id: Mapped[str] = mapped_column(String(200))
    # The provider's own name for it (e.g. spamreport, failed, SubscriptionChange).
    provider_kind: Mapped[str] = mapped_column(String(64))
    # unsubscribe, complaint, bounce, or unknown (nothing is recorded for its kind).
    kind: Mapped[str] = mapped_column(String(16))
    # recorded, unchanged, unmapped (no valid reference to a person), unknown.
    outcome: Mapped[str] = mapped_column(String(16))
    receipt_id: Mapped[str | None] = mapped_column(String(36))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
