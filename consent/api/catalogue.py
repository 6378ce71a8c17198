"""The catalogue over HTTP: its JSON Schema for anyone, GET and PUT of a controller's own
catalogue for an admin key (`?dry_run=1` answers the plan and changes nothing)."""

from flask import Response, g, jsonify, request

from consent.api.auth import require
from consent.api.blueprint import actor, bp
from consent.api.params import ApiError
from consent.core import catalogue
from consent.core.database import db
from consent.web.errors import error_response

YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml")


@bp.get("/catalogue.schema.json")
def catalogue_schema():
    response = jsonify(catalogue.SCHEMA)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/v1/catalogue")
@require("admin")
def get_catalogue():
    """The key's controller as a catalogue document: JSON, or YAML with ?format=yaml."""
    document = catalogue.export(g.controller)
    if request.args.get("format") == "yaml":
        return Response(catalogue.dump(document), mimetype="application/yaml")
    return jsonify(document)


def _document() -> dict:
    if request.mimetype in YAML_TYPES:
        return catalogue.load(request.get_data(as_text=True))
    document = request.get_json(silent=True)
    if document is None:
        raise ApiError(400, "invalid_json", "Send the catalogue as JSON or as application/yaml.")
    return document


@bp.put("/v1/catalogue")
@require("admin")
def put_catalogue():
    """Validate, plan and (unless ?dry_run=1) apply a catalogue for the key's controller."""
    dry_run = request.args.get("dry_run") in ("1", "true", "yes")
    try:
        document = catalogue.validate(_document())
        if document["slug"] != g.controller.slug:
            raise ApiError(403, "forbidden", "An admin key changes only its own controller.")
        plan = catalogue.apply(document, actor=actor(), dry_run=dry_run)
    except catalogue.CatalogueInvalid as error:
        db.session.rollback()
        forbidden = isinstance(error, catalogue.ForbiddenChange)
        return error_response(
            409 if forbidden else 422,
            "forbidden_change" if forbidden else "invalid_catalogue",
            "; ".join(error.problems),
            problems=error.problems,
        )
    if not dry_run:
        db.session.commit()
    return jsonify({"plan": plan.as_json(), "lines": plan.lines()})
