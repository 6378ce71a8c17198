"""/api: the JSON door for programs (SPEC §6); one module per resource group, one blueprint."""

from consent.api import (
    audit,
    catalogue,
    consents,
    events,
    links,
    purposes,
    reachable,
    subjects,
    suppression,
)
from consent.api.blueprint import bp

__all__ = [
    "audit",
    "bp",
    "catalogue",
    "consents",
    "events",
    "links",
    "purposes",
    "reachable",
    "subjects",
    "suppression",
]
