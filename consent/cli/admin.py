"""`flask --app app consent …`: thin wrappers over the domain modules."""

import json
import sys

import click
from flask.cli import AppGroup
from flask_migrate import upgrade
from sqlalchemy import func, select

from consent.cli.marketer import COMMANDS as MARKETER_COMMANDS
from consent.cli.marketer import controller_named
from consent.core import chain, proof, purposes, retention, staff_users, subjects
from consent.core.models import Controller, Subject, utcnow
from consent.demo import loader
from consent.extensions import db

consent_cli = AppGroup("consent", help="Consent and preference center commands.")


@consent_cli.command("init-db")
def init_db():
    """Create or upgrade the database schema (applies the migrations)."""
    upgrade()
    click.echo("database is up to date")


@consent_cli.command("controllers")
def controllers():
    """Print one controller slug a line."""
    for slug in db.session.scalars(select(Controller.slug).order_by(Controller.slug)):
        click.echo(slug)


@consent_cli.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when controllers exist already.")
def load_demo(if_empty):
    """Load the demo controllers, purposes and subjects, and print working links."""
    if if_empty and db.session.scalar(select(func.count(Controller.id))):
        click.echo("demo data present")
    else:
        loader.load()
        db.session.commit()
    for line in loader.links():
        click.echo(line)


@consent_cli.command("verify")
def verify():
    """Walk every hash chain and rebuild state from the ledger; exit 1 on any break."""
    total = db.session.scalar(select(func.count(Subject.id)))
    with click.progressbar(length=total, label="verifying", file=sys.stderr) as bar:
        report = chain.verify(progress=bar.update)
    for problem in report.problems:
        click.echo(f"BROKEN: {problem}")
    verdict = "all chains intact, state matches the ledger"
    if not report.ok:
        verdict = f"{len(report.problems)} problems"
    click.echo(f"{report.subjects} subjects, {report.events} events: {verdict}")
    if not report.ok:
        sys.exit(1)


# --- marketer commands: keys, import, links, reachable ---


# keys, import, links and reachable live in marketer_cli.py.
for command in MARKETER_COMMANDS:
    consent_cli.add_command(command)


# --- auditor commands: history, proof ---


def _audited(controller_slug: str, subject_ref: str):
    """(controller, subject) by public id, email or CRM id; else a clean error and exit 1."""
    controller = purposes.controller_by_slug(controller_slug)
    if controller is None:
        raise click.ClickException(f"unknown controller {controller_slug!r}")
    subject = subjects.by_public_id(controller, subject_ref)
    if subject is None and "@" in subject_ref:
        try:
            subject = subjects.by_email(controller, subject_ref)
        except subjects.InvalidEmail:
            subject = None
    subject = subject or subjects.by_external_id(controller, subject_ref)
    if subject is None:
        raise click.ClickException(f"no subject {subject_ref!r} at {controller_slug}")
    return controller, subject


def _print_json(document: dict) -> None:
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))


@consent_cli.command("history")
@click.argument("subject")
@click.option("--controller", "controller_slug", required=True, help="Controller slug.")
def history_command(subject, controller_slug):
    """Print a subject's events and lawful-basis timeline as JSON (public id, email or CRM id)."""
    controller, found = _audited(controller_slug, subject)
    _print_json(proof.history(controller, found))


@consent_cli.command("proof")
@click.argument("subject")
@click.option("--controller", "controller_slug", required=True, help="Controller slug.")
@click.option("--purpose", default=None, help="Only this purpose (slug).")
def proof_command(subject, controller_slug, purpose):
    """Print a subject's proof bundle as JSON: receipts, notice texts, chain verification."""
    controller, found = _audited(controller_slug, subject)
    chosen = None
    if purpose:
        chosen = purposes.purpose_by_slug(controller, purpose)
        if chosen is None:
            raise click.ClickException(f"unknown purpose {purpose!r} at {controller_slug}")
    _print_json(proof.proof(controller, found, chosen))


# --- retention ---


@consent_cli.command("retention")
def apply_retention():
    """Lapse consent past its lifetime and erase inactive people, as events."""
    now = utcnow()
    lapses = retention.due_lapses(now)
    with click.progressbar(lapses, label="lapsing consent", file=sys.stderr) as bar:
        for subject_id, event_id in bar:
            retention.apply_lapse(subject_id, event_id)
            db.session.commit()
    erasures = retention.due_erasures(now)
    with click.progressbar(erasures, label="erasing inactive people", file=sys.stderr) as bar:
        for subject_id in bar:
            retention.apply_erasure(subject_id)
            db.session.commit()
    click.echo(f"{len(lapses)} consents lapsed, {len(erasures)} inactive people erased")


# --- console users ---


@consent_cli.group("users")
def users():
    """Staff accounts of the console."""


@users.command("create")
@click.option("--controller", "controller_slug", required=True, help="Controller slug.")
@click.option("--email", required=True, help="The address the person signs in with.")
@click.option("--role", required=True, type=click.Choice(staff_users.ROLES))
def create_user(controller_slug, email, role):
    """Add a console user; the password is read from the terminal (or standard input)."""
    controller = controller_named(controller_slug)
    password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = staff_users.create(controller, email, role, password)
    except staff_users.StaffError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"created {user.role} {user.email} at {controller.slug}")


@users.command("list")
@click.option("--controller", "controller_slug", required=True, help="Controller slug.")
def list_users(controller_slug):
    """Print email, role and since when (or `disabled`) a line."""
    for user in staff_users.users_of(controller_named(controller_slug)):
        status = f"disabled {user.disabled_at.isoformat()}" if user.disabled_at else "active"
        click.echo(f"{user.email}\t{user.role}\t{user.created_at.isoformat()}\t{status}")
