"""/console: the staff door (sign-in, roles), dashboards for marketers and auditors."""

from consent.console import accounts  # noqa: F401  (its routes join bp)
from consent.console.views import bp

__all__ = ["bp"]
