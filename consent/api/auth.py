"""Bearer-key authentication for /api: which key, which controller, which role may pass."""

from functools import wraps

from flask import g, request

from consent.core import api_keys
from consent.core.database import db
from consent.core.models import Controller
from consent.web.errors import error_response


def require(*roles: str):
    """Decorator: a valid bearer key of one of these roles; sets g.api_key and g.controller.

    401 for no or unknown key, 403 for a role that may not, or a widget key used without an
    Origin on its allow-list.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            header = request.headers.get("Authorization", "")
            scheme, _, bearer = header.partition(" ")
            if scheme.lower() != "bearer" or not bearer.strip():
                return error_response(401, "unauthorized", "A bearer API key is required.")
            key = api_keys.authenticate(bearer.strip())
            if key is None:
                return error_response(401, "unauthorized", "Unknown or revoked API key.")
            if key.role not in roles:
                return error_response(
                    403, "forbidden", f"The {key.role} role may not use this endpoint."
                )
            if key.role == "widget" and request.headers.get("Origin") not in key.origins:
                # A publishable key proves nothing: only pages on its allowed origins use it.
                return error_response(403, "forbidden", "This origin may not use this key.")
            g.api_key = key
            g.controller = db.session.get(Controller, key.controller_id)
            return view(*args, **kwargs)

        return wrapped

    return decorator
