"""/hooks/<controller>/…: what every mail-service route shares: credentials, errors, answers.

Each provider authenticates its own way (a signature, a shared key, basic auth); the
credentials are per controller, named in the catalogue (`mail_services: {provider:
{credentials_env: [names]}}`) and read from the environment when a report arrives, so
neither the catalogue file nor the database ever holds them.
"""

import json
import logging

from flask import Blueprint, jsonify, request

from consent.config import environment_secret
from consent.core import mail_events, purposes
from consent.core.database import db
from consent.web.errors import error_response

bp = Blueprint("mailservices", __name__, url_prefix="/hooks")
log = logging.getLogger(__name__)


class HookError(Exception):
    """An answer other than 200: `status`, a stable `code`, a message for the operator."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@bp.errorhandler(HookError)
def _hook_error(error: HookError):
    db.session.rollback()
    response = error_response(error.status, error.code, error.message)
    if error.status == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="mail service"'
    return response


@bp.before_request
def _refuse_nul():
    """A NUL is nobody's controller slug, and PostgreSQL cannot compare text with one."""
    if "\x00" in request.path:
        raise HookError(400, "invalid_parameter", "NUL characters are not allowed.")


def refused(what: str) -> HookError:
    """401: the report does not carry the provider's valid authentication."""
    return HookError(401, "bad_signature", f"The {what} does not verify; nothing was recorded.")


def malformed(what: str) -> HookError:
    return HookError(400, "invalid_body", f"{what}; nothing was recorded.")


def json_body():
    """The body as JSON whatever its Content-Type (SNS says text/plain), or None."""
    try:
        return json.loads(request.get_data(cache=True))
    except ValueError:
        return None


def controller_and_credentials(slug: str, provider: str, needed: int | None = None):
    """The controller and the values of the environment variables its catalogue names for
    this provider: as many as it reads (mail_events.CREDENTIALS), the required ones set,
    an optional one None when unset. `needed=0`: a route that reads none."""
    required, optional = mail_events.CREDENTIALS[provider]
    if needed is not None:
        required, optional = needed, 0
    controller = purposes.controller_by_slug(slug)
    services = ((controller.profile or {}).get("mail_services") or {}) if controller else {}
    if controller is None or provider not in services:
        raise HookError(404, "not_found", "No such mail service here.")
    names = list(services[provider].get("credentials_env") or [])
    values = [environment_secret(name) for name in names[: required + optional]]
    values += [None] * (required + optional - len(values))
    if any(value is None for value in values[:required]):
        log.error(
            "mail service %s of %s: set the environment variables %s (catalogue "
            "mail_services.%s.credentials_env)",
            provider,
            slug,
            ", ".join(names) or "(none named)",
            provider,
        )
        raise HookError(
            503, "not_configured", "This mail service's credentials are not set up here."
        )
    return controller, values


def answer(controller, provider: str, notices) -> tuple:
    """Take each report in its own transaction and say what came of them: 200 for all of
    them, so a provider does not retry what was counted and left (unknown, unmapped)."""
    tally = dict.fromkeys(mail_events.OUTCOMES, 0)
    for notice in notices:
        tally[mail_events.receive(controller, provider, notice)] += 1
        db.session.commit()
    log.info(
        "mail service %s of %s: %s",
        provider,
        controller.slug,
        ", ".join(f"{outcome} {n}" for outcome, n in tally.items()),
    )
    return jsonify({"received": sum(tally.values()), **tally}), 200
