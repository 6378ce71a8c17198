"""The JSON Schema of a catalogue file (SPEC §9), published at /api/catalogue.schema.json.

The schema catches shapes and types; `checks.py` adds what a schema cannot say.
"""

from consent.core.vocabulary import BASES, CATEGORIES, CHANNELS, KINDS, LOCALES

DURATION = r"^P(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+S)?)?$"
COUNTRY = r"^[A-Z]{2}$"
TEXT = {"type": "string", "minLength": 1}
OPTIONAL_TEXT = {"type": ["string", "null"]}
EMAIL = {"type": "string", "pattern": r"^[^@\s]+@[^@\s]+\.[^@\s]+$"}
HTTPS = {"type": "string", "pattern": r"^https://\S+$"}
HTTP_URL = {"type": "string", "pattern": r"^https?://\S+$"}
FLAG = {"type": "boolean"}


def _object(properties: dict, required=(), nullable=False) -> dict:
    schema = {
        "type": ["object", "null"] if nullable else "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }
    return schema


PERSON = _object({"name": TEXT, "email": EMAIL, "address": {"type": "string"}}, ["name", "email"])
NOTICE = _object(
    {
        "title": TEXT,
        "description": TEXT,
        "lifetime": TEXT,
        "retention": TEXT,
        "recipients": TEXT,
        "transfers": TEXT,
        "source": TEXT,
    },
    ["title", "description", "retention"],
)
PURPOSE = _object(
    {
        "slug": {"type": "string", "pattern": r"^[a-z0-9][a-z0-9-]{0,63}$"},
        "category": {"enum": list(CATEGORIES)},
        "basis": {"enum": list(BASES)},
        "channels": {"type": "array", "items": {"enum": list(CHANNELS)}, "uniqueItems": True},
        "consent_lifetime": {"type": ["string", "null"], "pattern": DURATION},
        "double_opt_in": FLAG,
        "marketing_related": FLAG,
        "similar_products": FLAG,
        "demo_addition": FLAG,
        "retired": FLAG,
        "notice": {
            "type": "object",
            "propertyNames": {"enum": list(LOCALES)},
            "additionalProperties": NOTICE,
            "minProperties": 1,
        },
    },
    [
        "slug",
        "category",
        "basis",
        "channels",
        "double_opt_in",
        "marketing_related",
        "similar_products",
        "demo_addition",
        "notice",
    ],
)

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "/api/catalogue.schema.json",
    "title": "Consent center catalogue: one controller, its purposes and notices",
    **_object(
        {
            "slug": {"type": "string", "pattern": r"^[a-z0-9][a-z0-9-]{0,63}$"},
            "name": TEXT,
            "legal": _object(
                {
                    "registration": {"type": "string"},
                    "address": TEXT,
                    "country": {"type": "string", "pattern": COUNTRY},
                },
                ["registration", "address", "country"],
            ),
            "contact": EMAIL,
            "dpo": {**PERSON, "type": ["object", "null"]},
            "representative": {**PERSON, "type": ["object", "null"]},
            "authorities": {
                "type": "object",
                "minProperties": 1,
                "propertyNames": {"pattern": COUNTRY},
                "additionalProperties": _object(
                    {"name": TEXT, "url": HTTP_URL, "complaint_url": HTTP_URL, "default": FLAG},
                    ["name", "url", "complaint_url", "default"],
                ),
            },
            "marketing_regulators": {
                "type": "object",
                "propertyNames": {"pattern": COUNTRY},
                "additionalProperties": _object({"name": TEXT, "url": HTTP_URL}, ["name", "url"]),
            },
            "policy": _object({"url": HTTP_URL, "version": TEXT}, ["url", "version"]),
            "locales": {
                "type": "array",
                "items": {"enum": list(LOCALES)},
                "minItems": 1,
                "uniqueItems": True,
            },
            "default_locale": {"enum": list(LOCALES)},
            "timezone": TEXT,
            "branding": _object(
                {
                    "display_name": OPTIONAL_TEXT,
                    "logo": {"type": ["string", "null"], "pattern": r"^https://\S+$"},
                    "color": {"type": ["string", "null"], "pattern": r"^#[0-9a-fA-F]{6}$"},
                    "sender": OPTIONAL_TEXT,
                }
            ),
            "retention": {"type": "string", "pattern": DURATION},
            "unsubscribe_mailto": {**EMAIL, "type": ["string", "null"]},
            "mail_services": {
                "type": ["object", "null"],
                # The formats /hooks/<slug>/<provider> reads (consent/mailservices/).
                "propertyNames": {"enum": ["sendgrid", "mailgun", "postmark", "ses"]},
                "additionalProperties": _object(
                    {
                        "credentials_env": {
                            "type": "array",
                            "minItems": 1,
                            "items": {"type": "string", "pattern": r"^[A-Z][A-Z0-9_]*$"},
                        }
                    },
                    ["credentials_env"],
                ),
            },
            "webhooks": {
                "type": "array",
                "items": _object(
                    {
                        "url": HTTPS,
                        "secret_env": {"type": "string", "pattern": r"^[A-Z][A-Z0-9_]*$"},
                        "events": {
                            "type": "array",
                            "minItems": 1,
                            "items": {"enum": ["*", *KINDS]},
                        },
                    },
                    ["url", "secret_env", "events"],
                ),
            },
            "purposes": {"type": "array", "items": PURPOSE},
        },
        [
            "slug",
            "name",
            "legal",
            "contact",
            "authorities",
            "policy",
            "locales",
            "default_locale",
            "timezone",
            "retention",
            "purposes",
        ],
    ),
}
