"""POST /api/v1/subjects: create or update people in bulk, with their basis assertions."""

from flask import g, jsonify

from consent.api import params as read
from consent.api.auth import require
from consent.api.blueprint import actor, bp
from consent.core import importer


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
