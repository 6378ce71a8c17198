"""The catalogue in the console (SPEC §9): an administrator edits the organisation and its
purposes, sees the preference page with the draft in each language, reviews the plan (what
changes, whose consent rests on an older notice) and publishes it as a new version; retires
a purpose; downloads or uploads the file. Auditors may read and download.

A draft lives only in the forms and the plan page. Publishing reads it again, checks that
the catalogue has not moved on since the plan was shown, and applies it in one transaction
that also logs who did it (CatalogueChange), exactly as `catalogue apply` does.
"""

from flask import Response, abort, g, redirect, render_template, request, url_for
from flask_babel import get_locale

from consent.console.views import bp, login_required
from consent.core import catalogue, purposes
from consent.core.catalogue import drafts
from consent.core.database import db
from consent.core.models import CatalogueChange
from consent.core.vocabulary import BASES, CATEGORIES, CHANNELS
from consent.web import labels, staff_words
from consent.web.i18n import _, _l

# The plan in words: what a changed key of the organisation or setting of a purpose is.
IDENTITY_WORDS = {
    "name": _l("Legal name"),
    "contact": _l("Privacy contact"),
    "policy": _l("Privacy statement"),
    "branding": _l("Branding"),
}
SETTING_WORDS = {
    "channels": _l("Channels"),
    "consent_lifetime": _l("Consent lifetime"),
    "double_opt_in": _l("Confirmation by email (double opt-in)"),
    "marketing_related": _l("Serves direct marketing"),
    "similar_products": _l("Markets our own similar products"),
    "demo_addition": _l("Demo addition"),
}

NOTICE_WORDS = {
    "title": _l("Title"),
    "description": _l("Description"),
    "lifetime": _l("How long your consent lasts"),
    "retention": _l("How long we keep the data"),
    "recipients": _l("Who receives it"),
    "transfers": _l("Transfers outside the EEA"),
    "source": _l("Where the data comes from"),
}


@bp.app_template_filter("plan_value")
def plan_value(value) -> str:
    """A setting's old or new value in a plan, in words."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(str(labels.CHANNELS.get(c, c)) for c in value) or "–"
    return str(value) if value not in (None, "") else "–"


# What is wrong with a draft or a file, in the reader's language, where a page lists it.
bp.app_template_filter("catalogue_problem")(staff_words.catalogue_problem)


def _current():
    return drafts.current(g.staff.controller)


@bp.get("/catalogue")
@login_required("auditor", "admin")
def catalogue_page():
    controller = g.staff.controller
    notices = purposes.current_notices(controller, str(get_locale()))
    return render_template(
        "console/catalogue.html",
        controller=controller,
        document=_current(),
        titles={p.slug: notices[p.id].title for p in controller.purposes if p.id in notices},
        versions={p.slug: purposes.latest_version(p) for p in controller.purposes},
        changes=db.session.scalars(
            db.select(CatalogueChange)
            .where(CatalogueChange.controller_id == controller.id)
            .order_by(CatalogueChange.id.desc())
            .limit(10)
        ).all(),
        message=request.args.get("published") and _("Published as a new version."),
    )


@bp.get("/catalogue.yaml")
@login_required("auditor", "admin")
def catalogue_file():
    slug = g.staff.controller.slug
    response = Response(catalogue.dump(_current()), mimetype="application/yaml")
    response.headers["Content-Disposition"] = f'attachment; filename="{slug}.yaml"'
    return response


def _purpose_values(form, locales) -> dict:
    return {
        "category": form.get("category", ""),
        "basis": form.get("basis", ""),
        "channels": [c for c in CHANNELS if form.get(f"channel-{c}")],
        "consent_lifetime": form.get("consent_lifetime", "").strip(),
        **{name: bool(form.get(name)) for name in drafts.SETTINGS},
        "notice": {
            locale: {
                key: form.get(f"notice-{locale}-{key}", "").strip() for key in drafts.NOTICE_FIELDS
            }
            for locale in locales
        },
    }


def _identity_values(form) -> dict:
    keys = ("name", "contact", "policy_url", "policy_version", "display_name", "color")
    return {key: form.get(key, "").strip() for key in keys}


def draft_from_form(target: str) -> dict:
    """The draft the editor's fields describe: the organisation or one purpose changed."""
    document = _current()
    if target == "organisation":
        return drafts.with_identity(document, _identity_values(request.form))
    if target != "new" and not any(p["slug"] == target for p in document["purposes"]):
        abort(404)  # a new purpose comes only through the "new" editor
    slug = request.form.get("slug", "").strip() if target == "new" else target
    return drafts.with_purpose(document, slug, _purpose_values(request.form, document["locales"]))


def _editor(target: str, draft=None, problems=None, status=200):
    document = draft or _current()
    purpose = next((p for p in document["purposes"] if p["slug"] == target), None)
    if target not in ("organisation", "new") and purpose is None:
        abort(404)
    return render_template(
        "console/catalogue_edit.html",
        target=target,
        document=document,
        purpose=purpose,
        categories=CATEGORIES,
        bases=BASES,
        channels=CHANNELS,
        settings=drafts.SETTINGS,
        fields=drafts.NOTICE_FIELDS,
        setting_words=SETTING_WORDS,
        notice_words=NOTICE_WORDS,
        problems=problems,
    ), status


def _plan_page(draft: dict, base: str, status=200):
    """Validate and plan a draft; the plan page carries the draft on to Publish."""
    try:
        document = catalogue.validate(draft)
        if document["slug"] != g.staff.controller.slug:
            own = g.staff.controller.slug
            wrong = catalogue.Problem("slug", "another_controller", slug=document["slug"], own=own)
            raise catalogue.CatalogueInvalid([wrong])
        plan = catalogue.plan(document)
    except catalogue.CatalogueInvalid as error:
        db.session.rollback()
        return None, error.problems
    return render_template(
        "console/catalogue_plan.html",
        plan=plan,
        text=catalogue.dump(document),
        base=base,
        titles=_titles(document),
        identity_words=IDENTITY_WORDS,
        setting_words=SETTING_WORDS,
    ), status


def _titles(document) -> dict:
    locale = str(get_locale())
    default = document["default_locale"]
    return {
        p["slug"]: (p["notice"].get(locale) or p["notice"][default])["title"]
        for p in document["purposes"]
    }


@bp.route("/catalogue/edit/<target>", methods=["GET", "POST"])
@login_required("admin")
def catalogue_edit(target):
    """The editor of the organisation (`organisation`), a new purpose (`new`) or one
    purpose; its Review button shows the plan, nothing is written before Publish."""
    if request.method == "GET":
        return _editor(target)
    base = drafts.fingerprint(_current())
    draft = draft_from_form(target)
    page, problems = _plan_page(draft, base)
    if page is None:
        return _editor(target, draft, problems, status=422)
    return page


@bp.post("/catalogue/retire/<slug>")
@login_required("admin")
def catalogue_retire(slug):
    document = _current()
    if not any(p["slug"] == slug for p in document["purposes"]):
        abort(404)
    page, problems = _plan_page(drafts.retire(document, slug), drafts.fingerprint(document))
    if page is None:
        return _editor(slug, problems=problems, status=409)
    return page


@bp.post("/catalogue/upload")
@login_required("admin")
def catalogue_upload():
    upload = request.files.get("file")
    raw = upload.read() if upload else b""
    try:
        text = raw.decode("utf-8")
        draft = catalogue.load(text)
    except UnicodeDecodeError:
        return _upload_refused([_("The file is not UTF-8 text.")])
    except catalogue.CatalogueInvalid as error:
        return _upload_refused(error.problems)
    page, problems = _plan_page(draft, drafts.fingerprint(_current()))
    return page if page is not None else _upload_refused(problems)


def _upload_refused(problems):
    return render_template("console/catalogue_refused.html", problems=problems), 422


@bp.post("/catalogue/publish")
@login_required("admin")
def catalogue_publish():
    """Apply the reviewed draft, unless the catalogue changed since its plan was shown."""
    if request.form.get("base") != drafts.fingerprint(_current()):
        message = _("The catalogue changed since this plan was made. Nothing was published.")
        return render_template("console/catalogue_refused.html", problems=[], message=message), 409
    try:
        document = catalogue.read(request.form.get("document", ""))
        if document["slug"] != g.staff.controller.slug:
            abort(400)
        catalogue.apply(document, actor=g.staff.email)
    except catalogue.CatalogueInvalid as error:
        db.session.rollback()
        return _upload_refused(error.problems)
    db.session.commit()
    return redirect(url_for("console.catalogue_page", published=1, lang=str(get_locale())))
