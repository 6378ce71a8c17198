"""POST /api/v1/subjects: create or update people in bulk, with their basis assertions;
POST /api/v1/subjects/lookup: find one person by address or CRM id."""

from flask import g, jsonify

from consent.api import params as read
from consent.api.auth import require
from consent.api.blueprint import actor, bp
from consent.api.params import ApiError
from consent.core import importer, shapes, subjects


@bp.post("/v1/subjects")
@require("admin")
def import_subjects():
    """Create or update up to 10,000 subjects with basis assertions; one transaction."""
    items = read.items(read.body(), "subjects")
    outcomes = importer.run_batch(g.controller, list(enumerate(items)), actor())
    done = [o for o in outcomes if o.error is None]
    return jsonify(
        {
            "subjects": [
                {
                    "index": o.line,
                    "id": o.subject,
                    "email": o.email,
                    "created": o.created,
                    "suppressed": o.suppressed,
                    "events": o.events,
                }
                for o in done
            ],
            "errors": [
                {"index": o.line, "code": o.error.code, "message": str(o.error)}
                for o in outcomes
                if o.error is not None
            ],
        }
    )


@bp.post("/v1/subjects/lookup")
@require("auditor", "admin")
def lookup():
    """Find one person by email address or CRM id, named in the body (never in a URL, where
    server logs and browser histories would keep it), as the CLI's lookups do."""
    data = read.body()
    email, external_id = read.text(data, "email"), read.text(data, "external_id")
    if bool(email) == bool(external_id):
        raise ApiError(400, "invalid_parameter", "Name either email or external_id.")
    found = None
    if email:
        try:
            found = subjects.by_email(g.controller, email)
        except subjects.InvalidEmail:
            raise ApiError(422, "invalid_email", "email is not a valid address.") from None
    else:
        found = subjects.by_external_id(g.controller, external_id)
    if found is None:
        raise ApiError(404, "unknown_subject", "Unknown subject.")
    return jsonify({"subject": shapes.subject_json(found)})
