"""The live preview of the catalogue editor: the real preference page rendered with the
draft, in the language asked, for a person with no choices yet. Nothing is saved.

It is the only console page that may be framed, and only by the console's own editor; the
editor in turn may frame nothing but its own origin.
"""

from flask import render_template, request
from flask_babel import get_locale
from wtforms import HiddenField

from consent.console.catalogue import draft_from_form
from consent.console.views import bp, login_required
from consent.core import catalogue
from consent.core.catalogue import drafts
from consent.core.database import db
from consent.core.models import utcnow
from consent.core.vocabulary import CATEGORIES
from consent.web import security
from consent.web.form import Form

PREVIEW, EDITOR = "console.catalogue_preview", "console.catalogue_edit"
FRAMED_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self'; form-action 'none'; frame-ancestors 'self'; base-uri 'none'",
    "X-Frame-Options": "SAMEORIGIN",
}


@bp.after_app_request
def _frame_the_preview(response):
    """After the console's own headers: the preview may be framed by the editor, and the
    editor may frame its own origin (nothing else)."""
    if request.endpoint == PREVIEW:
        response.headers.update(FRAMED_HEADERS)
    elif request.endpoint == EDITOR:
        policy = security.CONTENT_SECURITY_POLICY + "; frame-src 'self'"
        response.headers["Content-Security-Policy"] = policy
    return response


class PreviewForm(Form):
    """What the preference page's form renders: a CSRF token and the notice locale."""

    notice_locale = HiddenField()


@bp.post("/catalogue/preview/<target>")
@login_required("admin")
def catalogue_preview(target):
    """The preference page with the draft, in the language asked (?lang=), for a person
    with no choices yet. Nothing is saved, and the frame's sandbox keeps its forms from posting."""
    draft = draft_from_form(target)
    try:
        document = catalogue.validate(draft)
    except catalogue.CatalogueInvalid as error:
        db.session.rollback()
        return render_template("console/catalogue_preview.html", problems=error.problems)
    locale = str(get_locale())
    controller, states = drafts.preview(document, locale)
    return render_template(
        "preferences/show.html",
        token="preview",
        controller=controller,
        masked_email="a•••@e•••.com",
        groups=_grouped(states),
        gpc_recorded=False,
        form=PreviewForm(notice_locale=locale),
        message=None,
        own_choices=0,
        first_recorded=utcnow(),
        mailbox_proven=False,
        channel_settings=dict.fromkeys(
            sorted({c for p in controller.purposes if not p.retired for c in p.channels}), "on"
        ),
        authority=controller.authority_for(None),
        regulator=controller.marketing_regulator_for(None),
        country=None,
        mail_link_form=PreviewForm(),
        address_form=None,
    )


def _grouped(states):
    order = {category: index for index, category in enumerate(CATEGORIES)}
    groups = {}
    for state in sorted(states, key=lambda s: order.get(s.purpose.category, 99)):
        groups.setdefault(state.purpose.category, []).append(state)
    return list(groups.items())
