"""The OpenAPI 3.1 description of /api: every route, its roles, request and response shapes.

Written by hand next to the routes it describes; tests/test_openapi.py holds it to the
app's url map and runs schemathesis against it, so it cannot drift from the code.
"""

from consent.api.openapi_schemas import RESPONSES, SCHEMAS, STR, TIME, json_body, ref
from consent.core.catalogue import SCHEMA as CATALOGUE
from consent.core.vocabulary import CHANNELS

ERRORS = {
    400: "Malformed request",
    401: "No or unknown API key",
    403: "The key's role may not use this route",
    404: "Unknown subject or purpose (or another controller's)",
    405: "Method not allowed",
    409: "Conflict, e.g. an erased subject",
    413: "Request body or list too large",
    422: "Refused by the consent rules",
    429: "Too many requests",
}


def _responses(ok: int, schema: dict | None, statuses=(400, 401, 403, 404, 413, 422)) -> dict:
    answers = {str(ok): {"description": "OK", **(json_body(schema) if schema else {})}}
    for status in (*statuses, 405, 429):
        answers[str(status)] = {"description": ERRORS[status], **json_body(ref("Error"))}
    return answers


def operation(roles, summary, ok=200, schema=None, request=None, params=(), statuses=None):
    op = {
        "summary": summary,
        "description": f"Roles: {', '.join(roles) if roles else 'none (public)'}.",
        "responses": _responses(ok, schema, statuses or (400, 401, 403, 404, 413, 422)),
    }
    if roles:
        op["security"] = [{"bearer": []}]
        op["x-roles"] = list(roles)
    else:
        op["security"] = []
    if request:
        op["requestBody"] = {"required": True, **json_body(ref(request))}
    if params:
        op["parameters"] = list(params)
    return op


def query(name, schema=STR, required=False, description=None) -> dict:
    param = {"name": name, "in": "query", "required": required, "schema": schema}
    if description:
        param["description"] = description
    return param


SUBJECT_ID = {"name": "id", "in": "path", "required": True, "schema": STR}
PREFLIGHT = {
    "summary": "CORS preflight for widget origins",
    "security": [],
    "responses": {"204": {"description": "Allowed origins get Access-Control headers"}},
}


def _reachable() -> dict:
    op = operation(
        ["marketer", "admin"],
        "Who is reachable for a purpose on a channel, now or at a past instant",
        schema=RESPONSES["count"],
        params=[
            query("purpose", required=True),
            query("channel", {"enum": list(CHANNELS)}),
            query("at", TIME, description="a past instant; answered from the ledger"),
            query("format", {"enum": ["ndjson", "csv"]}),
            query("count", {"enum": ["1"]}, description='1: only {"count": n}'),
            query(
                "min_notice_version",
                {"type": "string", "pattern": "^[1-9][0-9]{0,5}$"},
                description="only people whose consent was given on this notice version or newer",
            ),
        ],
    )
    op["responses"]["200"]["content"].update(
        {
            "application/x-ndjson": {"schema": STR},
            "text/csv": {"schema": STR},
        }
    )
    return op


def _suppression() -> dict:
    op = operation(
        ["marketer", "admin"],
        "The do-not-mail list: people who said no for a purpose on a channel "
        "(erased people are not listed; their erasure went out by webhook)",
        params=[
            query("purpose", description="one purpose; default every purpose on the channel"),
            query("channel", {"enum": list(CHANNELS)}),
            query("format", {"enum": ["ndjson", "csv"]}),
        ],
    )
    op["responses"]["200"]["content"] = {
        "application/x-ndjson": {"schema": STR},
        "text/csv": {"schema": STR},
    }
    return op


def _catalogue_schema() -> dict:
    """The catalogue's JSON Schema as an OpenAPI component (no $schema or $id inside)."""
    return {key: value for key, value in CATALOGUE.items() if not key.startswith("$")}


def document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Consent and preference center API",
            "version": "1",
            "description": "Bearer keys belong to one controller and carry one role.",
        },
        "servers": [{"url": "/"}],
        "components": {
            "schemas": {**SCHEMAS, "Catalogue": _catalogue_schema()},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "paths": {
            "/api/openapi.json": {
                "get": operation([], "This document", schema={"type": "object"}, statuses=())
            },
            "/api/catalogue.schema.json": {
                "get": operation(
                    [],
                    "The JSON Schema of a catalogue file",
                    schema={"type": "object"},
                    statuses=(),
                )
            },
            "/api/v1/catalogue": {
                "get": operation(
                    ["admin"],
                    "The key's controller as a catalogue document "
                    "(format=yaml answers the same as application/yaml)",
                    schema=ref("Catalogue"),
                ),
                "put": operation(
                    ["admin"],
                    "Validate, plan and apply a catalogue for the key's controller",
                    schema=RESPONSES["catalogue_plan"],
                    request="Catalogue",
                    params=[query("dry_run", {"enum": ["1"]}, description="1: only the plan")],
                    statuses=(400, 401, 403, 404, 409, 413, 422),
                ),
            },
            "/api/v1/purposes": {
                "get": operation(
                    ["widget", "marketer", "auditor", "admin"],
                    "Purposes with the current notice in a locale",
                    schema=RESPONSES["purposes"],
                    params=[query("locale")],
                ),
                "options": PREFLIGHT,
            },
            "/api/v1/consents": {
                "post": operation(
                    ["widget", "admin"],
                    "Record consent decisions",
                    201,
                    RESPONSES["consents"],
                    "ConsentsRequest",
                    statuses=(400, 401, 403, 404, 409, 413, 422),
                ),
                "options": PREFLIGHT,
            },
            "/api/v1/subjects": {
                "post": operation(
                    ["admin"],
                    "Create or update subjects in bulk, with bases and evidence",
                    schema=RESPONSES["subjects"],
                    request="SubjectsRequest",
                )
            },
            "/api/v1/subjects/lookup": {
                "post": operation(
                    ["auditor", "admin"],
                    "Find one person by email address or CRM id (in the body, never the URL)",
                    schema=RESPONSES["lookup"],
                    request="LookupRequest",
                )
            },
            "/api/v1/events": {
                "post": operation(
                    ["admin"],
                    "Record any event kind",
                    201,
                    RESPONSES["events"],
                    "EventRequest",
                    statuses=(400, 401, 403, 404, 409, 413, 422),
                )
            },
            "/api/v1/reachable": {"get": _reachable()},
            "/api/v1/suppression": {"get": _suppression()},
            "/api/v1/reachable/check": {
                "post": operation(
                    ["marketer", "admin"],
                    "Which of these addresses may be mailed, and why not",
                    schema=RESPONSES["check"],
                    request="CheckRequest",
                )
            },
            "/api/v1/links": {
                "post": operation(
                    ["marketer", "admin"],
                    "Signed links and List-Unsubscribe headers for a campaign",
                    schema=RESPONSES["links"],
                    request="LinksRequest",
                )
            },
            "/api/v1/subjects/{id}/history": {
                "get": operation(
                    ["auditor", "admin"],
                    "Every event of a subject and its bases over time",
                    schema=RESPONSES["history"],
                    params=[SUBJECT_ID],
                )
            },
            "/api/v1/subjects/{id}/proof": {
                "get": operation(
                    ["auditor", "admin"],
                    "Proof bundle: receipts, notice texts, chain verification",
                    schema=RESPONSES["proof"],
                    params=[SUBJECT_ID, query("purpose")],
                )
            },
        },
    }
