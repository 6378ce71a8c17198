"""What the application's database role may do on PostgreSQL (docs/production.md).

The owner runs the migrations; the server, the worker and the jobs connect as a role that
can add to the proof tables and read them, never change or delete a row of them, nor drop
their triggers (only an owner can). `statements(role)` are the grants that give exactly
this, which `init-db --grant-to ROLE` runs after the migrations. Every table of the schema
is named here once: a test holds the list to the models, so a new table cannot be left out.
"""

import re

# Insert-only: the ledger and its proof, the settings history, what mail services reported
# and when a request's events were linked, and the staff log.
GROWS_ONLY = (
    "events",
    "receipts",
    "leaves",
    "tree_nodes",
    "checkpoints",
    "purpose_settings",
    "mail_service_events",
    "subject_request_events",
    "staff_audit",
)
PRIVILEGES = {
    "SELECT, INSERT": GROWS_ONLY,
    "SELECT, INSERT, UPDATE, DELETE": (
        "subjects",
        "state",
        "outbox",
        "suppressions",
        "controllers",
        "purposes",
        "notices",
        "api_keys",
        "staff_users",
        "import_batches",
        "catalogue_changes",
        "address_changes",
        "state_history",
        "reachable_tally",
    ),
    # Staff notes go with the person at erasure; a request's texts are blanked then.
    "SELECT, INSERT, DELETE": ("staff_notes",),
    "SELECT, INSERT, UPDATE": ("subject_requests",),
    # What the app reads about the deployment: the email hash key's fingerprint (init-db
    # stores it) and the migration the schema is at (GET /readyz compares it with the code's).
    "SELECT": ("deployment_settings", "alembic_version"),
}
_ROLE = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def tables() -> set[str]:
    return {table for names in PRIVILEGES.values() for table in names}


def statements(role: str) -> list[str]:
    """The GRANTs for `role` (a plain lower-case PostgreSQL name), one statement each."""
    if not _ROLE.fullmatch(role):
        raise ValueError(f"{role!r} is not a plain role name (lower-case letters, digits, _)")
    grants = [f"GRANT USAGE ON SCHEMA public TO {role}"]
    grants += [
        f"GRANT {privileges} ON {', '.join(names)} TO {role}"
        for privileges, names in PRIVILEGES.items()
    ]
    grants.append(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
    return grants
