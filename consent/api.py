"""Blueprint /api/v1: JSON in and out, key auth, roles."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")
