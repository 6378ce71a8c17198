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
