"""The database roles of docs/production.md: the owner migrates with `init-db --grant-to`,
and with exactly the grants it gives, which are the page's, the application role runs the
server (ready, a page, a one-click), the worker and the jobs, and cannot change or delete a
row of the ledger. Every table of the schema is granted, so none can be forgotten.
"""

import re
import uuid
from datetime import date
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from consent import create_app
from consent.core import database_roles, staff_audit, staff_changes, subject_requests
from consent.core.database import db
from tests.support.factories import Factory
from tests.support.pages import link_for, world
from tests.support.settings import config_on
from tests.support.staff import staff_user

PAGE = Path(__file__).resolve().parent.parent / "docs" / "production.md"


def page_grants() -> list[str]:
    """The GRANT statements of the page's SQL blocks, one string each, spaces folded."""
    blocks = re.findall(r"```sql\n(.*?)```", PAGE.read_text(), re.S)
    lines = [line for block in blocks for line in block.splitlines()]
    text_ = " ".join(line for line in lines if not line.lstrip().startswith("--"))
    statements = [" ".join(s.split()) for s in text_.split(";")]
    return [s for s in statements if s.startswith("GRANT")]


def test_the_page_gives_the_grants_init_db_gives(app):
    assert page_grants() == database_roles.statements("consent_app")


def test_every_table_is_granted(app):
    assert database_roles.tables() == set(db.metadata.tables) | {"alembic_version"}


@pytest.mark.parametrize("role", ["consent-app", "app; DROP TABLE events", "App"])
def test_only_a_plain_role_name_is_granted_to(role):
    with pytest.raises(ValueError, match="plain role name"):
        database_roles.statements(role)


def test_init_db_refuses_what_it_cannot_grant_before_it_migrates(app, runner):
    result = runner.invoke(args=["consent", "init-db", "--grant-to", "App"])
    assert result.exit_code == 2 and "database is up to date" not in result.output
    on_postgresql = app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    assert ("plain role name" if on_postgresql else "is for PostgreSQL") in result.output


@pytest.fixture
def roles(postgres_server):
    assert postgres_server is not None, "this test starts roles on its own PostgreSQL"
    name = f"roles_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(
        host="127.0.0.1", port=postgres_server.port, user="postgres", autocommit=True
    ) as connection:
        for role in ("consent_owner", "consent_app"):
            exists = connection.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
            if not exists.fetchone():
                connection.execute(f"CREATE ROLE {role} LOGIN")
        connection.execute(f'CREATE DATABASE "{name}" OWNER consent_owner')
    base = f"postgresql+psycopg://{{}}@127.0.0.1:{postgres_server.port}/{name}"
    return postgres_server, name, base.format("consent_owner"), base.format("consent_app")


def test_the_application_role_runs_everything_with_the_pages_grants(roles, tmp_path):
    server, name, owner_url, app_url = roles
    owner = create_app(config_on(owner_url))
    migrated = owner.test_cli_runner().invoke(
        args=["consent", "init-db", "--grant-to", "consent_app"]
    )
    assert migrated.exit_code == 0, migrated.output
    assert "consent_app may add to the proof tables" in migrated.output
    with owner.app_context():
        db.engine.dispose()

    app = create_app(config_on(app_url, TESTING=False, MAIL_OUTBOX=str(tmp_path / "mail")))
    client = app.test_client()
    assert client.get("/readyz").json == {"status": "ready"}
    with app.app_context():
        c, s, p = world(Factory())
        Factory().record(s, "consent_given", p["newsletter"], channel="email")
        db.session.commit()
        page = link_for(c, s, locale="en")
        one_click = link_for(c, s, "unsubscribe", purposes=("newsletter",), channel="email")
        assert client.get(f"/preferences/{page}").status_code == 200
        answer = client.post(f"/unsubscribe/{one_click}", data={"List-Unsubscribe": "One-Click"})
        assert answer.status_code == 200
        runner = app.test_cli_runner()
        for command in (["worker", "--once"], ["checkpoint"], ["retention"], ["verify"]):
            result = runner.invoke(args=["consent", *command])
            assert result.exit_code == 0, (command, result.output)
        # Staff: a phone objection with its note, a request by letter, the staff log, and
        # an erasure that takes the note and the request's texts with the person.
        admin = staff_user(c, "admin")
        said = staff_changes.Said("objection", scope="direct_marketing", channel="phone",
                                  reference="T-1", note="Rang: niet meer bellen")  # fmt: skip
        staff_changes.record_said(admin, s, said)
        request = subject_requests.record(admin, s, "erasure", date.today(), note="Letter")
        staff_audit.log(admin, staff_audit.VIEWED, s)
        db.session.commit()
        staff_changes.record_said(admin, s, staff_changes.Said("erasure"), request=request)
        db.session.commit()
        assert staff_changes.notes_of(s) == []
        for statement in (
            "DELETE FROM events",
            "UPDATE receipts SET jws = ''",
            "DELETE FROM staff_audit",
        ):
            with pytest.raises(DBAPIError, match="permission denied|append-only"):
                db.session.execute(text(statement))
            db.session.rollback()
        db.session.remove()
        db.engine.dispose()
