"""GET /api/v1/suppression: the do-not-mail list, for a mail service that keeps its own."""

from flask import Response, g, request, stream_with_context

from consent.api import params as read
from consent.api.auth import require
from consent.api.blueprint import bp
from consent.api.params import ApiError
from consent.core import do_not_mail


@bp.get("/v1/suppression")
@require("marketer", "admin")
def suppression():
    """People who said no for a purpose (or any purpose) on a channel, streamed as NDJSON
    or CSV; erased people are not listed (their erasure went out by webhook)."""
    slug = read.text(request.args, "purpose")
    purpose = read.purpose(slug) if slug else None
    channel = read.channel(request.args.get("channel"))
    if purpose is not None and channel not in purpose.channels:
        offered = ", ".join(purpose.channels) or "no channel"
        raise ApiError(
            422, "unknown_channel", f"{purpose.slug} is offered by {offered}, not {channel}."
        )
    fmt = request.args.get("format", "ndjson")
    if fmt not in ("ndjson", "csv"):
        raise ApiError(400, "invalid_format", "format must be ndjson or csv.")
    rows = do_not_mail.rows(g.controller, purpose, channel)
    body = do_not_mail.csv_lines(rows) if fmt == "csv" else do_not_mail.ndjson_lines(rows)
    mimetype = "text/csv" if fmt == "csv" else "application/x-ndjson"
    return Response(stream_with_context(body), mimetype=mimetype)
