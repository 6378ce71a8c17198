"""The writes of one recorded change, sent to the database together.

A change writes its events, the subject's chain head, the closing and opening rows of its
state history and its receipt; nothing in the transaction reads them back before the
commit. On PostgreSQL they go as one statement, each a data-modifying WITH clause: one
round trip instead of five, which is most of what a one-click costs beyond its rules
(BENCHMARKS.md). PostgreSQL runs every clause with the same snapshot, so none may depend on
another's effect or write a row another writes; the ones collected here never do (new
events, one subject row, history rows closed before the new ones open, a new receipt).
SQLite, in process, runs them one by one, in the order added.
"""

from sqlalchemy import literal, select

from consent.core import bulk
from consent.core.database import db


class Writes:
    """Statements (INSERT or UPDATE, each complete with its values) to send as one. One row
    per INSERT: SQLAlchemy caches the compiled form of those, not of a multi-row VALUES."""

    def __init__(self):
        self._statements = []

    def add(self, statement) -> None:
        self._statements.append(statement)

    def send(self) -> None:
        statements, self._statements = self._statements, []
        if not statements:
            return
        if len(statements) == 1 or not bulk.is_postgresql():
            for statement in statements:
                db.session.execute(statement)
            return
        clauses = [statement.cte(f"write_{n}") for n, statement in enumerate(statements)]
        db.session.execute(select(literal(1)).add_cte(*clauses))
