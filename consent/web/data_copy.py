"""Art. 15/20: the person's export as a page they can read, beside the JSON file they can
take elsewhere; both from the same export (consent/core/export.py), so they cannot differ."""

from flask import render_template
from flask_babel import get_locale

from consent.core.purposes import current_notices
from consent.web import proof_document


def render(controller, data: dict, json_url: str) -> str:
    notices = current_notices(controller, str(get_locale()))
    return render_template(
        "preferences/export.html",
        controller=controller,
        data=data,
        json_url=json_url,
        titles={p.slug: notices[p.id].title for p in controller.purposes if p.id in notices},
        moment=proof_document.moment,
        reasons=proof_document.REASONS,
        through=proof_document.THROUGH,
    )
