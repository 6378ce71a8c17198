"""Error answers: a localised page for people, JSON for programs under /api. Never a trace."""

from flask import jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from consent.core.database import db
from consent.core.ledger import LedgerError
from consent.web.i18n import _


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path.startswith("/.well-known/")


def error_response(status: int, code: str, message: str, **details):
    """The one JSON error shape of SPEC §6 (details, such as a list of problems, join it)."""
    response = jsonify({"error": {"code": code, "message": message, **details}})
    response.status_code = status
    return response


def error_page(status: int, title: str, message: str):
    """The one localised error page for people: a title, what to do, the status."""
    return render_template("error.html", title=title, message=message, status=status), status


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


def handle_unexpected(error: Exception):
    db.session.rollback()
    if isinstance(error, HTTPException):
        return handle_http(error)
    return handle_http(InternalServerError())


def register(app):
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(LedgerError, handle_ledger)
    if not app.testing:
        app.register_error_handler(Exception, handle_unexpected)
