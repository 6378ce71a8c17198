"""Fixtures: an app and a fresh database per test, on SQLite and on a real PostgreSQL."""

import os
import shutil

import pytest
from aiosmtpd.controller import Controller
from flask import has_request_context
from playwright.sync_api import sync_playwright
from sqlalchemy import text

from consent import create_app
from consent.core.database import db
from consent.web import mail
from tests.support import insider as insider_tools
from tests.support.factories import Factory
from tests.support.live import CHROMIUM_ARGS
from tests.support.mail import Sink, free_port
from tests.support.postgres import PostgresServer
from tests.support.settings import config_on


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


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app(config_on(database_url, MAIL_OUTBOX=str(tmp_path / "outbox")))
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
        app.extensions["schema_ready"] = True  # what init-db does, done above
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


@pytest.fixture
def smtp(app):
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(
        SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, MAIL_FROM="prefs@acme.example"
    )
    yield sink
    controller.stop()


def pytest_collection_modifyitems(items):
    """Mark the tests that drive Chromium, so `make test-fast` can leave them out."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True)
def mail_leaves_only_through_the_worker(monkeypatch):
    """Suite-wide: a request that tries to send mail fails; only the worker sends."""
    real_send = mail.send

    def refuse_inside_requests(*args, **kwargs):
        if has_request_context():
            raise AssertionError("mail sent inside a request; it must go through the outbox")
        return real_send(*args, **kwargs)

    monkeypatch.setattr(mail, "send", refuse_inside_requests)


@pytest.fixture
def insider(app):
    """The append-only triggers dropped, as someone with database access would; restored
    afterwards (the PostgreSQL schema is shared by the session)."""
    insider_tools.drop_triggers()
    yield insider_tools
    db.session.rollback()
    insider_tools.restore_triggers()
