"""POST /api/v1/links: signed preference and one-click links for a campaign."""

from flask import g, jsonify

from consent.api import params as read
from consent.api.auth import require
from consent.api.blueprint import actor, bp
from consent.api.params import ApiError
from consent.core import campaign_links


@bp.post("/v1/links")
@require("marketer", "admin")
def links():
    """Signed preference and one-click links, with RFC 8058 headers, for a campaign."""
    data = read.body()
    refs = read.items(data, "subjects")
    if not all(isinstance(ref, str) and ref.strip() for ref in refs):
        raise ApiError(400, "invalid_parameter", "subjects must be ids or email addresses.")
    slugs = read.items(data, "purposes", required=False)
    scope = [read.purpose(slug if isinstance(slug, str) else None) for slug in slugs or []]
    channel = read.channel(read.text(data, "channel"))
    try:
        rows = list(
            campaign_links.link_rows(
                g.controller,
                refs,
                scope if slugs else None,
                channel,
                read.text(data, "campaign"),
                read.locale(data.get("locale")),
                made_by=actor(),
            )
        )
    except ValueError as error:
        raise ApiError(422, "invalid_campaign", str(error)) from None
    return jsonify(
        {
            "links": [row for status, _ref, row in rows if status == "ok"],
            "unknown": [ref for status, ref, _row in rows if status == "unknown"],
        }
    )
