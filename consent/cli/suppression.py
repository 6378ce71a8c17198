"""`flask consent suppression export`: the do-not-mail list for a mail service's own list."""

import click
from flask.cli import AppGroup, with_appcontext

from consent.cli.common import controller_named, controller_option, purpose_named
from consent.core import do_not_mail
from consent.core.vocabulary import CHANNELS

suppression = AppGroup("suppression", help="The do-not-mail list for services that keep their own.")


@suppression.command("export")
@controller_option
@click.option("--purpose", help="One purpose; default every purpose offered on the channel.")
@click.option("--channel", type=click.Choice(CHANNELS), default="email", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["csv", "ndjson"]), default="csv")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-")
@with_appcontext
def export(slug, purpose, channel, fmt, output):
    """Addresses of people who said no (refused, withdrew, objected, unsubscribed, switched
    the channel off or bounced), one row per purpose. Erased people are not listed: their
    address is gone, and their erasure went out through the webhook when it happened."""
    controller = controller_named(slug)
    chosen = purpose_named(controller, purpose) if purpose else None
    if chosen is not None and channel not in chosen.channels:
        offered = ", ".join(chosen.channels) or "no channel"
        raise click.BadParameter(
            f"{chosen.slug} is offered by {offered}, not {channel}", param_hint="--channel"
        )
    found = do_not_mail.rows(controller, chosen, channel)
    lines = do_not_mail.csv_lines(found) if fmt == "csv" else do_not_mail.ndjson_lines(found)
    for piece in lines:
        output.write(piece)


COMMANDS = (suppression,)
