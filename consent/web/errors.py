"""Error answers: a localised page for people, JSON for programs under /api. Never a trace."""

import secrets
import traceback

from flask import abort, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from consent.core import deployment
from consent.core.database import db
from consent.core.ledger import LedgerError
from consent.web.i18n import _


def wants_json() -> bool:
    return request.path.startswith(("/api/", "/.well-known/", "/hooks/"))


def error_response(status: int, code: str, message: str, **details):
    """The one JSON error shape of SPEC §6 (details, such as a list of problems, join it)."""
    response = jsonify({"error": {"code": code, "message": message, **details}})
    response.status_code = status
    return response


def error_page(status: int, title: str, message: str, reference: str | None = None):
    """The one localised error page for people: a title, what to do, the status, and for an
    unexpected failure the reference under which it was logged."""
    page = render_template(
        "error.html", title=title, message=message, status=status, reference=reference
    )
    return page, status


def _page_text(status: int) -> tuple[str, str]:
    texts = {
        400: (
            _("This link is not valid"),
            _(
                "The link may have been changed or cut off. "
                "Please use the link from your email exactly as it was sent."
            ),
        ),
        403: (_("Not allowed"), _("Your account may not open this page.")),
        404: (_("Page not found"), _("We could not find what you were looking for.")),
        405: (_("Not allowed"), _("This page cannot be used in this way.")),
        413: (_("Too large"), _("What you sent is larger than we accept.")),
        429: (_("Too many requests"), _("Please wait a moment and try again.")),
    }
    return texts.get(
        status, (_("Something went wrong"), _("Nothing was changed. Please try again later."))
    )


def handle_http(error: HTTPException):
    db.session.rollback()
    status = error.code or 500
    if wants_json():
        code = (error.name or "error").lower().replace(" ", "_")
        return error_response(status, code, error.description or error.name)
    title, message = _page_text(status)
    return error_page(status, title, message)


def handle_ledger(error: LedgerError):
    db.session.rollback()
    if wants_json():
        return error_response(error.status, error.code, str(error))
    title, message = (
        _("Your choice could not be saved"),
        _("Nothing was changed. Please try again later."),
    )
    return error_page(error.status, title, message)


def _log_unexpected(error: Exception) -> str:
    """Log the failure with a reference the person or program is shown; the route's rule
    and the stack, never the URL (it may hold a token) nor the message (it may hold data)."""
    reference = secrets.token_hex(6)
    stack = "".join(traceback.TracebackException.from_exception(error).stack.format())
    rule = request.url_rule.rule if request.url_rule else "(no route)"
    current_app.logger.error(
        "unexpected %s (reference %s) on %s %s\n%s",
        type(error).__name__,
        reference,
        request.method,
        rule,
        stack,
    )
    return reference


def handle_unexpected(error: Exception):
    db.session.rollback()
    if isinstance(error, HTTPException):
        return handle_http(error)
    reference = _log_unexpected(error)
    if wants_json():
        return error_response(
            500,
            "internal_error",
            "Nothing was changed. Please try again later.",
            reference=reference,
        )
    title, message = _page_text(500)
    return error_page(500, title, message, reference)


def refuse_nul():
    """A NUL in a query or form value is nobody's real input, and PostgreSQL refuses it in
    text: answer 400 before any view reads it."""
    values = [*request.args.items(multi=True)]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        values += request.form.items(multi=True)
    if any("\x00" in key or "\x00" in value for key, value in values):
        abort(400)


INIT_DB = "flask --app app consent init-db"


def require_schema():
    """Before `init-db` nothing can work: say what to run, instead of a 500 on a missing
    table. Checked until the tables exist, then never again in this process."""
    if current_app.extensions.get("schema_ready") or request.endpoint == "static":
        return None
    if request.blueprint == "ops":  # health answers for itself, before init-db too
        return None
    if deployment.schema_ready():
        current_app.extensions["schema_ready"] = True
        return None
    if wants_json():
        message = f"The database is not set up yet: run `{INIT_DB}`."
        return error_response(503, "database_not_initialised", message)
    title = _("This service is not ready yet")
    return error_page(
        503, title, _("The database is not set up yet: run %(command)s.", command=INIT_DB)
    )


def register(app):
    app.before_request(require_schema)
    app.before_request(refuse_nul)
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(LedgerError, handle_ledger)
    if not app.testing:
        app.register_error_handler(Exception, handle_unexpected)
