"""/.well-known/: receipt-verification keys and the Global Privacy Control declaration."""

from flask import Blueprint, jsonify

from consent.core import receipts

bp = Blueprint("wellknown", __name__, url_prefix="/.well-known")


@bp.get("/jwks.json")
def jwks():
    response = jsonify(receipts.jwks())
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/gpc.json")
def gpc():
    """Declares GPC support (Global Privacy Control specification, section 4)."""
    return jsonify({"gpc": True, "lastUpdate": "2026-11-22"})
