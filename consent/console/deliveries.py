"""Console: the controller's webhook deliveries, and sending one again (admins only).

A delivery that failed for good (a receiver that was down for hours, a secret set too
late) is sent again from here with the same `webhook-id`, so a receiver that already has
it drops the copy. The list names people by their public id only: no address on screen.
"""

from flask import abort, current_app, g, redirect, render_template, request, url_for

from consent.console.views import bp, login_required
from consent.core import outbox, webhooks
from consent.core.database import db
from consent.web.i18n import _l

STATES = {
    outbox.PENDING: _l("Waiting"),
    outbox.DELIVERED: _l("Delivered"),
    outbox.DEAD: _l("Failed"),
}


@bp.get("/deliveries")
@login_required("admin")
def deliveries():
    """The latest deliveries, or those of one state (`?state=dead` for the failed ones)."""
    state = request.args.get("state")
    state = state if state in STATES else None
    rows = webhooks.deliveries(g.staff.controller, state)
    return render_template(
        "console/deliveries.html",
        rows=rows,
        state=state,
        states=STATES,
        endpoints=g.staff.controller.profile.get("webhooks") or [],
        replayed=request.args.get("replayed", type=int),
    )


@bp.post("/deliveries/<int:message_id>/replay")
@login_required("admin")
def replay_delivery(message_id):
    """Make one delivery due again; the worker sends it (never this request)."""
    message = webhooks.replay(g.staff.controller, message_id)
    if message is None:
        abort(404)
    db.session.commit()
    current_app.logger.info(
        "console replay: staff user %s made webhook delivery %s due again", g.staff.id, message.id
    )
    return redirect(
        url_for("console.deliveries", lang=request.args.get("lang"), replayed=message.id)
    )
