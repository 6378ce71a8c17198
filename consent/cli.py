"""`flask --app app consent …`: thin wrappers over the domain modules."""

import sys

import click
from flask.cli import AppGroup
from flask_migrate import upgrade
from sqlalchemy import func, select

from . import demo, integrity, retention
from .extensions import db
from .models import Controller, Subject, utcnow


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
        demo.load()
        db.session.commit()
    for line in demo.links():
        click.echo(line)


@consent_cli.command("verify")
def verify():
    """Walk every hash chain and rebuild state from the ledger; exit 1 on any break."""
    total = db.session.scalar(select(func.count(Subject.id)))
    with click.progressbar(length=total, label="verifying", file=sys.stderr) as bar:
        report = integrity.verify(progress=bar.update)
    for problem in report.problems:
        click.echo(f"BROKEN: {problem}")
    click.echo(
        f"{report.subjects} subjects, {report.events} events: "
        + ("all chains intact, state matches the ledger" if report.ok else f"{len(report.problems)} problems")
    )
    if not report.ok:
        sys.exit(1)


# --- marketer commands: keys, import, links, reachable ---


# --- auditor commands: history, proof ---


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
