"""The catalogue: an organisation describes itself in one YAML file (SPEC §9).

`document` reads and checks a file, `apply` plans and applies it and exports it back,
`schema` is the JSON Schema the product publishes."""

from consent.core.catalogue.apply import HANDLERS, Plan, apply, export, plan
from consent.core.catalogue.document import (
    CatalogueInvalid,
    ForbiddenChange,
    dump,
    load,
    read,
    validate,
)
from consent.core.catalogue.problems import Problem
from consent.core.catalogue.schema import SCHEMA

__all__ = [
    "HANDLERS",
    "SCHEMA",
    "CatalogueInvalid",
    "ForbiddenChange",
    "Plan",
    "Problem",
    "apply",
    "dump",
    "export",
    "load",
    "plan",
    "read",
    "validate",
]
