"""`flask consent init-db|controllers|demo|rebuild-state|retention|users`: the
administrator's commands."""

import sys

import click
from flask.cli import AppGroup, with_appcontext
from flask_migrate import upgrade
from sqlalchemy import func, select, text

from consent.cli.common import controller_named
from consent.core import database_roles, deployment, ledger, retention, staff_users
from consent.core.database import db, is_postgresql
from consent.core.models import Controller, Subject, utcnow
from consent.demo import loader


@click.command("init-db")
@click.option(
    "--grant-to",
    "role",
    metavar="ROLE",
    help="PostgreSQL: then give the application's role exactly its grants (docs/production.md).",
)
@with_appcontext
def init_db(role):
    """Create or upgrade the database schema (applies the migrations), as its owner."""
    if role is not None:
        if not is_postgresql():
            raise click.UsageError("--grant-to is for PostgreSQL, whose roles it grants to")
        try:
            grants = database_roles.statements(role)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--grant-to") from None
    upgrade()
    deployment.check_email_hash_key()
    if role is not None:
        for statement in grants:
            db.session.execute(text(statement))
        db.session.commit()
        click.echo(f"{role} may add to the proof tables and read them, and never change them")
    db.session.remove()  # hand the connection back before the command returns
    click.echo("database is up to date")


@click.command("controllers")
@with_appcontext
def controllers():
    """Print one controller slug a line."""
    for slug in db.session.scalars(select(Controller.slug).order_by(Controller.slug)):
        click.echo(slug)


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when controllers exist already.")
@with_appcontext
def load_demo(if_empty):
    """Load the demo controllers, purposes and subjects, and print working links."""
    if if_empty and db.session.scalar(select(func.count(Controller.id))):
        click.echo("demo data present")
    else:
        loader.load()
        db.session.commit()
    for line in loader.links():
        click.echo(line)


REBUILD_BATCH = 1000


@click.command("rebuild-state")
@click.option("--controller", "slug", default=None, help="Only this controller (default: all).")
@with_appcontext
def rebuild_state(slug):
    """Recompute every person's state rows from the ledger, which is only read: after an
    upgrade whose rules keep state rows the database did not have yet, or when verify
    reports that the state differs from the ledger. Commits every 1,000 people."""
    chosen = (
        [controller_named(slug)]
        if slug
        else db.session.scalars(select(Controller).order_by(Controller.slug)).all()
    )
    for controller in chosen:
        done, after = 0, 0
        while (last := ledger.rebuild_states(controller, after, REBUILD_BATCH)) is not None:
            db.session.commit()
            done += db.session.scalar(
                select(func.count(Subject.id)).where(
                    Subject.controller_id == controller.id,
                    Subject.id > after,
                    Subject.id <= last,
                )
            )
            after = last
        if controller.state_rebuilt_through is not None:
            # Everyone is done: a rebuild the worker was still making (after a catalogue
            # change or the state history's upgrade) has nothing left to do.
            controller.state_rebuilt_through = None
            db.session.commit()
        people = "person" if done == 1 else "people"
        click.echo(f"{controller.slug}: state of {done} {people} rebuilt from the ledger")


# --- retention ---


@click.command("retention")
@with_appcontext
def apply_retention():
    """Lapse consent past its lifetime and erase inactive people, as events."""
    now = utcnow()
    lapses = retention.due_lapses(now)
    with click.progressbar(lapses, label="lapsing consent", file=sys.stderr) as bar:
        for subject_id, event_id in bar:
            retention.apply_lapse(subject_id, event_id)
            db.session.commit()
    erasures = retention.due_erasures(now)
    unconfirmed = [s for s in retention.due_unconfirmed(now) if s not in set(erasures)]
    with click.progressbar(
        erasures + unconfirmed, label="erasing inactive people", file=sys.stderr
    ) as bar:
        for subject_id in bar:
            retention.apply_erasure(subject_id)
            db.session.commit()
    click.echo(
        f"{len(lapses)} consents lapsed, {len(erasures)} inactive people erased, "
        f"{len(unconfirmed)} unconfirmed sign-ups erased"
    )


# --- console users ---


@click.group("users", cls=AppGroup)
def users():
    """Staff accounts of the console."""


@users.command("create")
@click.option("--controller", "controller_slug", required=True, help="Controller slug.")
@click.option("--email", required=True, help="The address the person signs in with.")
@click.option("--role", required=True, type=click.Choice(staff_users.ROLES))
def create_user(controller_slug, email, role):
    """Add a console user. On a terminal the password is asked once, with a confirmation;
    otherwise it is the first line of standard input. A person who already signs in for
    another controller keeps their password, and none is asked."""
    controller = controller_named(controller_slug)
    password = None
    if staff_users.signs_in_elsewhere(email):
        click.echo(f"{email} already signs in; the new role uses their password")
    else:
        password = _read_password("Password")
    try:
        user = staff_users.create(controller, email, role, password)
    except staff_users.StaffError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"created {user.role} {user.email} at {controller.slug}")


def stdin_is_terminal() -> bool:
    return sys.stdin.isatty()


def _read_password(label: str) -> str:
    """Asked twice on a terminal (a typo there locks the person out); read once from a
    pipe, where a script hands over the password it already has."""
    if stdin_is_terminal():
        return click.prompt(label, hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


def _user_named(controller_slug: str, email: str):
    controller = controller_named(controller_slug)
    user = staff_users.by_email(controller, email)
    if user is None:
        raise click.ClickException(f"no console user {email} at {controller.slug}")
    return user


@users.command("disable")
@click.option("--controller", "controller_slug", required=True, help="Controller slug.")
@click.option("--email", required=True, help="The address the person signs in with.")
def disable_user(controller_slug, email):
    """Stop a console user signing in; their open sessions end at once."""
    user = _user_named(controller_slug, email)
    staff_users.disable(user)
    db.session.commit()
    click.echo(f"disabled {user.email}")


@users.command("reset")
@click.option("--controller", "controller_slug", required=True, help="Controller slug.")
@click.option("--email", required=True, help="The address the person signs in with.")
def reset_user(controller_slug, email):
    """Give a console user a new password (read from the terminal); their sessions end."""
    user = _user_named(controller_slug, email)
    password = _read_password("New password")
    try:
        staff_users.reset_password(user, password)
    except staff_users.StaffError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"new password set for {user.email}; their sessions have ended")


@users.command("list")
@click.option("--controller", "controller_slug", required=True, help="Controller slug.")
def list_users(controller_slug):
    """Print email, role and since when (or `disabled`) a line."""
    for user in staff_users.users_of(controller_named(controller_slug)):
        status = f"disabled {user.disabled_at.isoformat()}" if user.disabled_at else "active"
        click.echo(f"{user.email}\t{user.role}\t{user.created_at.isoformat()}\t{status}")


COMMANDS = (init_db, controllers, load_demo, rebuild_state, apply_retention, users)
