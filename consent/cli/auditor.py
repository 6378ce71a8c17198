"""`flask consent verify|checkpoint|history|proof`: the auditor's commands."""

import json
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from consent.cli.common import controller_named, print_json, purpose_named, subject_named
from consent.core import checkpoints, integrity, merkle, proof
from consent.core.database import db
from consent.core.models import Controller, Subject


@click.command("verify")
@click.option(
    "--checkpoint",
    "copies",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Check these copies of checkpoints kept outside the database (one, a list, or "
    "the whole published document).",
)
@click.option("--from", "old", type=click.IntRange(0), help="With --to: a consistency proof.")
@click.option("--to", "new", type=click.IntRange(0))
@click.option("--controller", "slug", default=None, help="Controller slug (with --from/--to).")
@with_appcontext
def verify(copies, old, new, slug):
    """Walk every hash chain, rebuild state, check every checkpoint; exit 1 on any break."""
    if old is not None or new is not None:
        _verify_consistency(controller_named(slug), old, new)
        return
    if copies is not None:
        _verify_copies(copies)
        return
    total = db.session.scalar(select(func.count(Subject.id)))
    with click.progressbar(length=total, label="verifying", file=sys.stderr) as bar:
        report = integrity.verify(progress=bar.update)
    for problem in report.problems:
        click.echo(f"BROKEN: {problem}")
    verdict = "all chains intact, state matches the ledger, checkpoints hold"
    if not report.ok:
        verdict = f"{len(report.problems)} problems"
    click.echo(
        f"{report.subjects} subjects, {report.events} events, "
        f"{report.checkpoints} checkpoints: {verdict}"
    )
    if not report.ok:
        sys.exit(1)


def _verify_copies(path: Path) -> None:
    """Checkpoints kept outside the database, against the ledger as it is now."""
    try:
        document = json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError) as error:
        raise click.BadParameter(f"not JSON: {error}", param_hint="--checkpoint") from None
    if isinstance(document, dict):
        document = document.get("checkpoints", [document])
    if not isinstance(document, list) or not all(
        isinstance(head, dict)
        and {"controller", "tree_size", "root_hash", "issued_at", "jws"} <= set(head)
        for head in document
    ):
        raise click.BadParameter("expected checkpoint entries", param_hint="--checkpoint")
    problems, count = [], 0
    for slug in sorted({head["controller"] for head in document}):
        verdict = checkpoints.check(
            controller_named(slug), [h for h in document if h["controller"] == slug]
        )
        count += verdict.checkpoints
        problems += verdict.problems
    for problem in problems:
        click.echo(f"BROKEN: {problem}")
    click.echo(
        f"{count} checkpoints kept outside: "
        + ("all hold" if not problems else f"{len(problems)} problems")
    )
    if problems:
        sys.exit(1)


def _verify_consistency(controller, old, new) -> None:
    """The consistency proof between two published sizes, checked against their roots."""
    if old is None or new is None:
        raise click.UsageError("--from and --to go together")
    heads = {h["tree_size"]: h for h in checkpoints.published(controller)}
    try:
        path = checkpoints.consistency(controller, old, new)
    except checkpoints.CheckpointError as error:
        raise click.ClickException(str(error)) from None
    holds = merkle.verify_consistency(
        old,
        new,
        bytes.fromhex(heads[old]["root_hash"]),
        bytes.fromhex(heads[new]["root_hash"]),
        [bytes.fromhex(h) for h in path],
    )
    click.echo(
        f"{controller.slug} tree {old} -> {new}: " + ("consistent" if holds else "NOT consistent")
    )
    if not holds:
        sys.exit(1)


@click.command("checkpoint")
@click.option("--controller", "slug", default=None, help="Only this controller (default: all).")
@with_appcontext
def checkpoint(slug):
    """Cover the new events of each controller and print its signed checkpoint."""
    controllers = (
        [controller_named(slug)]
        if slug
        else db.session.scalars(select(Controller).order_by(Controller.slug)).all()
    )
    for controller in controllers:
        made = checkpoints.run(controller)
        db.session.commit()
        head = made or checkpoints.latest(controller)
        if head is None:
            continue
        click.echo(json.dumps(checkpoints.entry(head, controller.slug)))
        if not made:
            click.echo(f"{controller.slug}: no new events since this checkpoint", err=True)


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


COMMANDS = (verify, checkpoint, history_command, proof_command)
