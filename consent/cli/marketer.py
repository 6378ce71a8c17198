"""`flask consent keys|import|links|reachable|mail-services`: the marketer's commands, over
the same core operations as the API (api_keys, importer, campaign_links, reachability)."""

import csv
import sys
from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from consent.cli.common import controller_named, controller_option, purpose_named
from consent.config import environment_secret
from consent.core import (
    api_keys,
    campaign_links,
    importer,
    mail_events,
    reachability,
    shapes,
    signed_links,
)
from consent.core.database import db
from consent.core.instants import FutureInstant, parse_past_instant
from consent.core.models import ApiKey, Controller
from consent.core.vocabulary import CHANNELS, normalise_locale

keys = AppGroup("keys", help="Create, list and revoke API keys.")


@keys.command("create")
@controller_option
@click.option("--role", type=click.Choice(api_keys.ROLES), required=True)
@click.option("--origin", "origins", multiple=True, help="Allowed web origin (widget keys).")
def create_key(slug, role, origins):
    """Create a key; it is printed once, alone on the last line."""
    controller = controller_named(slug)
    if role == "widget" and not origins:
        raise click.UsageError("a widget key needs at least one --origin https://…")
    if role != "widget" and origins:
        raise click.UsageError("--origin is only for widget keys")
    row, secret = api_keys.create(controller, role, origins)
    db.session.commit()
    click.echo(f"{role} key {row.id} ({row.prefix}…) for {controller.slug}; shown only once:")
    click.echo(secret)


@keys.command("list")
@controller_option
def list_keys(slug):
    """One key a line: id, prefix, controller, role, created, revoked, origins."""
    query = select(ApiKey, Controller.slug).join(Controller).order_by(ApiKey.id)
    if slug:
        query = query.where(ApiKey.controller_id == controller_named(slug).id)
    for key, controller_slug in db.session.execute(query):
        revoked = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
        origins = " ".join(key.origins or [])
        click.echo(
            f"{key.id}\t{key.prefix}…\t{controller_slug}\t{key.role}\t"
            f"{key.created_at:%Y-%m-%d}\t{revoked}\t{origins}".rstrip()
        )


@keys.command("revoke")
@click.argument("key")
def revoke_key(key):
    """Revoke a key by its id or prefix; calls with it get 401 from then on."""
    if key.isdigit():
        condition = ApiKey.id == int(key)
    else:
        condition = ApiKey.prefix == key.rstrip("…")
    rows = list(db.session.scalars(select(ApiKey).where(condition)))
    if len(rows) != 1:
        raise click.BadParameter(f"{key!r} names {len(rows)} keys", param_hint="KEY")
    api_keys.revoke(rows[0])
    db.session.commit()
    click.echo(f"revoked key {rows[0].id} ({rows[0].prefix}…)")


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@controller_option
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), help="Default: by suffix.")
@click.option("--batch-size", default=2000, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--pause", default=0.0, hidden=True, type=float, help="Seconds between batches.")
@with_appcontext
def import_subjects(file, slug, fmt, batch_size, pause):
    """Import subjects and their lawful bases from CSV or JSON Lines; safe to re-run.

    CSV columns: email, external_id, locale, purpose, basis, evidence. JSON Lines: one
    {"email", "external_id", "locale", "bases": [{"purpose", "basis", "evidence"}]} a line.
    """
    controller = controller_named(slug)
    _hash, lines = importer.file_digest(file)
    try:
        with click.progressbar(length=lines, label="importing", file=sys.stderr) as bar:
            summary = importer.import_file(
                controller,
                file,
                fmt=fmt,
                batch_size=batch_size,
                actor=f"import:{file.name}",
                progress=bar.update,
                pause=pause,
            )
    except importer.RowError as error:
        raise click.ClickException(str(error)) from None
    for outcome in summary.errors:
        click.echo(f"line {outcome.line}: {outcome.error.code}: {outcome.error}")
    click.echo(summary.describe())


def _refs(handle):
    """Subject ids or emails from a CSV with a subject/id/email column, or a bare list."""
    reader = csv.reader(handle)
    header = next(reader, None)
    if header is None:
        return
    names = [name.strip().lower() for name in header]
    column = next((names.index(n) for n in ("subject", "id", "email") if n in names), None)
    if column is None:
        column = 0
        yield header[0]
    for row in reader:
        if len(row) > column and row[column].strip():
            yield row[column]


# Links name what made them; links handed to a marketer prove nothing about a mailbox.
MADE_BY = "command:make-links"
LINK_COLUMNS = (
    "subject",
    "email",
    "preferences_url",
    "unsubscribe_url",
    "list_unsubscribe",
    "list_unsubscribe_post",
    "reachable",
    "x_consent_ref",
)
ONE_CLICK = signed_links.ONE_CLICK_BODY  # the List-Unsubscribe-Post value


@click.command("links")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@controller_option
@click.option("--purpose", "purposes", multiple=True, help="Purpose in scope (default: all).")
@click.option("--channel", type=click.Choice(CHANNELS), default="email", show_default=True)
@click.option("--campaign", help="Campaign id carried in the links, e.g. 2026-11-news.")
@click.option("--locale", help="Language of the pages the links open (nl, nb, en).")
@click.option("--output", "-o", type=click.File("w"), default="-", help="Default: stdout.")
@with_appcontext
def make_links(file, slug, purposes, channel, campaign, locale, output):
    """Signed links and List-Unsubscribe headers for each subject id or email in FILE.

    Subjects not reachable for the purposes still get links, flagged reachable=false.
    """
    controller = controller_named(slug)
    scope = [purpose_named(controller, p) for p in purposes] or None
    if locale and normalise_locale(locale) is None:
        raise click.BadParameter("use nl, nb or en", param_hint="--locale")
    _hash, lines = importer.file_digest(file)
    output.write(shapes.csv_line(LINK_COLUMNS))
    made = unknown = 0
    with open(file, encoding="utf-8-sig", newline="") as handle:
        rows = campaign_links.link_rows(
            controller,
            _refs(handle),
            scope,
            channel,
            campaign,
            normalise_locale(locale),
            made_by=MADE_BY,
            cells=True,
        )
        written = []  # lines written a thousand at a time: one write each, not one a row
        with click.progressbar(length=lines, label="signing links", file=sys.stderr) as bar:
            try:
                for _status, ref, row in rows:
                    if row is None:
                        unknown += 1
                        click.echo(f"unknown subject: {ref}", err=True)
                        continue
                    made += 1
                    *cells, consent_ref, reachable = row
                    cells += (ONE_CLICK, "true" if reachable else "false", consent_ref)
                    written.append(shapes.csv_line(cells))
                    if made % 1000 == 0:
                        output.write("".join(written))
                        written.clear()
                        bar.update(1000)
            except ValueError as error:
                raise click.BadParameter(str(error), param_hint="--campaign") from None
            output.write("".join(written))
            bar.update(bar.length - bar.pos)  # the header line and the last rows
    click.echo(f"{made} links made, {unknown} unknown subjects", err=True)


def _instant(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_past_instant(value)
    except FutureInstant:
        raise click.BadParameter("must not be in the future", param_hint="--at") from None
    except ValueError:
        raise click.BadParameter(
            "use ISO-8601, e.g. 2026-03-01T00:00Z", param_hint="--at"
        ) from None


@click.command("reachable")
@controller_option
@click.option("--purpose", required=True)
@click.option(
    "--channel",
    type=click.Choice(CHANNELS),
    help="Default email; none for a purpose without channels (is the processing allowed?).",
)
@click.option("--at", help="A past instant; answered from the ledger.")
@click.option("--format", "fmt", type=click.Choice(["csv", "ndjson"]), default="csv")
@click.option("--count", is_flag=True, help="Print only the number of reachable subjects.")
@click.option(
    "--min-notice-version",
    type=click.IntRange(1),
    default=None,
    help="Only people whose consent was given on this notice version or a newer one.",
)
@with_appcontext
def reachable(slug, purpose, channel, at, fmt, count, min_notice_version):
    """Who may be contacted for a purpose on a channel, now or at a past instant."""
    controller = controller_named(slug)
    purpose = purpose_named(controller, purpose)
    if not purpose.channels and channel:
        raise click.BadParameter(f"{purpose.slug} has no channels", param_hint="--channel")
    channel = (channel or "email") if purpose.channels else None
    if channel is not None and channel not in purpose.channels:
        offered = ", ".join(purpose.channels)
        raise click.BadParameter(
            f"{purpose.slug} is offered by {offered}, not {channel}", param_hint="--channel"
        )
    at = _instant(at)
    if count:
        click.echo(reachability.count(purpose, channel, at, min_notice_version))
        return
    for piece in reachability.lines(purpose, channel, at, min_notice_version, fmt):
        click.echo(piece.decode() if isinstance(piece, bytes) else piece, nl=False)


@click.command("mail-services")
@controller_option
@with_appcontext
def mail_services(slug):
    """Where each mail service in the catalogue posts, whether its credentials are set, and
    what came of its reports so far (README: Connect your mail service)."""
    controller = controller_named(slug)
    named = (controller.profile or {}).get("mail_services") or {}
    counts = mail_events.counts(controller)
    if not named and not counts:
        click.echo(f"no mail services in the catalogue of {controller.slug}")
    base = f"{current_app.config['PUBLIC_BASE_URL']}/hooks/{controller.slug}"
    for provider in mail_events.PROVIDERS:
        if provider not in named and provider not in counts:
            continue
        required, _optional = mail_events.CREDENTIALS[provider]
        names = (named.get(provider) or {}).get("credentials_env") or []
        unset = [n for n in names[:required] if environment_secret(n) is None]
        unset += ["(not named)"] * (required - len(names[:required]))
        routes = [f"{base}/{provider}"]
        if provider in mail_events.INBOUND:
            routes.append(f"{base}/{provider}/inbound")
        click.echo(f"{provider}: {' and '.join(routes)}")
        click.echo(f"  credentials: {'not set: ' + ', '.join(unset) if unset else 'set'}")
        tally = counts.get(provider, {})
        shown = ("recorded", "unchanged", "unmapped", "unknown")
        click.echo("  reports: " + ", ".join(f"{o} {tally.get(o, 0)}" for o in shown))


COMMANDS = (keys, import_subjects, make_links, reachable, mail_services)
