"""Configuration: safe development defaults; production refuses to start on them."""

import subprocess
import sys

import pytest

from consent import ROOT

PRODUCTION = {
    "CONSENT_ENV": "production",
    "SECRET_KEYS": "a-real-secret-of-enough-length-0123456789,an-older-one-also-long-0123456789",
    "EMAIL_HASH_KEY": "another-real-secret-for-email-hashes-0123",
    "DATABASE_URL": "sqlite:///:memory:",
    "PUBLIC_BASE_URL": "https://prefs.example.com",
    "CHECKPOINT_SIGNING_KEYS": "a-checkpoint-secret-kept-apart-0123456789",
}


def start(env: dict) -> subprocess.CompletedProcess:
    """Build the app in a fresh interpreter, as a server process would, with only `env`."""
    return subprocess.run(
        [sys.executable, "-c", "import app; print(app.app.config['SECRET_KEYS'][0])"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_starts_with_real_settings():
    result = start(PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "a-real-secret-of-enough-length-0123456789"


@pytest.mark.parametrize(
    "missing", ["SECRET_KEYS", "EMAIL_HASH_KEY", "DATABASE_URL", "CHECKPOINT_SIGNING_KEYS"]
)
def test_production_refuses_to_start_without(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = start(env)
    assert result.returncode != 0
    assert missing in result.stderr


def test_production_refuses_the_development_secret_and_plain_http():
    dev = start({**PRODUCTION, "SECRET_KEYS": "dev-only-secret-do-not-use-in-production"})
    assert dev.returncode != 0 and "SECRET_KEYS" in dev.stderr
    plain = start({**PRODUCTION, "PUBLIC_BASE_URL": "http://prefs.example.com"})
    assert plain.returncode != 0 and "https" in plain.stderr


def test_development_defaults_need_no_environment():
    result = start({})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "dev-only-secret-do-not-use-in-production"


def test_production_refuses_short_or_shared_secrets_and_unknown_environments():
    """Before: SECRET_KEYS=a, a hash key equal to the secret, and CONSENT_ENV=Production
    (read as development) all started."""
    short = start({**PRODUCTION, "SECRET_KEYS": "a"})
    assert short.returncode != 0 and "32+ characters" in short.stderr
    shared = start({**PRODUCTION, "EMAIL_HASH_KEY": PRODUCTION["SECRET_KEYS"].split(",")[0]})
    assert shared.returncode != 0 and "must all differ" in shared.stderr
    typo = start({**PRODUCTION, "CONSENT_ENV": "Production"})
    assert typo.returncode != 0 and "CONSENT_ENV must be production or development" in typo.stderr


def test_an_uninitialised_database_says_what_to_run(tmp_path):
    """Issue 15 item 14: before, every page answered 500 on a missing table."""
    from consent import create_app
    from consent.core.database import db
    from tests.support.settings import config_on

    app = create_app(config_on(f"sqlite:///{tmp_path / 'empty.sqlite'}"))
    client = app.test_client()
    page = client.get("/?lang=en")
    assert page.status_code == 503 and "flask --app app consent init-db" in page.get_data(True)
    api = client.get("/api/v1/purposes")
    assert api.status_code == 503
    assert api.get_json()["error"]["code"] == "database_not_initialised"
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    assert client.get("/?lang=en").status_code == 200


def test_a_refused_setting_stops_the_app_with_one_line(tmp_path):
    """Issue 15 item 14: a production-guard failure prints one line, not a traceback."""
    import os

    env = {**os.environ, "CONSENT_ENV": "Production"}
    result = subprocess.run(
        [sys.executable, "-c", "import app"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "consent: CONSENT_ENV must be production or development, not 'Production'"
    ]


def test_the_readme_names_every_setting_the_code_reads():
    """Issue 15 item 14: the configuration table lists every environment variable
    consent/config.py reads; gunicorn's own settings are in docs/deploy.md."""
    import re

    read = set(re.findall(r'environ.get\("([A-Z_]+)"', (ROOT / "consent/config.py").read_text()))
    served = set(re.findall(r'environ.get\("([A-Z_]+)"', (ROOT / "gunicorn.conf.py").read_text()))
    readme = (ROOT / "README.md").read_text()
    deploy = (ROOT / "docs/deploy.md").read_text()
    assert read and served
    assert {name for name in read if f"`{name}`" not in readme} <= {"CONSENT_ENV"}
    assert "`CONSENT_ENV=production`" in readme
    assert {name for name in served - read if f"`{name}`" not in deploy} == set()
