"""`flask consent worker`: delivers the outbox (mail, webhooks) outside any request."""

import signal
import sys
import threading

import click
from flask import current_app
from flask.cli import with_appcontext

from consent.core import catalogue, outbox, tally
from consent.core.database import db
from consent.core.models import utcnow
from consent.web import mail, staff_mail, webhooks

# What the worker delivers: mail (staff notices too), webhooks, catalogue-change batches.
HANDLERS = {**mail.HANDLERS, **staff_mail.HANDLERS, **webhooks.HANDLERS, **catalogue.HANDLERS}


def _print_status() -> None:
    rows = outbox.status()
    if not rows:
        click.echo("outbox empty")
        return
    click.echo("kind          pending  due  oldest due                        dead  delivered")
    for row in rows:
        oldest = row["oldest_due"].isoformat(timespec="seconds") if row["oldest_due"] else "-"
        click.echo(
            f"{row['kind']:<13} {row['pending']:>7} {row['due']:>4}  {oldest:<32} "
            f"{row['dead']:>5} {row['delivered']:>10}"
        )


@click.command("worker")
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit (for cron).")
@click.option("--status", "show_status", is_flag=True, help="Print the queue per kind and exit.")
@click.option("--retry-dead", is_flag=True, help="Make dead rows due again, then exit.")
@click.option("--kind", default=None, help="With --retry-dead: only rows of this kind.")
@with_appcontext
def worker(once, show_status, retry_dead, kind):
    """Deliver queued messages with retries; stops cleanly on SIGTERM or Ctrl-C.

    Several workers may run side by side on PostgreSQL (rows are claimed with SKIP LOCKED);
    on SQLite run one."""
    if show_status:
        _print_status()
        return
    if retry_dead:
        count = outbox.retry_dead(kind)
        db.session.commit()
        click.echo(f"{count} dead rows due again")
        return
    stop = threading.Event()
    if not once:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
    poll = current_app.config["WORKER_POLL_SECONDS"]
    while True:
        try:
            outcomes = outbox.deliver_due(HANDLERS, should_stop=stop.is_set)
            tally.compact(utcnow())  # the reachable count's changes, one row per key
            db.session.commit()
        except Exception:  # the database went away: log, wait, try again
            current_app.logger.exception("outbox delivery failed")
            db.session.rollback()
            if once:
                sys.exit(1)
            outcomes = {}
        if outcomes:
            summary = ", ".join(f"{count} {state}" for state, count in sorted(outcomes.items()))
            click.echo(f"outbox: {summary}", err=True)
        if once or stop.wait(poll):
            break


COMMANDS = (worker,)
