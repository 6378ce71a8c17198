"""GET /api/v1/reachable and POST /api/v1/reachable/check: who may be contacted."""

from flask import Response, g, jsonify, request, stream_with_context

from consent.api import params as read
from consent.api.auth import require
from consent.api.blueprint import bp
from consent.api.params import ApiError
from consent.core import reachability
from consent.core.models import utcnow


@bp.get("/v1/reachable")
@require("marketer", "admin")
def reachable():
    """Who may be contacted: a streamed NDJSON or CSV list, or {"count": n}."""
    purpose = read.purpose(read.text(request.args, "purpose", required=True))
    channel = read.channel_of(purpose, request.args.get("channel"), offered_only=True)
    at = read.instant(request.args.get("at"))
    fmt = request.args.get("format", "ndjson")
    if fmt not in ("ndjson", "csv"):
        raise ApiError(400, "invalid_format", "format must be ndjson or csv.")
    version = read.positive_int(request.args.get("min_notice_version"), "min_notice_version")
    if request.args.get("count") in ("1", "true", "yes"):
        return jsonify({"count": reachability.count(purpose, channel, at, version)})
    body = reachability.lines(purpose, channel, at, version, fmt)
    mimetype = "text/csv" if fmt == "csv" else "application/x-ndjson"
    response = Response(stream_with_context(body), mimetype=mimetype)
    response.headers["X-Reachable-At"] = (at or utcnow()).isoformat()
    return response


@bp.post("/v1/reachable/check")
@require("marketer", "admin")
def check():
    """Which of these addresses may be mailed for the purpose, and why not."""
    data = read.body()
    purpose = read.purpose(read.text(data, "purpose", required=True))
    channel = read.channel_of(purpose, read.text(data, "channel"))
    emails = read.items(data, "emails")
    if not all(isinstance(email, str) for email in emails):
        raise ApiError(400, "invalid_parameter", "emails must be strings.")
    at = read.instant(read.text(data, "at"))
    return jsonify({"results": reachability.check(g.controller, purpose, channel, emails, at)})
