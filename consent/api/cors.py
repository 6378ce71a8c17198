"""CORS for widget keys: a browser may call the widget's routes only from allowed origins."""

from flask import Response, g, request
from sqlalchemy import select

from consent.core.database import db
from consent.core.models import ApiKey


def origin_allowed(origin: str | None) -> bool:
    """Whether any live widget key lists this origin."""
    if not origin:
        return False
    keys = db.session.scalars(
        select(ApiKey.origins).where(ApiKey.role == "widget", ApiKey.revoked_at.is_(None))
    )
    return any(origin in (origins or []) for origins in keys)


def allow_widget_origin(response):
    """after_request: let the browser read the answer when the widget key allows the origin."""
    key = g.get("api_key")
    origin = request.headers.get("Origin")
    if key is not None and key.role == "widget" and origin in (key.origins or []):
        response.headers["Access-Control-Allow-Origin"] = origin
        response.vary.add("Origin")
    return response


def preflight():
    """CORS preflight: browsers send no key with it, so any live widget key's origin counts."""
    response = Response(status=204)
    origin = request.headers.get("Origin")
    if origin_allowed(origin):
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
        response.headers["Access-Control-Max-Age"] = "600"
    response.vary.add("Origin")
    return response
