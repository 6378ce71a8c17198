"""Request and response schemas of the API, for the OpenAPI document (consent/api/openapi.py)."""

from consent.core.vocabulary import BASES, CHANNELS, KINDS

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


OBJECT = {"type": "object"}


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
                country={"type": "string", "pattern": "^[A-Za-z]{2}$"},
                bases=array(
                    obj(
                        ["purpose", "basis", "evidence"],
                        purpose=STR,
                        basis={"enum": [b for b in BASES if b != "consent"]},
                        evidence=STR,
                        sale_reference=STR,
                        opt_out_offered_at=TIME,
                    )
                ),
                decisions=array(
                    obj(
                        ["purpose", "decision"],
                        purpose=STR,
                        channel={"enum": list(CHANNELS)},
                        decision={"enum": ["given", "refused", "withdrawn"]},
                        notice_version={"type": "integer", "minimum": 1},
                        given_at=TIME,
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
        given_at=TIME,
        sale_reference=STR,
        opt_out_offered_at=TIME,
        locale=STR,
    ),
    "LookupRequest": obj([], email=STR, external_id=STR),
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
    "catalogue_plan": obj(["plan", "lines"], plan=OBJECT, lines=array(STR)),
    "purposes": obj(["purposes"], purposes=array(ref("Purpose")), messages=obj([], gpc=STR)),
    "consents": obj(
        ["subject", "receipt", "confirmation"],
        subject=obj(["id"], id=STR),
        receipt=ref("Receipt"),
        confirmation={"enum": ["may_follow"]},
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
                    ["List-Unsubscribe", "List-Unsubscribe-Post", "X-Consent-Ref"],
                    **{
                        "List-Unsubscribe": STR,
                        "List-Unsubscribe-Post": {"const": "List-Unsubscribe=One-Click"},
                        # Signed campaign metadata; README "Connect your mail service".
                        "X-Consent-Ref": STR,
                    },
                ),
                # The same ref in pieces of at most 80 characters (consent_ref,
                # consent_ref_2, …) for the mail service's metadata.
                metadata={"type": "object", "additionalProperties": STR},
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
    "lookup": obj(["subject"], subject=obj(["id"], id=STR, email=NSTR, external_id=NSTR)),
}
