"""`flask consent catalogue apply|export`: an organisation set up from its catalogue file."""

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from consent.cli.common import controller_named
from consent.core import catalogue
from consent.core.database import db

catalogue_group = AppGroup("catalogue", help="Apply or export a controller's catalogue file.")


@catalogue_group.command("apply")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Print the plan; change nothing.")
@click.option("--actor", default="cli", show_default=True, help="Who applies it, for the log.")
def apply_file(file, dry_run, actor):
    """Create or update the controller in FILE and print the plan; exit 2 on any problem."""
    try:
        document = catalogue.read(file.read_text(encoding="utf-8"))
        plan = catalogue.apply(document, actor=actor, dry_run=dry_run)
    except catalogue.CatalogueInvalid as error:
        db.session.rollback()
        for problem in error.problems:
            click.echo(f"{file.name}: {problem}", err=True)
        click.echo("nothing was changed", err=True)
        sys.exit(2)
    for line in plan.lines():
        click.echo(line)
    if dry_run:
        click.echo("dry run: nothing was changed")
    else:
        db.session.commit()


@catalogue_group.command("export")
@click.option("--controller", "slug", required=True, help="Controller slug.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
def export_file(slug, output):
    """Print the controller's catalogue file (or write it to --output)."""
    text = catalogue.dump(catalogue.export(controller_named(slug)))
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


COMMANDS = (catalogue_group,)
