"""Drafts of a catalogue edited in the console: a changed copy of the exported document,
its fingerprint, and what the preference page would show with it.

A draft is never written anywhere: it goes through the same `validate` and `plan` as a file,
and only `apply` makes it so. The preview builds unsaved (transient) controller, purpose and
notice objects and judges them for a person with no events, so nothing reaches the session.
"""

import copy
import hashlib
import json

from consent.core import changes
from consent.core.catalogue.apply import export
from consent.core.catalogue.document import PROFILE_KEYS
from consent.core.models import Controller, Notice, Purpose

NOTICE_FIELDS = (
    "title",
    "description",
    "lifetime",
    "retention",
    "recipients",
    "transfers",
    "source",
)
SETTINGS = ("double_opt_in", "marketing_related", "similar_products", "demo_addition")


def fingerprint(document: dict) -> str:
    """What a draft was made from: publishing refuses when the catalogue moved on since."""
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def current(controller: Controller) -> dict:
    return export(controller)


def with_identity(document: dict, values: dict) -> dict:
    """The organisation's name, contact, policy and branding as typed; empty optional
    branding fields are left out, as a file would leave them out."""
    draft = copy.deepcopy(document)
    draft["name"] = values["name"]
    draft["contact"] = values["contact"]
    draft["policy"] = {"url": values["policy_url"], "version": values["policy_version"]}
    branding = dict(draft.get("branding") or {})
    for key in ("display_name", "color"):
        if values.get(key):
            branding[key] = values[key]
        else:
            branding.pop(key, None)
    draft["branding"] = branding
    return draft


def with_purpose(document: dict, slug: str, values: dict) -> dict:
    """One purpose as typed (a new one goes last); the others as they were."""
    draft = copy.deepcopy(document)
    notice = {
        locale: {key: text for key, text in texts.items() if text}
        for locale, texts in values["notice"].items()
    }
    wanted = {
        "slug": slug,
        "category": values["category"],
        "basis": values["basis"],
        "channels": list(values["channels"]),
    }
    if values.get("consent_lifetime"):
        wanted["consent_lifetime"] = values["consent_lifetime"]
    wanted.update({name: bool(values.get(name)) for name in SETTINGS})
    for index, purpose in enumerate(draft["purposes"]):
        if purpose["slug"] == slug:
            if purpose.get("retired"):
                wanted["retired"] = True
            draft["purposes"][index] = {**wanted, "notice": notice}
            return draft
    draft["purposes"].append({**wanted, "notice": notice})
    return draft


def retire(document: dict, slug: str) -> dict:
    draft = copy.deepcopy(document)
    for purpose in draft["purposes"]:
        if purpose["slug"] == slug:
            purpose["retired"] = True
    return draft


def preview(document: dict, locale: str) -> tuple[Controller, list]:
    """(controller, purpose states) of a validated draft as a person with no events sees
    them in `locale`: the preference page's own objects, none of them in the session."""
    controller = Controller(
        slug=document["slug"],
        name=document["name"],
        contact_email=document["contact"],
        policy_url=document["policy"]["url"],
        policy_version=document["policy"]["version"],
        default_locale=document["default_locale"],
        inactive_retention=document["retention"],
        profile={key: document.get(key) for key in PROFILE_KEYS},
    )
    drafted, notices = [], {}
    for position, wanted in enumerate(document["purposes"]):
        purpose = Purpose(
            slug=wanted["slug"],
            category=wanted["category"],
            basis=wanted["basis"],
            channels=list(wanted["channels"]),
            consent_lifetime=wanted.get("consent_lifetime"),
            retired=bool(wanted.get("retired")),
            position=position,
            **{name: bool(wanted.get(name)) for name in SETTINGS},
        )
        drafted.append(purpose)
        texts = wanted["notice"].get(locale) or wanted["notice"][document["default_locale"]]
        notices[purpose.slug] = Notice(
            version=0, locale=locale, **{key: texts.get(key) for key in NOTICE_FIELDS}
        )
    controller.purposes = drafted
    states = changes.overview(controller, None, locale, history=[])
    for state in states:
        state.notice = notices[state.purpose.slug]
    return controller, states
