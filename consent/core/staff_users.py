"""Staff users of the console: create, check a password, disable. One controller each."""

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from consent.core import purposes
from consent.core.database import db
from consent.core.models import StaffUser, utcnow
from consent.core.subjects import InvalidEmail, normalise_email

ROLES = ("marketer", "auditor", "admin")
MIN_PASSWORD_LENGTH = 12
# Checked when no such user exists, so a wrong email costs as long as a wrong password and
# the answer time does not tell which addresses have an account.
_DUMMY_HASH = generate_password_hash("no user has this password")


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


def create(controller, email: str, role: str, password: str) -> StaffUser:
    """Add a user; the caller commits."""
    if role not in ROLES:
        raise StaffError(f"role must be one of {', '.join(ROLES)}")
    try:
        address = normalise_email(email)
    except InvalidEmail as error:
        raise StaffError("not a valid email address") from error
    _check_password(password)
    if by_email(controller, address) is not None:
        raise StaffError(f"{address} already has an account at {controller.slug}")
    user = StaffUser(
        controller_id=controller.id,
        email=address,
        role=role,
        password_hash=generate_password_hash(password),
    )
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(controller_slug: str, email: str, password: str) -> StaffUser | None:
    """The active user with this password, else None; unknown names cost a hash check too."""
    controller = purposes.controller_by_slug(controller_slug or "")
    user = by_email(controller, email or "") if controller is not None else None
    if user is None or user.disabled_at is not None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(user.password_hash, password or ""):
        return None
    return user


def _check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise StaffError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")


def disable(user: StaffUser) -> None:
    """Sign-ins stop at once, and open sessions end at their next request."""
    user.disabled_at = user.disabled_at or utcnow()
    end_sessions(user)
    db.session.flush()


def reset_password(user: StaffUser, password: str) -> None:
    """A new password; every session signed in with the old one ends."""
    _check_password(password)
    user.password_hash = generate_password_hash(password)
    end_sessions(user)
    db.session.flush()


def users_of(controller) -> list[StaffUser]:
    return list(
        db.session.scalars(
            select(StaffUser)
            .where(StaffUser.controller_id == controller.id)
            .order_by(StaffUser.email)
        )
    )
