"""Staff users of the console: create, check a password, disable.

A person signs in once, with their email address and password; each row is one role of
that person at one controller. The rows of one person share the password (its hash is
copied when a second role is added), so one sign-in opens every role, and a person with
roles at two controllers picks one after signing in. A row whose hash differs (made before
roles shared a password) is simply not offered: only what the password proves opens.
"""

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from consent.core.database import db
from consent.core.models import StaffUser, utcnow
from consent.core.subjects import InvalidEmail, normalise_email

ROLES = ("marketer", "auditor", "admin")
MIN_PASSWORD_LENGTH = 12
# Checked when no such user exists, so a wrong email costs as long as a wrong password and
# the answer time does not tell which addresses have an account. A hash of a random password
# nobody kept, made with generate_password_hash's defaults (a test holds it to them): made
# at import, it cost every process 0.1 s of scrypt before its first line of work.
_DUMMY_HASH = (
    "scrypt:32768:8:1$xEAWYm0HCY6dxqoe$fa5e58e50affdf54d06d5dd6a33f45023e0e85ddfbdc407428dfece8"
    "e3fb72430d1da8937834c7c24a3cce94f0621375f6dde61694cd925b5605ad648ae38854"
)


class StaffError(ValueError):
    """A user that cannot be created as asked; the message says why."""


def by_email(controller, email: str) -> StaffUser | None:
    try:
        address = normalise_email(email)
    except InvalidEmail:
        return None
    return db.session.scalar(
        select(StaffUser).where(
            StaffUser.controller_id == controller.id, StaffUser.email == address
        )
    )


def active(user_id, generation) -> StaffUser | None:
    """The signed-in user of a session, unless removed, disabled or signed out since."""
    user = db.session.get(StaffUser, user_id) if isinstance(user_id, int) else None
    if user is None or user.disabled_at is not None or user.session_generation != generation:
        return None
    return user


def end_sessions(user: StaffUser) -> None:
    """Sign the user out everywhere: every session of an earlier generation stops working."""
    user.session_generation += 1


def _people_rows(email: str) -> list[StaffUser]:
    """Every active role of the person with this address, at any controller."""
    try:
        address = normalise_email(email)
    except InvalidEmail:
        return []
    return list(
        db.session.scalars(
            select(StaffUser)
            .where(StaffUser.email == address, StaffUser.disabled_at.is_(None))
            .order_by(StaffUser.id)
        )
    )


def signs_in_elsewhere(email: str) -> bool:
    """Whether the person already has an active role, and so a password."""
    return bool(_people_rows(email))


def roles_of(user: StaffUser) -> list[StaffUser]:
    """The active roles the user's password opens, theirs included, by organisation."""
    rows = [r for r in _people_rows(user.email) if r.password_hash == user.password_hash]
    return sorted(rows, key=lambda r: (r.controller.name.lower(), r.id))


def create(controller, email: str, role: str, password: str | None = None) -> StaffUser:
    """Add a role; the caller commits. A person who already signs in elsewhere keeps the
    password they have (pass none); anyone else needs one."""
    if role not in ROLES:
        raise StaffError(f"role must be one of {', '.join(ROLES)}")
    try:
        address = normalise_email(email)
    except InvalidEmail as error:
        raise StaffError("not a valid email address") from error
    if by_email(controller, address) is not None:
        raise StaffError(f"{address} already has an account at {controller.slug}")
    existing = _people_rows(address)
    if existing:
        password_hash = existing[-1].password_hash
    else:
        _check_password(password)
        password_hash = generate_password_hash(password)
    user = StaffUser(
        controller_id=controller.id, email=address, role=role, password_hash=password_hash
    )
    db.session.add(user)
    db.session.flush()
    return user


def sign_in(email: str, password: str, controller_slug: str | None = None) -> list[StaffUser]:
    """The active roles this email and password open (at one controller when it is named),
    or []. Unknown addresses cost a hash check too, so timing tells nobody who has one."""
    rows = _people_rows(email or "")
    if controller_slug:
        rows = [r for r in rows if r.controller.slug == controller_slug]
    if not rows:
        check_password_hash(_DUMMY_HASH, password or "")
        return []
    opened, checked = [], {}
    for row in rows:
        if row.password_hash not in checked:
            checked[row.password_hash] = check_password_hash(row.password_hash, password or "")
        if checked[row.password_hash]:
            opened.append(row)
    return sorted(opened, key=lambda r: (r.controller.name.lower(), r.id))


def authenticate(controller_slug: str, email: str, password: str) -> StaffUser | None:
    """The active user at this controller with this password, else None."""
    opened = sign_in(email, password, controller_slug or "-")
    return opened[0] if opened else None


def _check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise StaffError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")


def disable(user: StaffUser) -> None:
    """This role stops at once: sign-ins no longer offer it and its open sessions end at
    their next request. The person's roles at other controllers are not touched."""
    user.disabled_at = user.disabled_at or utcnow()
    end_sessions(user)
    db.session.flush()


def reset_password(user: StaffUser, password: str) -> None:
    """A new password for the person, in every role it opened; every session signed in with
    the old one ends."""
    _check_password(password)
    new_hash = generate_password_hash(password)
    for row in _with_roles(user):
        row.password_hash = new_hash
        end_sessions(row)
    db.session.flush()


def end_all_sessions(user: StaffUser) -> None:
    """Signing out: every session of the person, in every role, ends."""
    for row in _with_roles(user):
        end_sessions(row)


def _with_roles(user: StaffUser) -> list[StaffUser]:
    """The user's row and every other role its password opens (a disabled row included)."""
    return [user, *(r for r in roles_of(user) if r.id != user.id)]


def users_of(controller) -> list[StaffUser]:
    return list(
        db.session.scalars(
            select(StaffUser)
            .where(StaffUser.controller_id == controller.id)
            .order_by(StaffUser.email)
        )
    )
