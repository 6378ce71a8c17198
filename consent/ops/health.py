"""GET /healthz and GET /readyz: what a load balancer and an orchestrator ask, unauthenticated.

/healthz says the process answers and touches nothing else: restarting a server does not
mend a database. /readyz says this server can do its work now: the database answers and its
schema is the one this code was written for. The outbox's lag is a metric and an alert,
never readiness: a slow worker must not take the servers that take one-click unsubscribes
out of the load balancer.
"""

import logging

from flask import jsonify
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError

from consent.core import deployment
from consent.core.database import db

log = logging.getLogger(__name__)


def _answer(code: int, **body):
    response = jsonify(body)
    response.status_code = code
    response.headers["Cache-Control"] = "no-store"
    return response


def healthz():
    return _answer(200, status="ok")


def readyz():
    try:
        behind = deployment.schema_behind()
    except (OperationalError, InterfaceError) as error:
        db.session.rollback()
        # The driver's message names hosts and users: the log gets its kind, the answer a
        # reason a person on call can act on.
        log.warning("readiness: database unreachable (%s)", type(error).__name__)
        return _answer(503, status="unavailable", reason="the database cannot be reached")
    except SQLAlchemyError as error:
        db.session.rollback()
        kind = type(getattr(error, "orig", None) or error).__name__
        log.warning("readiness: the database refused the check (%s)", kind)
        # Typically InsufficientPrivilege: the application role may not read alembic_version.
        return _answer(503, status="unavailable", reason=f"the database refused the check ({kind})")
    if behind:
        return _answer(
            503,
            status="unavailable",
            reason=f"{behind}: run `flask --app app consent init-db`",
        )
    return _answer(200, status="ready")
