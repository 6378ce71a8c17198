"""`flask consent verify|history|proof`: the auditor's commands."""

import sys

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from consent.cli.common import controller_named, print_json, purpose_named, subject_named
from consent.core import integrity, proof
from consent.core.database import db
from consent.core.models import Subject


@click.command("verify")
@with_appcontext
def verify():
    """Walk every hash chain and rebuild state from the ledger; exit 1 on any break."""
    total = db.session.scalar(select(func.count(Subject.id)))
    with click.progressbar(length=total, label="verifying", file=sys.stderr) as bar:
        report = integrity.verify(progress=bar.update)
    for problem in report.problems:
        click.echo(f"BROKEN: {problem}")
    verdict = "all chains intact, state matches the ledger"
    if not report.ok:
        verdict = f"{len(report.problems)} problems"
    click.echo(f"{report.subjects} subjects, {report.events} events: {verdict}")
    if not report.ok:
        sys.exit(1)


@click.command("history")
@click.argument("subject")
@click.option("--controller", "controller_slug", required=True, help="Controller slug.")
@with_appcontext
def history_command(subject, controller_slug):
    """Print a subject's events and lawful-basis timeline as JSON (public id, email or CRM id)."""
    controller = controller_named(controller_slug)
    print_json(proof.history(controller, subject_named(controller, subject)))


@click.command("proof")
@click.argument("subject")
@click.option("--controller", "controller_slug", required=True, help="Controller slug.")
@click.option("--purpose", default=None, help="Only this purpose (slug).")
@with_appcontext
def proof_command(subject, controller_slug, purpose):
    """Print a subject's proof bundle as JSON: receipts, notice texts, chain verification."""
    controller = controller_named(controller_slug)
    found = subject_named(controller, subject)
    chosen = purpose_named(controller, purpose) if purpose else None
    print_json(proof.proof(controller, found, chosen))


COMMANDS = (verify, history_command, proof_command)
