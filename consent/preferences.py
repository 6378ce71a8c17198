"""Blueprint: the preference page and one-click unsubscribe."""

from flask import Blueprint

bp = Blueprint("preferences", __name__)
