"""Auditor routes under /api/v1 (history, proof), added to the api blueprint."""

from flask import g, jsonify, request

from consent.api import params as read
from consent.api.auth import require
from consent.api.blueprint import bp
from consent.api.params import ApiError
from consent.core import proof
from consent.web import proof_document


@bp.get("/v1/subjects/<public_id>/history")
@require("auditor", "admin")
def history(public_id):
    return jsonify(proof.history(g.controller, read.subject(public_id)))


@bp.get("/v1/subjects/<public_id>/proof")
@require("auditor", "admin")
def proof_bundle(public_id):
    """JSON by default; `format=html` gives the printable page of the same bundle."""
    subject = read.subject(public_id)
    output = request.args.get("format", "json")
    if output not in ("json", "html"):
        raise ApiError(400, "invalid_format", "format is json or html.")
    slug = request.args.get("purpose")
    purpose = read.purpose(slug) if slug else None
    bundle = proof.proof(g.controller, subject, purpose)
    if output == "html":
        g.controller_locale = g.controller.default_locale
        return proof_document.render(g.controller, bundle)
    return jsonify(bundle)
