"""Blueprint: the preference page, one-click unsubscribe (RFC 8058) and double opt-in links.

Every route opens a signed link, calls one operation of `changes` and commits. GET never
changes anything, except that a browser's Global Privacy Control signal is recorded once.
"""

import hashlib
import json
from datetime import timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    after_this_request,
    current_app,
    g,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, refresh
from flask_wtf.csrf import CSRFError

from consent.core import (
    address_changes,
    catalogue_snapshot,
    changes,
    ledger,
    purposes,
    signed_links,
    subjects,
)
from consent.core.database import db, end_reading, reading_only
from consent.core.export import subject_export
from consent.core.vocabulary import CATEGORIES
from consent.extensions import csrf, limiter
from consent.recipient.forms import (
    AddressForm,
    ButtonForm,
    EraseForm,
    FreshLinkForm,
    PreferencesForm,
)
from consent.web import data_copy, mail, security
from consent.web.errors import error_page
from consent.web.i18n import _

bp = Blueprint("preferences", __name__)
security.protect(bp)

LANGUAGE_NAMES = {"nl": "Nederlands", "nb": "Norsk bokmål", "en": "English"}
FRESH_LINK_LIMIT = "5 per hour;20 per day"
# Per address too, whoever asks: the form must not become a way to flood a mailbox.
FRESH_LINK_ADDRESS_LIMIT = "5 per hour;10 per day"
# A person asking from their page for a link by mail: the same cap, per person.
MAILED_LINK_LIMIT = "5 per hour;10 per day"
RENEWABLE_USES = ("preferences", "unsubscribe", "confirm")
# Sent with the RFC 8058 body by the unsubscribe page's button: a person is reading, and the
# one-click answers with the page (_confirmation) instead of a line for a mailbox provider.
ANSWER_PAGE_FIELD = "answer"
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
    g.controller_timezone = controller.profile.get("timezone") if controller else None
    g.controller_slug = controller.slug if controller else None  # for the request's log line
    refresh()


@bp.before_request
def _no_locale_yet():
    _set_locales()


def _load(link, lock=False, reading=False):
    """The link's controller and person. A page that only reads, and a change read under
    the person's lock, work with the kept catalogue (core/catalogue_snapshot.py)."""
    if reading and reading_only():
        after_this_request(_end_reading)
    kept = reading or lock
    controller, subject = subjects.by_link(
        link.controller, link.subject, lock, with_purposes=not kept
    )
    if kept and controller is not None:
        controller = catalogue_snapshot.kept(controller)
    if subject is None or subject.erased_at is not None:
        _set_locales(link, controller)
        raise GoneLink("gone")
    _set_locales(link, controller, subject)
    return controller, subject


def _end_reading(response):
    end_reading()
    return response


def _open(token: str, use: str, allow_expired=False, lock=False, reading=False):
    """(link, controller, subject, locale) for a live link; raises InvalidLink otherwise.

    An expired link that is still allowed (one-click) comes back with `expired` set on g.
    `lock`: the person is read under the lock the change will take (subjects.by_link).
    `reading`: nothing will be recorded, so it is read outside a transaction.
    Either way the catalogue is the kept copy of the version read with the person."""
    g.link_expired = False
    try:
        link = signed_links.read(token, use)
    except signed_links.ExpiredLink as error:
        if not allow_expired:
            raise
        link, g.link_expired = error.link, True
    controller, subject = _load(link, lock, reading)
    return link, controller, subject, str(get_locale())


def _holder(link, subject) -> changes.Holder:
    """What the link proves: a live link the product mailed to the person's current address
    proves the mailbox; a campaign link, an old one or one for a former address does not."""
    mailed = not g.link_expired and link.proves_mailbox(subject.email_hash)
    return changes.Holder("mailed_link" if mailed else "none", link.made_by)


def _link_to(controller, subject, locale, use="preferences", made_by=None, **fields) -> str:
    """A link for the same person, made by whoever made the link it was opened from."""
    link = signed_links.Link(
        controller.slug, subject.public_id, locale=locale, made_by=made_by, **fields
    )
    return signed_links.url(link, use)


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
    if endpoint_name == "new_address":
        return "address"
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


def _page(token, link, controller, subject, locale, message=None, status=200):
    events = ledger.events_as_read(subject)  # read once for everything the page shows
    states = changes.overview(controller, subject, locale, history=events)
    return render_template(
        "preferences/show.html",
        token=token,
        controller=controller,
        masked_email=mask_email(subject.email),
        groups=grouped(states),
        gpc_recorded=changes.gpc_recorded(events),
        form=PreferencesForm(notice_locale=locale),
        message=message,
        own_choices=changes.own_choices(events),
        first_recorded=changes.first_recorded(subject, events),
        mailbox_proven=_holder(link, subject).proof != "none",
        channel_settings=changes.channel_settings(controller, events),
        country=subject.country,
        authority=controller.authority_for(subject.country),
        regulator=controller.marketing_regulator_for(subject.country),
        mail_link_form=ButtonForm(),
        address_form=AddressForm(),
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
    gpc = request.headers.get("Sec-GPC", "").strip() == "1"  # records an objection (once)
    link, controller, subject, locale = _open(token, "preferences", lock=gpc, reading=not gpc)
    if gpc:
        changes.gpc(controller, subject, locale, _holder(link, subject))
        db.session.commit()
    return _page(token, link, controller, subject, locale)


@bp.post("/preferences/<token>")
def save(token):
    link, controller, subject, locale = _open(token, "preferences", lock=True)
    form = PreferencesForm()
    if not form.validate_on_submit():
        abort(400)
    notice_locale, holder = form.notice_locale.data, _holder(link, subject)
    try:
        if request.form.get("action") == "unsubscribe_all":
            outcome = changes.unsubscribe_all(controller, subject, notice_locale, holder)
        else:
            outcome = changes.save(controller, subject, request.form, notice_locale, holder)
    except changes.StaleNotice:
        db.session.rollback()
        message = _("Some texts have changed since you opened this page. Please check them again.")
        return _page(token, link, controller, subject, locale, message, 409)
    if outcome.waiting is not None:
        mail.queue_confirmation(controller, subject, outcome.waiting, notice_locale)
    db.session.commit()
    return _confirmation(token, link, controller, subject, locale, outcome)


def _confirmation(token, link, controller, subject, locale, outcome, template="saved.html"):
    """The answer to a change. It links to the preference page only while the link it came
    from still grants that page: an old one-click link only ever unsubscribes (SPEC §4)."""
    states = changes.overview(controller, subject, locale, history=outcome.history)
    receipt = outcome.receipt
    made_by = link.made_by
    return render_template(
        f"preferences/{template}",
        token=token,
        controller=controller,
        outcome=outcome,
        masked_email=mask_email(subject.email),
        titles={s.purpose.id: s.notice.title if s.notice else s.purpose.slug for s in states},
        still=[s for s in states if s.reachable],
        receipt_url=receipt
        and _link_to(controller, subject, locale, "receipt", made_by, extra=receipt.id),
        preferences_url=None
        if g.link_expired
        else _link_to(controller, subject, locale, made_by=made_by),
    )


class NeedsMailedLink(Exception):
    """The link proves no mailbox, and what was asked needs one (SPEC §3)."""

    def __init__(self, token, controller, subject):
        super().__init__("needs a mailed link")
        self.token, self.controller, self.subject = token, controller, subject


@bp.errorhandler(NeedsMailedLink)
def offer_mailed_link(error):
    return render_template(
        "preferences/needs_mailed_link.html",
        token=error.token,
        controller=error.controller,
        masked_email=mask_email(error.subject.email),
        form=ButtonForm(),
    ), 403


def _open_mailed(token: str):
    """Like _open, for what needs a link the product mailed to the current address (export,
    erasure, a change of address); otherwise the page that offers one by mail."""
    link, controller, subject, locale = _open(token, "preferences")
    if _holder(link, subject).proof == "none":
        raise NeedsMailedLink(token, controller, subject)
    return link, controller, subject, locale


def _this_person(*_args, **_kwargs) -> str:
    """Rate-limit key of the page's own mailed-link button: the person behind the token."""
    token = (request.view_args or {}).get("token", "")
    try:
        link = signed_links.read(token, "preferences")
    except signed_links.InvalidLink:
        return "mailed-link:invalid"
    return f"mailed-link:{link.controller}:{link.subject}"


@bp.post("/preferences/<token>/mail-link")
@limiter.limit(MAILED_LINK_LIMIT, key_func=_this_person)
def mail_link(token):
    """Mail a fresh preference link to the person's current address, through the queue."""
    link, controller, subject, locale = _open(token, "preferences")
    if not ButtonForm().validate_on_submit():
        abort(400)
    mail.queue_fresh_link(controller, subject.email, link.locale, locale, link.campaign)
    db.session.commit()
    return render_template("preferences/link_sent.html", controller=controller)


@bp.post("/preferences/<token>/address")
@limiter.limit(MAILED_LINK_LIMIT, key_func=_this_person)
def change_address(token):
    """Art. 16: from a link mailed to the current address, ask for a new one; it takes
    effect once confirmed through a link mailed to the new address."""
    link, controller, subject, locale = _open_mailed(token)
    form = AddressForm()
    if not form.validate_on_submit():
        message = _("Please enter a valid email address.")
        return _page(token, link, controller, subject, locale, message, 422)
    change = address_changes.request(subject, form.email.data)
    mail.queue_address_confirmation(controller, subject, change, locale)
    db.session.commit()
    return render_template(
        "preferences/link_sent.html", controller=controller, new_address=mask_email(change.email)
    )


@bp.route("/address/<token>", methods=["GET", "POST"])
def new_address(token):
    """The link mailed to the new address: GET shows the button, POST moves the person."""
    link, controller, subject, locale = _open(token, "address")
    max_age = timedelta(days=current_app.config["LINK_MAX_AGE_DAYS"])
    change = address_changes.pending(link.extra or "", subject, max_age)
    if change is None:
        raise GoneLink("gone")
    form = ButtonForm()
    context = {"token": token, "controller": controller, "form": form}
    if not form.validate_on_submit():
        return render_template(
            "preferences/new_address.html", masked_email=mask_email(change.email), **context
        )
    try:
        address_changes.confirm(change, subject, locale)
    except address_changes.AddressUnavailable:
        db.session.rollback()
        return render_template("preferences/new_address.html", unavailable=True, **context), 409
    db.session.commit()
    return render_template(
        "preferences/new_address.html", done=True, masked_email=mask_email(subject.email), **context
    )


@bp.get("/preferences/<token>/export")
def export(token):
    link, controller, subject, locale = _open_mailed(token)
    data = subject_export(controller, subject)
    if request.args.get("format") == "html":
        return data_copy.render(controller, data, url_for("preferences.export", token=token))
    body = json.dumps(data, indent=2, ensure_ascii=False)
    response = current_app.response_class(body, mimetype="application/json")
    filename = f"personal-data-{controller.slug}.json"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/preferences/<token>/erase", methods=["GET", "POST"])
def erase(token):
    link, controller, subject, locale = _open_mailed(token)
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
    link, controller, subject, locale = _open(
        token, "unsubscribe", allow_expired=True, reading=True
    )
    return render_template(
        "preferences/unsubscribe.html",
        token=token,
        controller=controller,
        purposes=_titles_in_scope(controller, link.purposes, locale),
        channel=link.channel,
        masked_email=mask_email(subject.email),
        answer_field=ANSWER_PAGE_FIELD,
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
    """RFC 8058. A genuine link keeps working after it expires: it can only stop mail.

    Never rate-limited (_one_click_is_never_limited), whatever default limits a deployment
    sets: a mailbox provider posts its users' one-clicks from a few addresses, and an
    unsubscribe refused is mail that keeps coming against the person's wish. Only a genuine
    signed link changes anything."""
    link, controller, subject, locale = _open(token, "unsubscribe", allow_expired=True, lock=True)
    if not _is_one_click_body():
        abort(400)
    outcome = changes.one_click(
        controller, subject, link.purposes, link.channel, locale, _holder(link, subject)
    )
    if request.form.get(ANSWER_PAGE_FIELD) != "page":
        db.session.commit()
        return _one_click_answer(outcome)
    # Rendered inside the transaction that recorded it, from what it already read: the
    # answer costs no transaction of its own. Nothing is sent unless the commit succeeds.
    page = _confirmation(token, link, controller, subject, locale, outcome, "unsubscribed.html")
    db.session.commit()
    return page


@limiter.request_filter
def _one_click_is_never_limited() -> bool:
    """Exempts the one-click from every limit before Flask-Limiter works out which limits
    the view has (`@limiter.exempt` is read only after that, a twentieth of the one-click's
    time in Python)."""
    return request.endpoint == "preferences.one_click"


def _one_click_answer(outcome) -> Response:
    """What a mailbox provider's RFC 8058 POST gets: two lines of plain text in the person's
    language. The provider reads only the status; the answer page (what changed, what
    still comes, the receipt, the page's links) is for a person who pressed our button."""
    if outcome.changes:
        lines = (
            _("You are unsubscribed"),
            _("This took effect immediately. You do not need to do anything else."),
        )
    else:
        lines = (
            _("You were already unsubscribed"),
            _("There was nothing left to stop: nothing has been changed."),
        )
    answer = Response("\n".join(lines) + "\n", mimetype="text/plain")
    answer.headers["Content-Language"] = str(get_locale())
    return answer


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
    outcome = changes.confirm(controller, subject, link.purposes, link.channel, locale)
    db.session.commit()
    return _confirmation(token, link, controller, subject, locale, outcome, "confirmed.html")


def address_asked_for() -> str:
    """The rate-limit key of the address typed into the fresh-link form (hashed: the
    limiter's store keeps no address)."""
    typed = (request.form.get("email") or "").strip().lower()
    return "fresh-link:" + hashlib.sha256(typed.encode()).hexdigest()


def fresh_link_limits(view):
    """The fresh-link limits, shared by every form that mails one (this one and the way in
    without a link): per client, and per address whoever asks."""
    view = limiter.shared_limit(FRESH_LINK_LIMIT, scope="fresh-link")(view)
    return limiter.shared_limit(
        FRESH_LINK_ADDRESS_LIMIT, scope="fresh-link-address", key_func=address_asked_for
    )(view)


@bp.post("/links/renew")
@fresh_link_limits
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
