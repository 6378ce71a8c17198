"""Auditor routes under /api/v1 (history, proof), added to the api blueprint."""

from flask import g, jsonify, render_template, request
from flask_babel import refresh

from consent.api.auth import require
from consent.api.blueprint import bp
from consent.core import proof, purposes, subjects
from consent.web.errors import error_response


def _subject(public_id):
    """The subject of the key's controller; another controller's subject is unknown here."""
    return subjects.by_public_id(g.controller, public_id)


def _unknown_subject():
    return error_response(404, "unknown_subject", "No such subject.")


@bp.get("/v1/subjects/<public_id>/history")
@require("auditor", "admin")
def history(public_id):
    subject = _subject(public_id)
    if subject is None:
        return _unknown_subject()
    return jsonify(proof.history(g.controller, subject))


@bp.get("/v1/subjects/<public_id>/proof")
@require("auditor", "admin")
def proof_bundle(public_id):
    """JSON by default; `format=html` gives the printable page of the same bundle."""
    subject = _subject(public_id)
    if subject is None:
        return _unknown_subject()
    output = request.args.get("format", "json")
    if output not in ("json", "html"):
        return error_response(400, "invalid_format", "format is json or html.")
    purpose = None
    slug = request.args.get("purpose")
    if slug:
        purpose = purposes.purpose_by_slug(g.controller, slug)
        if purpose is None:
            return error_response(404, "unknown_purpose", f"No purpose {slug!r}.")
    bundle = proof.proof(g.controller, subject, purpose)
    if output == "html":
        g.controller_locale = g.controller.default_locale
        refresh()
        return render_template("proof/bundle.html", bundle=bundle)
    return jsonify(bundle)
