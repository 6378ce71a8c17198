"""Triggers on the state table that append each change of how many rows reach to the
reachable tally (core/tally.py), in the statement that makes it.

The database keeps the tally, not the code that writes state: every writer is covered
(an ORM update, a bulk COPY, a rebuild), nothing can forget it, and a one-click pays no
round trip for it. PostgreSQL sums a whole statement's rows (transition tables, so a COPY
of a thousand people adds one row per purpose, channel and day); SQLite, without those,
appends per row. Rows only append: concurrent writers never wait on a shared counter.
"""

from sqlalchemy import DDL, event

# The UTC day a consent lapses, as each database stores expires_at (SQLite: naive UTC text).
_PG_DAY = "date_trunc('day', expires_at, 'UTC')"


def _pg_sum(parts: str) -> str:
    return (
        "INSERT INTO reachable_tally (purpose_id, channel, lapses_on, delta) "
        f"SELECT purpose_id, channel, lapses_on, sum(delta) FROM ({parts}) AS changed "
        "GROUP BY purpose_id, channel, lapses_on HAVING sum(delta) <> 0;"
    )


def _pg_rows(table: str, sign: int) -> str:
    return (
        f"SELECT purpose_id, channel, {_PG_DAY} AS lapses_on, {sign} AS delta "
        f"FROM {table} WHERE reachable"
    )


POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION consent_tally_state() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_pg_sum(_pg_rows("new_rows", 1))}
    ELSIF TG_OP = 'DELETE' THEN
        {_pg_sum(_pg_rows("old_rows", -1))}
    ELSE
        {_pg_sum(_pg_rows("old_rows", -1) + " UNION ALL " + _pg_rows("new_rows", 1))}
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS state_tally_insert ON state",
    "DROP TRIGGER IF EXISTS state_tally_update ON state",
    "DROP TRIGGER IF EXISTS state_tally_delete ON state",
    "CREATE TRIGGER state_tally_insert AFTER INSERT ON state REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION consent_tally_state()",
    "CREATE TRIGGER state_tally_update AFTER UPDATE ON state "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION consent_tally_state()",
    "CREATE TRIGGER state_tally_delete AFTER DELETE ON state REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION consent_tally_state()",
]


def _sqlite_add(row: str, sign: int) -> str:
    day = (
        f"CASE WHEN {row}.expires_at IS NULL THEN NULL "
        f"ELSE substr({row}.expires_at, 1, 10) || ' 00:00:00.000000' END"
    )
    return (
        "INSERT INTO reachable_tally (purpose_id, channel, lapses_on, delta) "
        f"SELECT {row}.purpose_id, {row}.channel, {day}, {sign} WHERE {row}.reachable;"
    )


SQLITE = [
    "CREATE TRIGGER IF NOT EXISTS state_tally_insert AFTER INSERT ON state "
    f"BEGIN {_sqlite_add('NEW', 1)} END",
    "CREATE TRIGGER IF NOT EXISTS state_tally_update AFTER UPDATE ON state "
    "WHEN OLD.reachable IS NOT NEW.reachable OR OLD.expires_at IS NOT NEW.expires_at "
    f"BEGIN {_sqlite_add('OLD', -1)} {_sqlite_add('NEW', 1)} END",
    "CREATE TRIGGER IF NOT EXISTS state_tally_delete AFTER DELETE ON state "
    f"BEGIN {_sqlite_add('OLD', -1)} END",
]


def create_statements(dialect: str) -> list[str]:
    return POSTGRESQL if dialect == "postgresql" else SQLITE


def drop_statements(dialect: str) -> list[str]:
    names = ("state_tally_insert", "state_tally_update", "state_tally_delete")
    if dialect == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {name} ON state" for name in names] + [
            "DROP FUNCTION IF EXISTS consent_tally_state()"
        ]
    return [f"DROP TRIGGER IF EXISTS {name}" for name in names]


def attach(table) -> None:
    """Create the triggers whenever the state table is created from the models."""
    for dialect in ("postgresql", "sqlite"):
        for statement in create_statements(dialect):
            event.listen(table, "after_create", DDL(statement).execute_if(dialect=dialect))
