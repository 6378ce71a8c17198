"""Find people like people do: by the start of an address (a POST, so no address lands in
a URL), with the match count and the people whose records changed last; a person's timeline
in words with the evidence of every assertion, and the printable proof.

Every view of a person is a line of the staff log.
"""

from datetime import datetime

from flask import abort, g, render_template, request
from flask_babel import format_datetime, get_locale

from consent.console.views import bp, login_required
from consent.core import proof, purposes, search, staff_audit, subjects
from consent.core.database import db
from consent.web import proof_document


def _when(value: str | None) -> str:
    return format_datetime(datetime.fromisoformat(value), "medium") if value else ""


@bp.route("/subjects", methods=["GET", "POST"])
@login_required("auditor", "admin")
def subject_timeline():
    """Find one person. The search is a POST, so no address lands in a URL, a server log
    or the browser's history."""
    controller = g.staff.controller
    query = request.form.get("q", "")[:254] if request.method == "POST" else ""
    try:
        matches = search.find(controller, query)
    except search.BadQuery:
        abort(400)
    if matches.only is None:
        status = 404 if query.strip() and not matches.count else 200
        return render_template(
            "console/subjects.html",
            query=query,
            matches=matches,
            recent=search.recent(controller),
            opened=search.opened_by(g.staff),
            history=None,
            when=_when,
        ), status
    return _timeline(controller, matches.only, query)


@bp.get("/subjects/<public_id>")
@login_required("auditor", "admin")
def subject_page(public_id):
    """One person's timeline, opened from a list of matches or of recent people; the public
    id is random, so the URL names nobody."""
    subject = subjects.by_public_id(g.staff.controller, public_id)
    if subject is None:
        abort(404)
    return _timeline(g.staff.controller, subject, "")


def _timeline(controller, subject, query):
    staff_audit.log(g.staff, staff_audit.VIEWED, subject)  # every staff view of a person
    db.session.commit()
    notices = purposes.current_notices(controller, str(get_locale()))
    return render_template(
        "console/subjects.html",
        query=query,
        subject=subject,
        history=proof.history(controller, subject),
        purposes=controller.purposes,
        titles={p.slug: notices[p.id].title for p in controller.purposes if p.id in notices},
        when=_when,
    )


@bp.get("/subjects/<public_id>/proof")
@login_required("auditor", "admin")
def subject_proof(public_id):
    """The printable proof bundle, as the API's HTML format renders it."""
    controller = g.staff.controller
    subject = subjects.by_public_id(controller, public_id)
    if subject is None:
        abort(404)
    purpose = None
    slug = request.args.get("purpose")
    if slug:
        purpose = purposes.purpose_by_slug(controller, slug)
        if purpose is None:
            abort(404)
    staff_audit.log(g.staff, staff_audit.PROOF_VIEWED, subject)
    db.session.commit()
    return proof_document.render(controller, proof.proof(controller, subject, purpose))
