"""Blueprint /console: staff sign-in and the marketer dashboard (people: console/people.py).

Every page reads through the domain modules (reachability, proof, subjects) and is scoped
to the signed-in user's controller; nothing here changes the ledger.
"""

import hashlib
from datetime import UTC, datetime, timedelta
from functools import wraps

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_date, get_locale, refresh
from flask_wtf.csrf import CSRFError
from sqlalchemy import func, literal_column, select
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional

from consent.core import (
    purposes,
    reachability,
    staff_users,
)
from consent.core.database import db, is_postgresql
from consent.core.models import Event, utcnow
from consent.extensions import limiter
from consent.web import security
from consent.web.errors import error_page
from consent.web.form import Form
from consent.web.i18n import _, _l

bp = Blueprint("console", __name__, url_prefix="/console")
security.protect(bp)

SESSION_KEY = "staff_user_id"
GENERATION_KEY = "staff_session_generation"
SEEN_KEY = "staff_seen_at"
# Between the password and the choice of an organisation: {role id: session generation}.
CHOICES_KEY = "staff_choices"
LOGIN_LIMIT = "10 per minute"
# Per account too, whichever addresses the attempts come from (password guessing spread
# over many clients); the key is hashed, so the limiter's store keeps no address.
ACCOUNT_LOGIN_LIMIT = "10 per 15 minutes;30 per day"
MONTHS = 12
# The chart's three series, in drawing order, and the event kinds each one counts.
SERIES = (
    ("given", _l("Consent given"), ("consent_given",)),
    (
        "ended",
        _l("Withdrawn, refused or expired"),
        ("consent_withdrawn", "consent_refused", "consent_expired"),
    ),
    ("objected", _l("Objections"), ("objection_recorded",)),
)
SERIES_OF_KIND = {kind: key for key, _label, kinds in SERIES for kind in kinds}


class LoginForm(Form):
    """One sign-in per person: no organisation to type. A link may still name one
    (`?controller=`), and then only a role there opens."""

    controller = HiddenField(validators=[Optional(), Length(max=64)])
    email = StringField(
        _l("Email address"),
        validators=[DataRequired(), Length(max=254)],
        render_kw={"type": "email", "autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )


def _session_user():
    """The user of this session, unless it was signed out, or idle for too long."""
    seen = session.get(SEEN_KEY)
    idle = timedelta(minutes=current_app.config["CONSOLE_IDLE_MINUTES"])
    if not isinstance(seen, int | float) or utcnow().timestamp() - seen > idle.total_seconds():
        return None
    return staff_users.active(session.get(SESSION_KEY), session.get(GENERATION_KEY))


@bp.before_request
def _load_user():
    g.staff = _session_user()
    if g.staff is not None:
        session[SEEN_KEY] = utcnow().timestamp()
    g.controller_locale = g.staff.controller.default_locale if g.staff else None
    refresh()


@bp.context_processor
def _console_context():
    return {"staff_user": g.get("staff")}


def login_required(*roles):
    """No session: to the sign-in page. A role not in `roles`: 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if g.staff is None:
                return redirect(url_for("console.login", lang=request.args.get("lang")))
            if g.staff.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


@bp.errorhandler(403)
def forbidden(error):
    title = _("Not available for your role")
    message = _("Ask an administrator of your organisation if you need this page.")
    return error_page(403, title, message)


@bp.errorhandler(CSRFError)
def form_expired(error):
    title = _("This form has expired")
    message = _("Nothing was changed. Please reload the page and try again.")
    return error_page(400, title, message)


def _clear_session() -> None:
    """Empty the session, and forget the CSRF token cached for it, which dies with it."""
    session.clear()
    g.pop("csrf_token", None)


def _account_tried() -> str:
    typed = request.form.get("email", "")
    return "login:" + hashlib.sha256(typed.strip().lower().encode()).hexdigest()


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT, methods=["POST"])
@limiter.limit(ACCOUNT_LOGIN_LIMIT, methods=["POST"], key_func=_account_tried)
def login():
    """The same answer for an unknown organisation, unknown address or wrong password."""
    if g.staff is not None and request.method == "GET":
        return redirect(url_for("console.dashboard", lang=request.args.get("lang")))
    form = LoginForm(controller=request.args.get("controller", "")[:64])
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("console/login.html", form=form), status
    roles = staff_users.sign_in(form.email.data, form.password.data, form.controller.data)
    if not roles:
        # No address in the log: the typed one may be anyone's, or a password by mistake.
        current_app.logger.warning("console sign-in refused")
        error = _("The email address or password is not right.")
        return render_template("console/login.html", form=form, error=error), 401
    # A fresh session, so an identifier planted before sign-in is worth nothing after it.
    _clear_session()
    if len(roles) > 1:
        session[CHOICES_KEY] = {str(role.id): role.session_generation for role in roles}
        session[SEEN_KEY] = utcnow().timestamp()
        return redirect(url_for("console.choose", lang=str(get_locale())))
    begin_session(roles[0])
    return redirect(url_for("console.dashboard", lang=str(get_locale())))


def begin_session(user) -> None:
    """Signed in as this role: the session carries its id and generation, nothing more."""
    session.pop(CHOICES_KEY, None)
    session[SESSION_KEY] = user.id
    session[GENERATION_KEY] = user.session_generation
    session[SEEN_KEY] = utcnow().timestamp()
    current_app.logger.info("console sign-in: staff user %s (%s)", user.id, user.role)


@bp.post("/logout")
def logout():
    """A POST with the CSRF token (checked app-wide), so a link elsewhere cannot sign out.
    Signing out ends every session of the user, copies of this cookie included."""
    if g.staff is not None:
        staff_users.end_all_sessions(g.staff)
        db.session.commit()
    _clear_session()
    return redirect(url_for("console.login", lang=str(get_locale())))


def _month_keys(now: datetime) -> list[str]:
    year, month = now.year, now.month
    keys = []
    for _step in range(MONTHS):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return keys[::-1]


def events_per_month(controller, now: datetime) -> dict:
    """{"YYYY-MM": {series: count}} for the last twelve months (UTC), in one GROUP BY."""
    keys = _month_keys(now)
    start = datetime.fromisoformat(f"{keys[0]}-01").replace(tzinfo=UTC)
    if is_postgresql():
        month = func.to_char(func.timezone("UTC", Event.occurred_at), "YYYY-MM")
    else:
        month = func.strftime("%Y-%m", Event.occurred_at)
    query = (
        select(month.label("month"), Event.kind, func.count())
        .where(
            Event.controller_id == controller.id,
            Event.occurred_at >= start,
            Event.kind.in_(SERIES_OF_KIND),
        )
        # By the output name: PostgreSQL would not match two bound copies of the expression.
        .group_by(literal_column("month"), Event.kind)
    )
    counts = {key: dict.fromkeys(SERIES_OF_KIND.values(), 0) for key in keys}
    for key, kind, number in db.session.execute(query):
        if key in counts:
            counts[key][SERIES_OF_KIND[kind]] += number
    return counts


def chart(counts: dict, width: int = 640, height: int = 220) -> dict:
    """Bar geometry for the inline SVG: a group of three bars a month, scaled to the top."""
    top = max([n for month in counts.values() for n in month.values()] + [1])
    plot = height - 30
    slot = width / len(counts)
    bar = (slot - 8) / len(SERIES)
    months, bars = [], []
    for index, (key, values) in enumerate(counts.items()):
        x = index * slot + 4
        months.append({"x": x + slot / 2 - 4, "label": format_date(_month_date(key), "LLL yy")})
        for position, (series, label, _kinds) in enumerate(SERIES):
            size = values[series] / top * plot
            bars.append(
                {
                    "series": series,
                    "label": label,
                    "month": key,
                    "count": values[series],
                    "x": round(x + position * bar, 1),
                    "y": round(plot - size + 5, 1),
                    "width": round(bar - 1, 1),
                    "height": round(size, 1),
                }
            )
    return {"width": width, "height": height, "top": top, "bars": bars, "months": months}


def _month_date(key: str):
    return datetime.fromisoformat(f"{key}-01").date()


@bp.get("/")
@login_required("marketer", "auditor", "admin")
def dashboard():
    controller = g.staff.controller
    reach = [
        {
            "purpose": purpose,
            "channel": channel,
            "count": reachability.count(purpose, channel),
        }
        for purpose in controller.purposes
        if not purpose.retired
        for channel in purpose.channels
    ]
    counts = events_per_month(controller, utcnow())
    notices = purposes.current_notices(controller, str(get_locale()))
    return render_template(
        "console/dashboard.html",
        controller=controller,
        titles={purpose_id: notice.title for purpose_id, notice in notices.items()},
        reach=reach,
        counts=counts,
        month_names={key: format_date(_month_date(key), "LLLL yyyy") for key in counts},
        series=SERIES,
        chart=chart(counts),
    )
