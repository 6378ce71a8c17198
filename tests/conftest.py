"""Fixtures: an app and a fresh database per test, on SQLite and on a real PostgreSQL."""

import os
import shutil

import pytest
from playwright.sync_api import sync_playwright
from sqlalchemy import text

from consent import create_app
from consent.config import TestConfig
from consent.core.database import db
from tests.factories import Factory
from tests.live import CHROMIUM_ARGS
from tests.postgres import PostgresServer


@pytest.fixture(scope="session")
def postgres_server():
    if os.environ.get("TEST_DATABASE_URL"):
        yield None
        return
    server = PostgresServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pg_url(postgres_server):
    return os.environ.get("TEST_DATABASE_URL") or postgres_server.database("consent_test")


_pg_schema_ready = set()


def _config(database_url: str, **overrides):
    """TestConfig on this database, with a pool large enough for the concurrency tests."""
    settings = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 60, "max_overflow": 0, "pool_pre_ping": True},
    }
    return type("Config", (TestConfig,), {**settings, **overrides})


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app(_config(database_url, MAIL_OUTBOX=str(tmp_path / "outbox")))
    with app.app_context():
        if database_url.startswith("postgresql"):
            if database_url not in _pg_schema_ready:
                db.drop_all()
                db.create_all()
                _pg_schema_ready.add(database_url)
            tables = ", ".join(t.name for t in db.metadata.sorted_tables)
            db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            db.session.commit()
        else:
            db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make(app):
    """Factories for controllers, purposes and subjects (tests/factories.py)."""
    return Factory()


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium driven by Playwright (`.ci/run` installs it when missing)."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    assert executable, "Chromium is needed for the browser tests (apt-get install chromium)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
