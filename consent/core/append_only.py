"""Database triggers that refuse UPDATE and DELETE on the rows that are proof.

Events, receipts, leaves, tree nodes, checkpoints and purpose-setting versions are
insert-only (SPEC §2, §10). The ORM refuses changes too; the triggers also stop anyone who
reaches the database another way. Erasure touches the subject row only. A migration that
must change one of these tables drops the triggers, says so, and creates them again.
"""

from sqlalchemy import DDL, event

TABLES = ("events", "receipts", "leaves", "tree_nodes", "checkpoints", "purpose_settings")

POSTGRESQL_FUNCTION = """
CREATE OR REPLACE FUNCTION consent_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' is append-only: ' || TG_OP || ' refused';
END;
$$ LANGUAGE plpgsql
"""


def create_statements(dialect: str, table: str) -> list[str]:
    """The DDL that makes one table refuse UPDATE and DELETE on this database."""
    if dialect == "postgresql":
        return [
            POSTGRESQL_FUNCTION,
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION consent_refuse_change()",
        ]
    return [
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: UPDATE refused'); END",
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: DELETE refused'); END",
    ]


def drop_statements(dialect: str, table: str) -> list[str]:
    if dialect == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}"]
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_update",
        f"DROP TRIGGER IF EXISTS {table}_no_delete",
    ]


def attach(table) -> None:
    """Create the triggers whenever the table is created from the models (tests, create_all)."""
    for dialect in ("postgresql", "sqlite"):
        for statement in create_statements(dialect, table.name):
            event.listen(table, "after_create", DDL(statement).execute_if(dialect=dialect))
