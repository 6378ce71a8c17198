"""Reading a catalogue file: strict YAML, the schema, the checks a schema cannot make.

Every problem is reported by its path (`purposes[2].notice.nb.title: missing`), all at
once, and nothing is written while there is one.
"""

import re
import zoneinfo
from datetime import date, datetime

import jsonschema
import yaml

from consent.core.catalogue.problems import FILE, Problem
from consent.core.catalogue.schema import SCHEMA
from consent.core.durations import parse_duration

# Keys of the controller that are kept as written, in the controller's profile.
PROFILE_KEYS = (
    "legal",
    "dpo",
    "representative",
    "authorities",
    "marketing_regulators",
    "locales",
    "timezone",
    "branding",
    "unsubscribe_mailto",
    "mail_services",
    "webhooks",
)
# Optional keys and what their absence means, so that a file and its export compare equal.
CONTROLLER_DEFAULTS = {
    "dpo": None,
    "representative": None,
    "marketing_regulators": {},
    "branding": {},
    "unsubscribe_mailto": None,
    "mail_services": None,
    "webhooks": [],
}
PURPOSE_DEFAULTS = {"consent_lifetime": None, "retired": False}
MIN_CONTRAST = 4.5


class CatalogueInvalid(ValueError):
    """A file the product refuses; `problems` names each field at fault."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(problems))
        self.problems = problems


class ForbiddenChange(CatalogueInvalid):
    """A valid file asking for what may never change (a slug, a used purpose's basis…)."""


class _Ambiguous(str):
    """A plain scalar YAML 1.1 reads as a boolean (NO, yes, off…): refused, never guessed."""


class _StrictLoader(yaml.SafeLoader):
    """Safe YAML where only `true` and `false` are booleans; other YAML 1.1 booleans are
    kept as _Ambiguous so the checks can name them."""


_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf")
)
_StrictLoader.add_implicit_resolver(
    "!ambiguous",
    re.compile(r"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|True|TRUE|False|FALSE)$"),
    list("yYnNoOTF"),
)
_StrictLoader.add_constructor("!ambiguous", lambda loader, node: _Ambiguous(node.value))
_COMMENTED_COLOUR = re.compile(r"^\s*color:\s*#", re.M)


def path_text(parts) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or FILE


def load(text: str) -> dict:
    """The document in a catalogue file's text; CatalogueInvalid when it cannot be read."""
    try:
        document = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 (a safe loader)
    except yaml.YAMLError as error:
        raise CatalogueInvalid([Problem(FILE, "not_yaml", error=error)]) from None
    problems = []
    if _COMMENTED_COLOUR.search(text):
        problems.append(Problem("branding.color", "unquoted_colour"))
    problems += _ambiguous(document, [])
    if problems:
        raise CatalogueInvalid(problems)
    return document


def _ambiguous(value, path) -> list[Problem]:
    problems = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, _Ambiguous):
                problems.append(Problem(path_text([*path, key]), "boolean_key", key=key))
            elif not isinstance(key, str):
                problems.append(Problem(path_text(path), "key_not_text", key=repr(key)))
            problems += _ambiguous(item, [*path, str(key)])
    elif isinstance(value, list):
        for index, item in enumerate(value):
            problems += _ambiguous(item, [*path, index])
    elif isinstance(value, _Ambiguous):
        problems.append(Problem(path_text(path), "boolean_value", value=value))
    return problems


def _schema_problems(error: jsonschema.ValidationError) -> list[Problem]:
    path = list(error.absolute_path)
    where = path_text(path)
    if error.validator == "required":
        missing = re.match(r"'([^']+)'", error.message).group(1)
        return [Problem(path_text([*path, missing]), "missing")]
    if error.validator == "additionalProperties":
        unknown = re.findall(r"'([^']+)'", error.message.split("(")[-1])
        return [Problem(path_text([*path, key]), "unknown_key") for key in unknown]
    if error.validator == "type":
        shown = error.instance
        if isinstance(shown, date | datetime | int | float | bool):
            return [Problem(where, "not_text", value=repr(shown))]
        expected, got = error.validator_value, type(shown).__name__
        return [Problem(where, "wrong_type", expected=expected, got=got)]
    if error.validator == "enum":
        allowed = ", ".join(str(v) for v in error.validator_value)
        return [Problem(where, "not_one_of", value=repr(error.instance), allowed=allowed)]
    if error.validator == "pattern":
        return [Problem(where, "not_valid", value=repr(error.instance))]
    if error.validator in ("minItems", "minLength", "minProperties"):
        return [Problem(where, "empty")]
    if error.validator == "uniqueItems":
        return [Problem(where, "repeated")]
    return [Problem(where, "invalid", detail=error.message)]


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_on_white(colour: str) -> float:
    """WCAG 2 contrast ratio of a #rrggbb colour against white."""
    return 1.05 / (_luminance(colour) + 0.05)


def _checks(document: dict) -> list[Problem]:
    """What the schema cannot say: texts for every offered locale, unique slugs, one default
    authority, contrast, time zone, durations, settings that only consent purposes have."""
    problems = []
    locales = document["locales"]
    if document["default_locale"] not in locales:
        locale = document["default_locale"]
        problems.append(Problem("default_locale", "default_locale_not_offered", locale=locale))
    defaults = [c for c, a in document["authorities"].items() if a["default"]]
    if len(defaults) != 1:
        problems.append(Problem("authorities", "one_default_authority", found=len(defaults)))
    colour = (document.get("branding") or {}).get("color")
    if colour and (ratio := contrast_on_white(colour)) < MIN_CONTRAST:
        ratio = f"{ratio:.2f}"
        problems.append(Problem("branding.color", "low_contrast", colour=colour, ratio=ratio))
    try:
        zoneinfo.ZoneInfo(document["timezone"])
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        problems.append(Problem("timezone", "not_a_time_zone", value=repr(document["timezone"])))
    for key in ("retention",):
        try:
            parse_duration(document[key])
        except ValueError:
            problems.append(Problem(key, "not_a_duration", value=repr(document[key])))
    seen = {}
    for index, purpose in enumerate(document["purposes"]):
        where = f"purposes[{index}]"
        slug = purpose["slug"]
        if slug in seen:
            other = f"purposes[{seen[slug]}]"
            problems.append(Problem(f"{where}.slug", "slug_used_twice", slug=slug, other=other))
        seen.setdefault(slug, index)
        for locale in locales:
            if locale not in purpose["notice"]:
                problems.append(Problem(f"{where}.notice.{locale}", "missing"))
        for locale in purpose["notice"]:
            if locale not in locales:
                problems.append(Problem(f"{where}.notice.{locale}", "locale_not_offered"))
        lifetime = purpose.get("consent_lifetime")
        if lifetime:
            try:
                parse_duration(lifetime)
            except ValueError:
                value = repr(lifetime)
                problems.append(Problem(f"{where}.consent_lifetime", "not_a_duration", value=value))
        if purpose["basis"] != "consent":
            for key in ("consent_lifetime", "double_opt_in"):
                if purpose.get(key):
                    problems.append(Problem(f"{where}.{key}", "only_for_consent"))
        elif lifetime:
            for locale, notice in purpose["notice"].items():
                if not notice.get("lifetime"):
                    stated = f"{where}.notice.{locale}.lifetime"
                    problems.append(Problem(stated, "lifetime_not_stated"))
        if purpose["similar_products"] and purpose["category"] != "direct_marketing":
            problems.append(Problem(f"{where}.similar_products", "only_for_direct_marketing"))
    return problems


def validate(document) -> dict:
    """The document, normalised (optional keys filled in), or CatalogueInvalid."""
    if not isinstance(document, dict):
        raise CatalogueInvalid([Problem(FILE, "not_a_mapping")])
    validator = jsonschema.Draft202012Validator(SCHEMA)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    problems = [problem for error in errors for problem in _schema_problems(error)]
    if problems:
        raise CatalogueInvalid(problems)
    problems = _checks(document)
    if problems:
        raise CatalogueInvalid(problems)
    return normalise(document)


def normalise(document: dict) -> dict:
    """Fill in what an optional key's absence means, in the file's key order."""
    result = {**document}
    for key, default in CONTROLLER_DEFAULTS.items():
        if result.get(key) is None:
            result[key] = default
    result["purposes"] = [{**PURPOSE_DEFAULTS, **purpose} for purpose in document["purposes"]]
    return result


def read(text: str) -> dict:
    """load + validate: the normalised document of a catalogue file's text."""
    return validate(load(text))


# Country codes, locales, colours and version-like strings: quoted in an export, as the
# file's readers are told to write them (YAML would read some as booleans, comments, dates).
_QUOTED = re.compile(r"^(?:[A-Za-z]{2}|#[0-9A-Fa-f]{6}|[0-9][0-9.\-]*)$")


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(
    str,
    lambda dumper, value: dumper.represent_scalar(
        "tag:yaml.org,2002:str", value, style='"' if _QUOTED.match(value) else None
    ),
)


def dump(document: dict) -> str:
    """YAML text of a document; codes, colours and versions come out quoted."""
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
