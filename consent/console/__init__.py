"""/console: the staff door (sign-in, roles), dashboards for marketers and auditors."""

from consent.console import (  # noqa: F401  (routes join bp)
    accounts,
    audit_log,
    catalogue,
    catalogue_preview,
    deliveries,
    people,
    requests,
    staff_actions,
)
from consent.console.views import bp

__all__ = ["bp"]
