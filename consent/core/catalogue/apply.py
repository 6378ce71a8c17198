"""Applying a catalogue: the plan (what would change, and for how many people), then one
transaction that makes it so. Export writes the same document back."""

from dataclasses import asdict, dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import distinct, func, select

from consent.core import ledger, outbox, purposes
from consent.core.catalogue.document import PROFILE_KEYS, ForbiddenChange, normalise
from consent.core.catalogue.problems import Problem
from consent.core.database import db
from consent.core.models import (
    VERSIONED_SETTINGS,
    CatalogueChange,
    Controller,
    Event,
    Purpose,
    State,
    Subject,
    utcnow,
)


@dataclass
class NoticeChange:
    purpose: str
    version: int
    consents_on_older: int


@dataclass
class SettingChange:
    purpose: str
    setting: str
    old: object
    new: object


@dataclass
class Plan:
    """What applying a catalogue changes; empty means `no changes`."""

    controller: str
    created: bool = False
    identity: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    notices: list[NoticeChange] = field(default_factory=list)
    settings: list[SettingChange] = field(default_factory=list)
    effective_at: datetime | None = None
    order_changed: bool = False
    applied: bool = False
    # People whose state the worker recomputes in batches after the commit.
    deferred_people: int = 0

    @property
    def empty(self) -> bool:
        return not (
            self.created
            or self.identity
            or self.added
            or self.retired
            or self.notices
            or self.settings
            or self.order_changed
        )

    def as_json(self) -> dict:
        answer = asdict(self)
        answer["effective_at"] = self.effective_at.isoformat() if self.effective_at else None
        answer["no_changes"] = self.empty
        return answer

    def lines(self) -> list[str]:
        if self.empty:
            return [f"{self.controller}: no changes"]
        when = self.effective_at.isoformat(timespec="seconds") if self.effective_at else "commit"
        lines = [f"{self.controller}: " + ("new controller" if self.created else "changes")]
        lines += [f"  controller {key} changed" for key in self.identity]
        lines += [f"  purpose added: {slug}" for slug in self.added]
        lines += [f"  purpose retired: {slug}" for slug in self.retired]
        for change in self.notices:
            lines.append(
                f"  notice {change.purpose}: new version {change.version}; "
                f"{change.consents_on_older} people's consent rests on an older version"
            )
        for change in self.settings:
            lines.append(
                f"  {change.purpose}.{change.setting}: {change.old!r} -> {change.new!r} "
                f"(in force from {when})"
            )
        if self.order_changed:
            lines.append("  purposes reordered")
        if self.deferred_people:
            lines.append(
                f"  state of {self.deferred_people} people is recomputed by the worker in "
                "batches; until then they are answered from the ledger"
            )
        return lines


def export(controller: Controller) -> dict:
    """The controller as a catalogue document, in the file's key order."""
    profile = controller.profile
    document = {"slug": controller.slug, "name": controller.name, "legal": profile["legal"]}
    document["contact"] = controller.contact_email
    for key in ("dpo", "representative", "authorities", "marketing_regulators"):
        document[key] = profile.get(key)
    document["policy"] = {"url": controller.policy_url, "version": controller.policy_version}
    document["locales"] = profile["locales"]
    document["default_locale"] = controller.default_locale
    document["timezone"] = profile["timezone"]
    document["branding"] = profile.get("branding")
    document["retention"] = controller.inactive_retention
    for key in ("unsubscribe_mailto", "mail_services", "webhooks"):
        document[key] = profile.get(key)
    document["purposes"] = [_purpose_document(p) for p in controller.purposes]
    return normalise(document)


def _purpose_document(purpose: Purpose) -> dict:
    document = {"slug": purpose.slug, "category": purpose.category, "basis": purpose.basis}
    document["channels"] = list(purpose.channels)
    if purpose.consent_lifetime:
        document["consent_lifetime"] = purpose.consent_lifetime
    for name in ("double_opt_in", "marketing_related", "similar_products", "demo_addition"):
        document[name] = getattr(purpose, name)
    if purpose.retired:
        document["retired"] = True
    version = purposes.latest_version(purpose)
    document["notice"] = {
        notice.locale: purposes.text_of(notice) for notice in purposes.notices(purpose, version)
    }
    return document


def _identity(document: dict) -> dict:
    return {key: value for key, value in document.items() if key != "purposes"}


def _used(purpose: Purpose) -> bool:
    return (
        db.session.scalar(select(Event.id).where(Event.purpose_id == purpose.id).limit(1))
        is not None
    )


def _consents_on_older(purpose: Purpose, version: int) -> int:
    """People whose standing consent for the purpose was given on an older notice version."""
    return db.session.scalar(
        select(func.count(distinct(State.subject_id)))
        .join(Event, Event.id == State.event_id)
        .where(
            State.purpose_id == purpose.id,
            State.reachable.is_(True),
            State.basis == "consent",
            Event.notice_version < version,
        )
    )


def _settings_of(source) -> dict:
    return {
        name: source.get(name) if isinstance(source, dict) else getattr(source, name)
        for name in VERSIONED_SETTINGS
    }


def _texts_equal(purpose: Purpose, notice: dict) -> bool:
    version = purposes.latest_version(purpose)
    stored = {n.locale: purposes.text_of(n) for n in purposes.notices(purpose, version)}
    return stored == notice


def plan(document: dict) -> Plan:
    """Compare a validated document with the database; CatalogueInvalid for forbidden changes."""
    controller = purposes.controller_by_slug(document["slug"])
    result = Plan(document["slug"], created=controller is None)
    if controller is None:
        result.added = [p["slug"] for p in document["purposes"]]
        return result
    current = export(controller)
    result.identity = [
        key for key, value in _identity(document).items() if current.get(key) != value
    ]
    existing = {p.slug: p for p in controller.purposes}
    problems = []
    listed = {p["slug"] for p in document["purposes"]}
    for slug in existing:
        if slug not in listed:
            problems.append(Problem("purposes", "purpose_left_out", slug=slug))
    for index, wanted in enumerate(document["purposes"]):
        purpose = existing.get(wanted["slug"])
        if purpose is None:
            result.added.append(wanted["slug"])
            continue
        where = f"purposes[{index}]"
        for key in ("category", "basis"):
            old, new = getattr(purpose, key), wanted[key]
            if new != old and _used(purpose):
                problems.append(Problem(f"{where}.{key}", "used_purpose_changed", old=old, new=new))
        if purpose.retired and not wanted["retired"]:
            problems.append(Problem(f"{where}.retired", "stays_retired"))
        if wanted["retired"] and not purpose.retired:
            result.retired.append(purpose.slug)
        old, new = _settings_of(purpose), _settings_of(wanted)
        for name in VERSIONED_SETTINGS:
            if name != "retired" and old[name] != new[name]:
                result.settings.append(SettingChange(purpose.slug, name, old[name], new[name]))
        if not _texts_equal(purpose, wanted["notice"]):
            version = purposes.latest_version(purpose) + 1
            result.notices.append(
                NoticeChange(purpose.slug, version, _consents_on_older(purpose, version))
            )
        if purpose.position != index:
            result.order_changed = True
    if problems:
        raise ForbiddenChange(problems)
    return result


def apply(document: dict, actor: str, dry_run: bool = False) -> Plan:
    """Plan, and unless dry_run, make it so in the caller's transaction (the caller commits).

    Settings changes take effect from this moment; state is recomputed for every person."""
    result = plan(document)
    if dry_run or result.empty:
        return result
    result.effective_at = utcnow()
    controller = purposes.controller_by_slug(document["slug"]) or Controller(slug=document["slug"])
    controller.name = document["name"]
    controller.contact_email = document["contact"]
    controller.policy_url = document["policy"]["url"]
    controller.policy_version = document["policy"]["version"]
    controller.default_locale = document["default_locale"]
    controller.inactive_retention = document["retention"]
    controller.profile = {key: document[key] for key in PROFILE_KEYS}
    db.session.add(controller)
    db.session.flush()
    existing = {p.slug: p for p in controller.purposes}
    for index, wanted in enumerate(document["purposes"]):
        _write_purpose(controller, existing.get(wanted["slug"]), wanted, index, result)
    db.session.expire(controller, ["purposes"])
    if not result.created and (result.added or result.settings or result.retired):
        _recompute_states(controller, result)
    db.session.add(CatalogueChange(controller_id=controller.id, actor=actor, plan=result.as_json()))
    db.session.flush()
    result.applied = True
    return result


REBUILD_STATES = "rebuild_states"


def _recompute_states(controller: Controller, result: Plan) -> None:
    """Now, for up to STATE_REBUILD_INLINE people; past that, by the worker in batches after
    the commit, while the people not yet done are answered from the ledger."""
    people = db.session.scalar(
        select(func.count(Subject.id)).where(Subject.controller_id == controller.id)
    )
    if people <= current_app.config["STATE_REBUILD_INLINE"]:
        ledger.rebuild_states(controller)
        return
    controller.state_rebuilt_through = 0
    outbox.enqueue(REBUILD_STATES, controller, {})
    result.deferred_people = people


def rebuild_next_batch(message) -> None:
    """Outbox handler: recompute the next batch of people; queue the batch after it."""
    controller = db.session.get(Controller, message.controller_id)
    if controller.state_rebuilt_through is None:
        return
    batch = current_app.config["STATE_REBUILD_BATCH"]
    last = ledger.rebuild_states(controller, controller.state_rebuilt_through, batch)
    if last is None:
        controller.state_rebuilt_through = None
    else:
        controller.state_rebuilt_through = last
        outbox.enqueue(REBUILD_STATES, controller, {})


HANDLERS = {REBUILD_STATES: rebuild_next_batch}


def _write_purpose(controller, purpose, wanted: dict, position: int, result: Plan) -> None:
    settings = _settings_of(wanted)
    if purpose is None:
        purposes.define_purpose(
            controller,
            wanted["slug"],
            wanted["notice"],
            locales=controller.locales,
            category=wanted["category"],
            basis=wanted["basis"],
            position=position,
            **settings,
        )
        return
    purpose.position = position
    purpose.category, purpose.basis = wanted["category"], wanted["basis"]
    if settings != _settings_of(purpose):
        for name, value in settings.items():
            setattr(purpose, name, value)
        purposes.record_settings(purpose, result.effective_at)
    purposes.publish_notice(purpose, wanted["notice"], controller.locales)
