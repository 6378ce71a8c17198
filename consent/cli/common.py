"""What every command shares: naming a controller, a purpose and a person; printing JSON."""

import json

import click
from sqlalchemy import func, select

from consent.core import purposes, subjects
from consent.core.database import db
from consent.core.models import Controller

controller_option = click.option("--controller", "slug", help="Controller slug.")


def controller_named(slug: str | None) -> Controller:
    """The named controller; may be left out when there is only one."""
    if slug is None:
        if db.session.scalar(select(func.count(Controller.id))) == 1:
            return db.session.scalar(select(Controller))
        raise click.UsageError("--controller SLUG is required (see `flask consent controllers`).")
    controller = purposes.controller_by_slug(slug)
    if controller is None:
        raise click.BadParameter(f"no controller {slug!r}", param_hint="--controller")
    return controller


def purpose_named(controller, slug):
    purpose = purposes.purpose_by_slug(controller, slug)
    if purpose is None:
        known = ", ".join(p.slug for p in controller.purposes)
        raise click.BadParameter(f"no purpose {slug!r}; known: {known}", param_hint="--purpose")
    return purpose


def subject_named(controller, reference: str):
    """A person by public id, email or CRM id; else a clean error and exit 1."""
    subject = subjects.find(controller, reference)
    if subject is None:
        raise click.ClickException(f"no subject {reference!r} at {controller.slug}")
    return subject


def print_json(document: dict) -> None:
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))
