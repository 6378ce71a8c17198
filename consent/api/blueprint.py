"""The /api blueprint and what every route shares: error answers, NUL refusal, CORS, actor.

Every route is scoped to the controller of the bearer key: another controller's subjects
and purposes are simply not found (404). Errors are SPEC §6 JSON, raised as ApiError.
"""

from flask import Blueprint, g, jsonify, request

from consent.api import cors, openapi
from consent.api.params import ApiError
from consent.core.database import db
from consent.web.errors import error_response
from consent.web.security import CONTENT_SECURITY_POLICY

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    db.session.rollback()
    return error_response(error.status, error.code, error.message)


@bp.before_request
def _refuse_nul():
    """A NUL character is never meaningful here, and PostgreSQL cannot store it."""
    args = request.args.items(multi=True)
    if "\x00" in request.path or any("\x00" in k + v for k, v in args):
        raise ApiError(400, "invalid_parameter", "NUL characters are not allowed.")


def actor() -> str:
    """Who recorded an event through the API: the key, by its public prefix."""
    return f"api-key:{g.api_key.prefix}"


@bp.after_request
def _answer_headers(response):
    """No caching, no sniffing, no framing for anything the API answers."""
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    html = response.mimetype == "text/html"
    response.headers["Content-Security-Policy"] = (
        CONTENT_SECURITY_POLICY if html else "default-src 'none'; frame-ancestors 'none'"
    )
    return response


bp.after_request(cors.allow_widget_origin)
bp.add_url_rule("/v1/purposes", "purposes_preflight", cors.preflight, methods=["OPTIONS"])
bp.add_url_rule("/v1/consents", "consents_preflight", cors.preflight, methods=["OPTIONS"])


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(openapi.document())
