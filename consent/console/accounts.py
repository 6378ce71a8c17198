"""Accounts: the organisation chooser after a sign-in that opens several roles, and the
admin's page of the controller's staff (disable a role, set a new password).

Routes join the console blueprint. An admin acts on the roles of their own controller
only; a password shared with a role at another controller is not theirs to change.
"""

from flask import abort, current_app, g, redirect, render_template, request, session, url_for
from flask_babel import format_datetime, get_locale
from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from consent.console.views import (
    CHOICES_KEY,
    SEEN_KEY,
    begin_session,
    bp,
    login_required,
)
from consent.core import staff_audit, staff_users
from consent.core.database import db
from consent.core.models import StaffUser, utcnow
from consent.web.form import Form
from consent.web.i18n import _, _l, ngettext


class PasswordForm(Form):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=staff_users.MIN_PASSWORD_LENGTH, max=1024)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("The new password again"),
        validators=[DataRequired(), EqualTo("password")],
        render_kw={"autocomplete": "new-password"},
    )


@bp.context_processor
def _staff_roles():
    """The signed-in person's roles, for the menu's switch between organisations."""
    staff = g.get("staff")
    return {"staff_roles": staff_users.roles_of(staff) if staff is not None else []}


def _pending_roles() -> list[StaffUser]:
    """The roles a password opened a moment ago, still active and not signed out since."""
    choices = session.get(CHOICES_KEY)
    seen = session.get(SEEN_KEY)
    idle = current_app.config["CONSOLE_IDLE_MINUTES"] * 60
    if not isinstance(choices, dict) or not isinstance(seen, int | float):
        return []
    if utcnow().timestamp() - seen > idle:
        return []
    roles = [staff_users.active(int(key), gen) for key, gen in choices.items() if key.isdigit()]
    return sorted(
        (r for r in roles if r is not None), key=lambda r: (r.controller.name.lower(), r.id)
    )


def _choices() -> list[StaffUser]:
    if g.staff is not None:
        return staff_users.roles_of(g.staff)
    return _pending_roles()


@bp.route("/choose", methods=["GET", "POST"])
def choose():
    """Which organisation to work for: after signing in with roles at several, and from the
    menu to switch. Only roles the password opened are offered."""
    roles = _choices()
    if not roles:
        return redirect(url_for("console.login", lang=str(get_locale())))
    if request.method == "POST":
        wanted = request.form.get("role", "")
        chosen = next((r for r in roles if str(r.id) == wanted), None)
        if chosen is None:
            abort(400)
        # Each role has its own session: the switch begins a fresh one.
        session.clear()
        g.pop("csrf_token", None)
        begin_session(chosen)
        return redirect(url_for("console.dashboard", lang=str(get_locale())))
    return render_template("console/choose.html", roles=roles, current=g.staff)


def _account(user: StaffUser) -> dict:
    """An account as the staff log shows it before and after a change (never a password)."""
    return {"account": user.email, "role": user.role, "active": user.disabled_at is None}


def _role_or_404(user_id: int) -> StaffUser:
    user = db.session.get(StaffUser, user_id)
    if user is None or user.controller_id != g.staff.controller_id:
        abort(404)
    return user


def _accounts_page(message=None, error=None, form=None, status=200, resetting=None):
    users = staff_users.users_of(g.staff.controller)
    elsewhere = {u.id for u in users if len(staff_users.roles_of(u)) > 1}
    return render_template(
        "console/accounts.html",
        users=users,
        elsewhere=elsewhere,
        form=form or PasswordForm(),
        resetting=resetting,
        message=message,
        error=error,
        when=lambda moment: format_datetime(moment, "medium") if moment else "",
    ), status


@bp.get("/accounts")
@login_required("admin")
def accounts():
    return _accounts_page()


@bp.post("/accounts/<int:user_id>/disable")
@login_required("admin")
def disable_account(user_id):
    """The role stops at once; the person's roles elsewhere do not."""
    user = _role_or_404(user_id)
    if user.id == g.staff.id:
        return _accounts_page(error=_("You cannot disable your own account."), status=409)
    before = _account(user)
    staff_users.disable(user)
    staff_audit.log(g.staff, staff_audit.ACCOUNT_DISABLED, before=before, after=_account(user))
    db.session.commit()
    current_app.logger.info("staff user %s disabled by %s", user.id, g.staff.id)
    return _accounts_page(message=_("%(email)s can no longer sign in here.", email=user.email))


@bp.post("/accounts/<int:user_id>/reset")
@login_required("admin")
def reset_account(user_id):
    """A new password, which the admin hands over; every session of the person ends."""
    user = _role_or_404(user_id)
    form = PasswordForm()
    if len(staff_users.roles_of(user)) > 1:
        error = _(
            "%(email)s also signs in for another organisation, so only they or the "
            "service operator can change their password.",
            email=user.email,
        )
        return _accounts_page(error=error, status=409)
    if not form.validate_on_submit():
        error = ngettext(
            "The two passwords must match and have at least %(num)s character.",
            "The two passwords must match and have at least %(num)s characters.",
            staff_users.MIN_PASSWORD_LENGTH,
        )
        return _accounts_page(error=error, form=form, status=400, resetting=user.id)
    staff_users.reset_password(user, form.password.data)
    account = _account(user)
    staff_audit.log(g.staff, staff_audit.PASSWORD_SET, before=account, after=account)
    db.session.commit()
    current_app.logger.info("staff user %s given a new password by %s", user.id, g.staff.id)
    if user.id == g.staff.id:
        return redirect(url_for("console.login", lang=str(get_locale())))
    return _accounts_page(message=_("%(email)s has a new password.", email=user.email))
