"""Blueprint: the preference page, one-click unsubscribe (RFC 8058) and double opt-in links.

Every route opens a signed link, calls one operation of `changes` and commits. GET never
changes anything, except that a browser's Global Privacy Control signal is recorded once.
"""

import hashlib
import json

from flask import Blueprint, abort, current_app, g, render_template, request
from flask_babel import get_locale, refresh
from flask_wtf.csrf import CSRFError

from consent.core import changes, purposes, signed_links, subjects
from consent.core.database import db
from consent.core.export import subject_export
from consent.core.vocabulary import CATEGORIES
from consent.extensions import csrf, limiter
from consent.recipient.forms import ButtonForm, EraseForm, FreshLinkForm, PreferencesForm
from consent.web import mail, security
from consent.web.errors import error_page
from consent.web.i18n import _

bp = Blueprint("preferences", __name__)
security.protect(bp)

LANGUAGE_NAMES = {"nl": "Nederlands", "nb": "Norsk bokmål", "en": "English"}
FRESH_LINK_LIMIT = "5 per hour;20 per day"
# Per address too, whoever asks: the form must not become a way to flood a mailbox.
FRESH_LINK_ADDRESS_LIMIT = "5 per hour;10 per day"
RENEWABLE_USES = ("preferences", "unsubscribe", "confirm")
CATEGORY_ORDER = {category: index for index, category in enumerate(CATEGORIES)}


class GoneLink(signed_links.InvalidLink):
    """A genuine link whose controller or person no longer exists (erased, removed)."""


@bp.app_context_processor
def _language_names():
    return {"language_names": LANGUAGE_NAMES}


def _set_locales(link=None, controller=None, subject=None) -> None:
    """Feed i18n.select_locale; refresh() drops a locale Babel may have chosen already."""
    g.link_locale = link.locale if link else None
    g.subject_locale = subject.locale if subject else None
    g.controller_locale = controller.default_locale if controller else None
    refresh()


@bp.before_request
def _no_locale_yet():
    _set_locales()


def _load(link):
    controller = purposes.controller_by_slug(link.controller)
    subject = controller and subjects.by_public_id(controller, link.subject)
    if subject is None or subject.erased_at is not None:
        _set_locales(link, controller)
        raise GoneLink("gone")
    _set_locales(link, controller, subject)
    return controller, subject


def _open(token: str, use: str, allow_expired: bool = False):
    """(link, controller, subject, locale) for a live link; raises InvalidLink otherwise."""
    try:
        link = signed_links.read(token, use)
    except signed_links.ExpiredLink as error:
        if not allow_expired:
            raise
        link = error.link
    controller, subject = _load(link)
    return link, controller, subject, str(get_locale())


def _link_to(controller, subject, locale, use="preferences", **fields) -> str:
    return signed_links.url(
        signed_links.Link(controller.slug, subject.public_id, locale=locale, **fields), use
    )


@bp.errorhandler(signed_links.InvalidLink)
def bad_link(error):
    db.session.rollback()
    if isinstance(error, signed_links.ExpiredLink):
        _set_locales(error.link, purposes.controller_by_slug(error.link.controller))
        endpoint = (request.endpoint or "").rpartition(".")[2]
        form = FreshLinkForm(token=(request.view_args or {}).get("token"), use=_use_of(endpoint))
        return render_template("preferences/expired.html", form=form), 410
    if isinstance(error, GoneLink):
        title = _("This link no longer works")
        message = _("There is nothing more we hold for this link. No further changes are needed.")
    else:
        title = _("This link is not valid")
        message = _(
            "The link may have been changed or cut off. "
            "Please use the link from your email exactly as it was sent."
        )
    return error_page(400, title, message)


def _use_of(endpoint_name: str) -> str:
    if endpoint_name in ("unsubscribe_page", "one_click"):
        return "unsubscribe"
    return "confirm" if endpoint_name.startswith("confirm") else "preferences"


@bp.errorhandler(CSRFError)
def form_expired(error):
    _set_locales()
    token = (request.view_args or {}).get("token")
    if token:
        try:
            _set_locales(signed_links.read(token, _use_of(request.endpoint.rpartition(".")[2])))
        except signed_links.InvalidLink:
            pass
    title = _("This form has expired")
    message = _("Nothing was changed. Please open the page again from your email and try again.")
    return error_page(400, title, message)


def _page(token, controller, subject, locale, message=None, status=200):
    states = changes.overview(controller, subject, locale)
    return render_template(
        "preferences/show.html",
        token=token,
        controller=controller,
        masked_email=mask_email(subject.email),
        groups=grouped(states),
        gpc_recorded=changes.gpc_recorded(subject),
        form=PreferencesForm(notice_locale=locale),
        message=message,
        event_count=subject.event_count,
        member_since=subject.created_at,
    ), status


def grouped(states):
    """Purposes under their category, in the vocabulary's order of categories."""
    groups = {}
    for state in sorted(states, key=lambda s: CATEGORY_ORDER.get(s.purpose.category, 99)):
        groups.setdefault(state.purpose.category, []).append(state)
    return list(groups.items())


def mask_email(email: str | None) -> str:
    """anna@example.nl → a•••@e•••.nl: enough to recognise, not enough to harvest."""
    local, _sep, domain = (email or "").rpartition("@")
    if not local:
        return "•••"
    name, dot, tld = domain.rpartition(".")
    return f"{local[0]}•••@{(name or domain)[:1]}•••{dot}{tld if dot else ''}"


@bp.get("/preferences/<token>")
def show(token):
    link, controller, subject, locale = _open(token, "preferences")
    if request.headers.get("Sec-GPC", "").strip() == "1":
        changes.gpc(controller, subject, locale)
        db.session.commit()
    return _page(token, controller, subject, locale)


@bp.post("/preferences/<token>")
def save(token):
    link, controller, subject, locale = _open(token, "preferences")
    form = PreferencesForm()
    if not form.validate_on_submit():
        abort(400)
    notice_locale = form.notice_locale.data
    try:
        if request.form.get("action") == "unsubscribe_all":
            outcome = changes.unsubscribe_all(controller, subject, notice_locale)
        else:
            outcome = changes.save(controller, subject, request.form, notice_locale)
    except changes.StaleNotice:
        db.session.rollback()
        message = _("Some texts have changed since you opened this page. Please check them again.")
        return _page(token, controller, subject, locale, message, 409)
    db.session.commit()
    return _confirmation(token, controller, subject, locale, outcome)


def _confirmation(token, controller, subject, locale, outcome, template="saved.html"):
    states = changes.overview(controller, subject, locale)
    receipt = outcome.receipt
    return render_template(
        f"preferences/{template}",
        token=token,
        controller=controller,
        outcome=outcome,
        titles={s.purpose.id: s.notice.title if s.notice else s.purpose.slug for s in states},
        still=[s for s in states if s.reachable],
        receipt_url=receipt and _link_to(controller, subject, locale, "receipt", extra=receipt.id),
        preferences_url=_link_to(controller, subject, locale),
    )


@bp.get("/preferences/<token>/export")
def export(token):
    link, controller, subject, locale = _open(token, "preferences")
    body = json.dumps(subject_export(controller, subject), indent=2, ensure_ascii=False)
    response = current_app.response_class(body, mimetype="application/json")
    filename = f"personal-data-{controller.slug}.json"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/preferences/<token>/erase", methods=["GET", "POST"])
def erase(token):
    link, controller, subject, locale = _open(token, "preferences")
    form = EraseForm()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template(
            "preferences/erase.html", token=token, controller=controller, form=form
        ), status
    receipt = changes.erase(subject, locale)
    db.session.commit()
    return render_template("preferences/erased.html", controller=controller, receipt=receipt)


@bp.get("/unsubscribe/<token>")
def unsubscribe_page(token):
    """Mail scanners and prefetchers follow GETs: this page only offers the button."""
    link, controller, subject, locale = _open(token, "unsubscribe", allow_expired=True)
    return render_template(
        "preferences/unsubscribe.html",
        token=token,
        controller=controller,
        purposes=_titles_in_scope(controller, link.purposes, locale),
        channel=link.channel,
        masked_email=mask_email(subject.email),
    )


def _titles_in_scope(controller, slugs, locale):
    if slugs is None:
        return None
    notices = purposes.current_notices(controller, locale)
    return [
        notices[p.id].title if p.id in notices else p.slug
        for p in controller.purposes
        if p.slug in slugs
    ]


@bp.post("/unsubscribe/<token>")
@csrf.exempt
def one_click(token):
    """RFC 8058. A genuine link keeps working after it expires: it can only stop mail."""
    link, controller, subject, locale = _open(token, "unsubscribe", allow_expired=True)
    if not _is_one_click_body():
        abort(400)
    outcome = changes.one_click(controller, subject, link.purposes, link.channel, locale)
    db.session.commit()
    response = _confirmation(token, controller, subject, locale, outcome, "unsubscribed.html")
    return response, 200


def _is_one_click_body() -> bool:
    """RFC 8058 names two form encodings; a bare body without a content type is accepted too."""
    if request.form.get("List-Unsubscribe") == "One-Click":
        return True
    return request.get_data(as_text=True).strip() == signed_links.ONE_CLICK_BODY


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm(token):
    """Double opt-in: GET shows the button, POST records the confirmation."""
    link, controller, subject, locale = _open(token, "confirm")
    form = ButtonForm()
    if not form.validate_on_submit():
        return render_template(
            "preferences/confirm.html", token=token, controller=controller, form=form
        )
    outcome = changes.confirm(controller, subject, link.purposes, locale)
    db.session.commit()
    return _confirmation(token, controller, subject, locale, outcome, "confirmed.html")


def _address_asked_for() -> str:
    """The rate-limit key of the address typed into the fresh-link form (hashed: the
    limiter's store keeps no address)."""
    typed = (request.form.get("email") or "").strip().lower()
    return "fresh-link:" + hashlib.sha256(typed.encode()).hexdigest()


@bp.post("/links/renew")
@limiter.limit(FRESH_LINK_LIMIT)
@limiter.limit(FRESH_LINK_ADDRESS_LIMIT, key_func=_address_asked_for)
def renew():
    """Email a fresh link; the answer is the same whether or not the address is known."""
    form = FreshLinkForm()
    use = form.use.data if form.use.data in RENEWABLE_USES else "preferences"
    try:
        link = signed_links.read(form.token.data or "", use)
    except signed_links.ExpiredLink as error:
        link = error.link
    controller = purposes.controller_by_slug(link.controller)
    _set_locales(link, controller)
    if controller is None:
        raise GoneLink("gone")
    if not form.validate_on_submit():
        return render_template("preferences/expired.html", form=form), 422
    mail.queue_fresh_link(
        controller, form.email.data, link.locale, str(get_locale()), link.campaign
    )
    db.session.commit()
    return render_template("preferences/link_sent.html", controller=controller)
