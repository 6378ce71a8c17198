"""The OpenAPI document describes exactly the app's /api routes, and schemathesis, driving the
app with generated requests under the right key for each route, finds no 500 and no response
that breaks the document."""

import re

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from consent.core import api_keys
from consent.core.database import db
from tests.support import api as api_support

AUTOMATIC = {"HEAD"}


def app_operations(app) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        path = path.replace("{public_id}", "{id}")
        automatic = {"OPTIONS"} if rule.provide_automatic_options else set()
        for method in rule.methods - AUTOMATIC - automatic:
            found.add((method.lower(), path))
    return found


def test_document_covers_exactly_the_routes(app, client):
    document = client.get("/api/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    documented = {
        (method, path)
        for path, item in document["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete", "options")
    }
    assert documented == app_operations(app)


def test_document_is_valid_openapi(client):
    document = client.get("/api/openapi.json").get_json()
    schema = schemathesis.openapi.from_dict(document)
    assert len(list(schema.get_all_operations())) >= 12
    for item in document["paths"].values():
        for method, operation in item.items():
            if method != "options":
                assert "200" in operation["responses"] or "201" in operation["responses"]


def test_document_names_the_fixed_fields(client):
    schemas = client.get("/api/openapi.json").get_json()["components"]["schemas"]
    subject = schemas["SubjectsRequest"]["properties"]["subjects"]["items"]["properties"]
    assert set(subject) >= {"email", "external_id", "locale", "bases"}
    assert set(schemas["Event"]["required"]) >= {"id", "kind", "hash", "prev_hash"}


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def test_api_against_its_document(app, make):
    """Generated requests for every operation, each under a key of a role it allows."""
    world = api_support.build(make)
    anna = make.subject(world.controller)
    make.record(anna, "consent_given", world.newsletter)
    db.session.commit()
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 11  # every route but the document itself
    for operation in operations:
        roles = operation.definition.raw.get("x-roles") or []
        headers = world.auth(roles[0]) if roles else {}

        @given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE))
        @settings(
            max_examples=12,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def exercise(case):
            case.call_and_validate(headers=exercise.headers, checks=CHECKS)

        exercise.headers = headers
        exercise()


def test_every_role_is_documented_per_operation(client):
    document = client.get("/api/openapi.json").get_json()
    for item in document["paths"].values():
        for method, operation in item.items():
            for role in operation.get("x-roles", []):
                assert role in api_keys.ROLES, (method, role)
