"""GET /brand/<slug>.css: a controller's accent colour as a stylesheet.

A stylesheet of our own origin, so the Content-Security-Policy can keep `style-src 'self'`
(no inline styles) while each controller's pages wear its colour. The colour is public.
"""

from flask import Blueprint, Response, abort
from sqlalchemy import select

from consent.core.database import db
from consent.core.models import Controller
from consent.web import branding

bp = Blueprint("brand", __name__)


@bp.get("/brand/<slug>.css")
def stylesheet(slug):
    controller = db.session.scalar(select(Controller).where(Controller.slug == slug))
    if controller is None:
        abort(404)
    response = Response(branding.stylesheet(branding.of(controller)), mimetype="text/css")
    # The URL carries the colour (?v=), so a changed colour is a new URL.
    response.headers["Cache-Control"] = "public, max-age=86400"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
