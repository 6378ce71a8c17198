"""GET /api/v1/purposes: the purposes with their current notice text, for any key."""

from flask import g, jsonify, request
from flask_babel import force_locale

from consent.api import params as read
from consent.api.auth import require
from consent.api.blueprint import bp
from consent.core import purposes
from consent.core.api_keys import ROLES
from consent.web.i18n import _


@bp.get("/v1/purposes", provide_automatic_options=False)
@require(*ROLES)
def list_purposes():
    """Purposes with the current notice text in the asked locale."""
    locale = read.locale(request.args.get("locale")) or g.controller.default_locale
    notices = purposes.current_notices(g.controller, locale)
    answer = []
    for purpose in g.controller.purposes:
        notice = notices.get(purpose.id)
        answer.append(
            {
                "slug": purpose.slug,
                "category": purpose.category,
                "basis": purpose.basis,
                "channels": list(purpose.channels),
                "consent_lifetime": purpose.consent_lifetime,
                "double_opt_in": purpose.double_opt_in,
                "retention": purpose.retention,
                "notice": notice
                and {
                    "version": notice.version,
                    "locale": notice.locale,
                    "title": notice.title,
                    "description": notice.description,
                    "hash": notice.text_hash,
                },
            }
        )
    with force_locale(locale):
        # The consent widget's own words, so its page speaks the notice's language too.
        messages = {
            "gpc": _(
                "Your browser sends a Global Privacy Control signal, "
                "so we do not use your data for this."
            )
        }
    return jsonify({"purposes": answer, "messages": messages})
