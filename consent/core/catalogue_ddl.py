"""Triggers that give a controller a new `catalogue_version` whenever a row of its catalogue
(purposes, their settings versions, their notices) is inserted, updated or deleted, or its
own row changes (CONTROLLER_COLUMNS).

Pages keep the catalogue they read per process (core/catalogue_snapshot.py) and use it while
the controller's row still carries the version it was read at. The database changes the
version, not the code that edits the catalogue: every writer is covered (the catalogue
file, the console's editor, a migration, a hand-written statement), nothing can forget it.
A version is random, not a counter, so a kept catalogue never matches another database's.
"""

from sqlalchemy import DDL, event

TABLES = ("purposes", "purpose_settings", "notices")
_PG_NEW = "md5(random()::text || clock_timestamp()::text)"
_SQLITE_NEW = "lower(hex(randomblob(16)))"


def _pg_set(controller: str) -> str:
    return f"UPDATE controllers SET catalogue_version = {_PG_NEW} WHERE id = {controller};"


POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION consent_catalogue_changed() RETURNS trigger AS $$
DECLARE
    row_purpose integer;
BEGIN
    IF TG_TABLE_NAME = 'purposes' THEN
        IF TG_OP = 'DELETE' THEN
            {_pg_set("OLD.controller_id")}
        ELSE
            {_pg_set("NEW.controller_id")}
        END IF;
    ELSE
        IF TG_OP = 'DELETE' THEN
            row_purpose := OLD.purpose_id;
        ELSE
            row_purpose := NEW.purpose_id;
        END IF;
        {_pg_set("(SELECT controller_id FROM purposes WHERE id = row_purpose)")}
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql""",
    *(f"DROP TRIGGER IF EXISTS {table}_catalogue_changed ON {table}" for table in TABLES),
    *(
        f"CREATE TRIGGER {table}_catalogue_changed AFTER INSERT OR UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION consent_catalogue_changed()"
        for table in TABLES
    ),
]


def _sqlite_controller(table: str, row: str) -> str:
    if table == "purposes":
        return f"{row}.controller_id"
    return f"(SELECT controller_id FROM purposes WHERE id = {row}.purpose_id)"


def _sqlite_trigger(table: str, operation: str, row: str) -> str:
    return (
        f"CREATE TRIGGER IF NOT EXISTS {table}_catalogue_{operation.lower()} "
        f"AFTER {operation} ON {table} BEGIN UPDATE controllers "
        f"SET catalogue_version = {_SQLITE_NEW} WHERE id = {_sqlite_controller(table, row)}; END"
    )


SQLITE = [
    _sqlite_trigger(table, operation, "OLD" if operation == "DELETE" else "NEW")
    for table in TABLES
    for operation in ("INSERT", "UPDATE", "DELETE")
]


def create_statements(dialect: str) -> list[str]:
    return POSTGRESQL if dialect == "postgresql" else SQLITE


def drop_statements(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [
            *(f"DROP TRIGGER IF EXISTS {table}_catalogue_changed ON {table}" for table in TABLES),
            "DROP FUNCTION IF EXISTS consent_catalogue_changed()",
        ]
    return [
        f"DROP TRIGGER IF EXISTS {table}_catalogue_{operation}"
        for table in TABLES
        for operation in ("insert", "update", "delete")
    ]


# The controller's own row is part of what a kept copy holds (its name, address, profile):
# a change to any of these columns gives it a new version too. Not state_rebuilt_through,
# which a rebuild moves on in batches: each request reads that one from the row itself.
CONTROLLER_COLUMNS = (
    "slug",
    "name",
    "contact_email",
    "policy_url",
    "policy_version",
    "default_locale",
    "inactive_retention",
    "profile",
)


def _any_changed(dialect: str) -> str:
    if dialect == "sqlite":
        return " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in CONTROLLER_COLUMNS)
    # PostgreSQL's json has no equality: the profile is compared as its text.
    cast = {"profile": "::text"}
    return " OR ".join(
        f"OLD.{c}{cast.get(c, '')} IS DISTINCT FROM NEW.{c}{cast.get(c, '')}"
        for c in CONTROLLER_COLUMNS
    )


CONTROLLER_POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION consent_controller_changed() RETURNS trigger AS $$
BEGIN
    NEW.catalogue_version := {_PG_NEW};
    RETURN NEW;
END;
$$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS controllers_catalogue_changed ON controllers",
    "CREATE TRIGGER controllers_catalogue_changed BEFORE UPDATE ON controllers FOR EACH ROW "
    f"WHEN ({_any_changed('postgresql')}) "
    "EXECUTE FUNCTION consent_controller_changed()",
]
CONTROLLER_SQLITE = [
    "CREATE TRIGGER IF NOT EXISTS controllers_catalogue_changed AFTER UPDATE ON controllers "
    f"WHEN {_any_changed('sqlite')} "
    f"BEGIN UPDATE controllers SET catalogue_version = {_SQLITE_NEW} WHERE id = NEW.id; END"
]


def controller_statements(dialect: str) -> list[str]:
    return CONTROLLER_POSTGRESQL if dialect == "postgresql" else CONTROLLER_SQLITE


def drop_controller_statements(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [
            "DROP TRIGGER IF EXISTS controllers_catalogue_changed ON controllers",
            "DROP FUNCTION IF EXISTS consent_controller_changed()",
        ]
    return ["DROP TRIGGER IF EXISTS controllers_catalogue_changed"]


def attach(metadata) -> None:
    """Create the triggers whenever the tables are created from the models (after all of
    them: a trigger on one table writes another)."""
    for dialect in ("postgresql", "sqlite"):
        for statement in create_statements(dialect) + controller_statements(dialect):
            event.listen(metadata, "after_create", DDL(statement).execute_if(dialect=dialect))
