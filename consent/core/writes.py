"""The writes of one recorded change, sent to the database together.

A change writes its events, the subject's chain head, the state rows that changed, the
closing and opening rows of their history and its receipt; nothing in the transaction
reads them back before the commit. On PostgreSQL they go as one statement, each a
data-modifying WITH clause: one round trip instead of six, which is most of what a
one-click costs beyond its rules (BENCHMARKS.md). PostgreSQL runs every clause with the
same snapshot, so none may depend on another's effect or write a row another writes; the
ones collected here never do (new events, one subject row, one state row per decision that
changed, history rows closed before the new ones open, a new receipt). SQLite, in process,
runs them one by one, in the order added.

A statement may be expected to write exactly one row (an UPDATE of a state row that should
be there); when one does not, the fallbacks given to `if_a_row_is_missing` run after the
others, in the same transaction.
"""

from sqlalchemy import func, literal, select

from consent.core import bulk
from consent.core.database import db


class Writes:
    """Statements (INSERT or UPDATE, each complete with its values) to send as one. One row
    per INSERT: SQLAlchemy caches the compiled form of those, not of a multi-row VALUES."""

    def __init__(self):
        self._statements = []  # (statement, whether it must write exactly one row)
        self._fallbacks = []

    def add(self, statement, one_row: bool = False) -> None:
        self._statements.append((statement, one_row))

    def if_a_row_is_missing(self, fallback) -> None:
        self._fallbacks.append(fallback)

    def send(self) -> None:
        statements, self._statements = self._statements, []
        fallbacks, self._fallbacks = self._fallbacks, []
        if not statements:
            return
        if bulk.is_postgresql():
            counts = self._send_as_one(statements)
        else:
            counts = []
            for statement, one_row in statements:
                written = db.session.execute(statement).rowcount
                if one_row:
                    counts.append(written)
        if any(count != 1 for count in counts):
            for fallback in fallbacks:
                fallback()

    @staticmethod
    def _send_as_one(statements) -> list[int]:
        clauses, checked = [], []
        for n, (statement, one_row) in enumerate(statements):
            clause = (statement.returning(literal(1)) if one_row else statement).cte(f"write_{n}")
            clauses.append(clause)
            if one_row:
                checked.append(select(func.count()).select_from(clause).scalar_subquery())
        query = select(*checked) if checked else select(literal(1))
        row = db.session.execute(query.add_cte(*clauses)).one()
        return list(row) if checked else []
