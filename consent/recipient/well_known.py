"""/.well-known/: verification keys, the published checkpoints and their consistency
proofs, and the Global Privacy Control declaration."""

from flask import Blueprint, jsonify, request

from consent.core import checkpoints, purposes, receipts
from consent.web.errors import error_response

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


def _public(response):
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "no-cache"
    return response


def _whole_number(name: str) -> int | None:
    value = request.args.get(name)
    if value is None:
        return None
    if not value.isdigit():
        raise ValueError(name)
    return int(value)


@bp.get("/consent-checkpoints.json")
def checkpoint_list():
    """SPEC §10: every signed checkpoint, oldest first, for anyone to keep a copy."""
    slug = request.args.get("controller")
    controller = purposes.controller_by_slug(slug) if slug else None
    if slug and controller is None:
        return error_response(404, "unknown_controller", "No such controller.")
    try:
        since = _whole_number("since")
    except ValueError:
        return error_response(400, "invalid_parameter", "since is epoch seconds.")
    return _public(jsonify({"checkpoints": checkpoints.published(controller, since)}))


@bp.get("/consent-checkpoints/consistency")
def checkpoint_consistency():
    """The consistency path between two published tree sizes of one controller."""
    controller = purposes.controller_by_slug(request.args.get("controller") or "")
    if controller is None:
        return error_response(404, "unknown_controller", "No such controller.")
    try:
        old, new = _whole_number("from"), _whole_number("to")
    except ValueError:
        return error_response(400, "invalid_parameter", "from and to are tree sizes.")
    if old is None or new is None:
        return error_response(400, "missing_parameter", "from and to are required.")
    try:
        path = checkpoints.consistency(controller, old, new)
    except checkpoints.CheckpointError as error:
        return error_response(404, "unknown_tree_size", str(error))
    return _public(jsonify({"from": old, "to": new, "path": path}))
