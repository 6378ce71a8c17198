"""Blueprint: a receipt shown to the person it belongs to, through a signed link."""

from flask import Blueprint

bp = Blueprint("receipts", __name__)
