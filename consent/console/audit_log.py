"""The staff audit log in the console: who looked at whom and who changed what, readable
by auditors and exportable as CSV. The export is itself a line of the log."""

from flask import Response, g, render_template, request
from flask_babel import format_datetime

from consent.console import roles
from consent.console.views import bp, login_required
from consent.core import staff_audit
from consent.core.database import db
from consent.web import staff_words

SHOWN = 500


@bp.get("/staff-log")
@login_required(*roles.STAFF_LOG)
def staff_log():
    """The newest lines first (of one person with ?person=); the CSV holds all of them."""
    person = request.args.get("person", "")[:32] or None
    return render_template(
        "console/staff_log.html",
        lines=staff_audit.lines(g.staff.controller, limit=SHOWN, person=person),
        person=person,
        shown=SHOWN,
        actions=staff_words.AUDIT_ACTIONS,
        stamp=lambda moment: format_datetime(moment, "medium"),
        as_json=staff_audit.compact_json,
    )


@bp.get("/staff-log.csv")
@login_required(*roles.STAFF_LOG)
def staff_log_csv():
    controller = g.staff.controller
    person = request.args.get("person", "")[:32] or None
    staff_audit.log(g.staff, staff_audit.LOG_EXPORTED)
    db.session.commit()
    body = staff_audit.as_csv(staff_audit.lines(controller, person=person))
    name = f"staff-log-{controller.slug}{'-' + person if person else ''}.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
