"""Blueprint: the front page, and a way in for people without a link (SPEC §5).

`GET /preferences` asks for the organisation and an email address and mails a fresh
preference link through the queue. The answer and the work of the request are the same
whether or not the address is known (the worker finds out), so nobody learns who is.
"""

from flask import Blueprint, render_template, request
from flask_babel import get_locale
from sqlalchemy import select

from consent.core.database import db
from consent.core.models import Controller
from consent.recipient.forms import WayInForm
from consent.recipient.preferences import fresh_link_limits
from consent.web import mail

bp = Blueprint("way_in", __name__)


def _controllers() -> list[Controller]:
    return list(db.session.scalars(select(Controller).order_by(Controller.name)))


@bp.get("/")
def home():
    """What this is, the way in for people, and the way to the staff console."""
    return render_template("landing.html")


def _form() -> WayInForm:
    form = WayInForm()
    form.controller.choices = [(c.slug, c.name) for c in _controllers()]
    if request.method == "GET" and request.args.get("controller"):
        form.controller.data = request.args["controller"]
    return form


@bp.get("/preferences")
def ask():
    return render_template("preferences/way_in.html", form=_form())


@bp.post("/preferences")
@fresh_link_limits
def send():
    form = _form()
    if not form.validate_on_submit():
        return render_template("preferences/way_in.html", form=form), 422
    controller = db.session.scalar(
        select(Controller).where(Controller.slug == form.controller.data)
    )
    locale = str(get_locale())
    mail.queue_fresh_link(controller, form.email.data, None, locale, None)
    db.session.commit()
    return render_template("preferences/link_sent.html", controller=controller)
