"""The OpenAPI 3.1 description of /api: every route, its roles, request and response shapes.

Written by hand next to the routes it describes; tests/test_openapi.py holds it to the
app's url map and runs schemathesis against it, so it cannot drift from the code.
"""

from .vocabulary import BASES, CHANNELS, KINDS, SOURCES

STR = {"type": "string"}
NSTR = {"type": ["string", "null"]}
INT = {"type": "integer"}
BOOL = {"type": "boolean"}
TIME = {"type": "string", "format": "date-time"}
NTIME = {"type": ["string", "null"], "format": "date-time"}


def obj(required=(), **properties) -> dict:
    schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


def array(items, max_items=None, min_items=None) -> dict:
    schema = {"type": "array", "items": items}
    if max_items:
        schema["maxItems"] = max_items
    if min_items:
        schema["minItems"] = min_items
    return schema


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def json_body(schema) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


ERROR = obj(["error"], error=obj(["code", "message"], code=STR, message=STR))
NOTICE = obj(
    ["version", "locale", "title", "description", "hash"],
    version=INT,
    locale=STR,
    title=STR,
    description=STR,
    hash=STR,
)
EVENT = obj(
    [
        "id",
        "kind",
        "purpose",
        "channel",
        "basis",
        "source",
        "occurred_at",
        "receipt_id",
        "prev_hash",
        "hash",
    ],
    id=STR,
    seq=INT,
    kind={"enum": list(KINDS)},
    purpose=NSTR,
    scope=NSTR,
    channel=NSTR,
    basis=NSTR,
    source=STR,
    actor=STR,
    notice_version={"type": ["integer", "null"]},
    notice_hash=NSTR,
    locale=NSTR,
    reason=NSTR,
    evidence=NSTR,
    occurred_at=TIME,
    recorded_at=TIME,
    receipt_id=STR,
    prev_hash=NSTR,
    hash=STR,
)
RECEIPT = obj(["id", "jws"], id=STR, jws=STR, created_at=TIME)
EMAILS = array(STR, max_items=10_000, min_items=1)

SCHEMAS = {
    "Error": ERROR,
    "Notice": NOTICE,
    "Event": EVENT,
    "Receipt": RECEIPT,
    "Purpose": obj(
        ["slug", "category", "basis", "channels", "notice"],
        slug=STR,
        category=STR,
        basis={"enum": list(BASES)},
        channels=array(STR),
        consent_lifetime=NSTR,
        double_opt_in=BOOL,
        retention=STR,
        notice={"oneOf": [ref("Notice"), {"type": "null"}]},
    ),
    "ConsentsRequest": obj(
        ["subject", "decisions"],
        subject=obj(email=STR, external_id=STR, id=STR),
        locale=STR,
        source={"enum": list(SOURCES)},
        decisions=array(
            obj(
                ["purpose", "decision"],
                purpose=STR,
                decision={"enum": ["given", "refused", "withdrawn"]},
                channel={"enum": list(CHANNELS)},
                notice_version={"type": "integer", "minimum": 1},
            ),
            min_items=1,
        ),
    ),
    "SubjectsRequest": obj(
        ["subjects"],
        subjects=array(
            obj(
                ["email"],
                email={"type": "string", "format": "email"},
                external_id=STR,
                locale=STR,
                bases=array(
                    obj(
                        ["purpose", "basis", "evidence"],
                        purpose=STR,
                        basis={"enum": [b for b in BASES if b != "consent"]},
                        evidence=STR,
                    )
                ),
            ),
            max_items=10_000,
            min_items=1,
        ),
    ),
    "EventRequest": obj(
        ["subject", "kind"],
        subject=STR,
        kind={"enum": list(KINDS)},
        purpose=STR,
        scope=STR,
        channel={"enum": list(CHANNELS)},
        basis={"enum": list(BASES)},
        reason=STR,
        evidence=STR,
        notice_version={"type": "integer", "minimum": 1},
        occurred_at=TIME,
        source={"enum": list(SOURCES)},
        locale=STR,
    ),
    "CheckRequest": obj(
        ["purpose", "emails"],
        purpose=STR,
        channel={"enum": list(CHANNELS)},
        emails=EMAILS,
        at=TIME,
    ),
    "LinksRequest": obj(
        ["subjects"],
        subjects=array(STR, max_items=10_000, min_items=1),
        purposes=array(STR),
        channel={"enum": list(CHANNELS)},
        campaign={"type": "string", "pattern": "^[A-Za-z0-9_.,:-]*$"},
        locale=STR,
    ),
}

RESPONSES = {
    "purposes": obj(["purposes"], purposes=array(ref("Purpose"))),
    "consents": obj(
        ["subject", "receipt"],
        subject=obj(["id"], id=STR),
        receipt=ref("Receipt"),
        confirmation_required=array(STR),
    ),
    "subjects": obj(
        ["subjects", "errors"],
        subjects=array(
            obj(
                ["id", "email", "created", "suppressed"],
                index=INT,
                id=NSTR,
                email=STR,
                created=BOOL,
                suppressed=BOOL,
                events=INT,
            )
        ),
        errors=array(obj(["index", "code", "message"], index=INT, code=STR, message=STR)),
    ),
    "events": obj(["event", "receipt"], event=ref("Event"), receipt=ref("Receipt")),
    "count": obj(["count"], count=INT),
    "check": obj(
        ["results"],
        results=array(
            obj(
                ["email", "reachable", "basis", "reason"],
                email=STR,
                reachable=BOOL,
                basis=NSTR,
                reason=STR,
                subject=STR,
                suppressed=BOOL,
            )
        ),
    ),
    "links": obj(
        ["links"],
        links=array(
            obj(
                ["subject", "preferences_url", "unsubscribe_url", "headers"],
                subject=STR,
                email=NSTR,
                preferences_url=STR,
                unsubscribe_url=STR,
                reachable=BOOL,
                headers=obj(
                    ["List-Unsubscribe", "List-Unsubscribe-Post"],
                    **{
                        "List-Unsubscribe": STR,
                        "List-Unsubscribe-Post": {"const": "List-Unsubscribe=One-Click"},
                    },
                ),
            )
        ),
        unknown=array(STR),
    ),
    "history": obj(
        ["subject", "events", "bases"],
        subject=obj(["id"], id=STR),
        events=array(ref("Event")),
        bases={
            "type": "object",
            "additionalProperties": array(
                obj(["basis", "from", "to"], basis=STR, to=NTIME, **{"from": TIME})
            ),
        },
    ),
    "proof": {"type": "object"},
}

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
        ],
    )
    op["responses"]["200"]["content"].update(
        {
            "application/x-ndjson": {"schema": STR},
            "text/csv": {"schema": STR},
        }
    )
    return op


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
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "paths": {
            "/api/openapi.json": {
                "get": operation([], "This document", schema={"type": "object"}, statuses=())
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
