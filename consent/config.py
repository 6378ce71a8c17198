"""Configuration classes; the only module that reads the environment."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"

DEV_SECRET = "dev-only-secret-do-not-use-in-production"
# 32 characters or more for every production secret (≥ 32 random bytes, encoded).
MIN_SECRET_LENGTH = 32


def _list(value: str | None) -> list[str]:
    return [item.strip() for item in (value or "").split(",") if item.strip()]


def environment_secret(name: str) -> str | None:
    """A secret the catalogue names by its environment variable (a webhook's `secret_env`),
    read when it is used: the catalogue file and the database never hold it."""
    return os.environ.get(name) or None


class Config:
    """Development defaults: a SQLite file in instance/, a local outbox for mail."""

    SECRET_KEYS = _list(os.environ.get("SECRET_KEYS")) or [DEV_SECRET]
    SECRET_KEY = SECRET_KEYS[0]
    # Keyed email hashes outlive erasure and key rotation, so they have their own key.
    EMAIL_HASH_KEY = os.environ.get("EMAIL_HASH_KEY") or SECRET_KEYS[-1]
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or (
        f"sqlite:///{INSTANCE / 'consent.sqlite'}"
    )
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    LINK_MAX_AGE_DAYS = int(os.environ.get("LINK_MAX_AGE_DAYS", "90"))
    # How far back an API event's occurred_at may lie (clock skew of a calling system);
    # a decision collected earlier is recorded now with given_at.
    BACKDATE_WINDOW_SECONDS = int(os.environ.get("BACKDATE_WINDOW_SECONDS", "0"))
    # Receipt links are opened years later, as proof.
    RECEIPT_LINK_MAX_AGE_DAYS = int(os.environ.get("RECEIPT_LINK_MAX_AGE_DAYS", "3650"))
    # Ed25519 receipt keys (PEM, or secrets to derive from; newest first); without them the
    # keys are derived from SECRET_KEYS. Retired public keys (JWK or x) stay in the JWKS.
    RECEIPT_SIGNING_KEYS = os.environ.get("RECEIPT_SIGNING_KEYS", "")
    RECEIPT_PUBLIC_KEYS = os.environ.get("RECEIPT_PUBLIC_KEYS", "")
    # Checkpoint keys (SPEC §10): their own, never derived from SECRET_KEYS; required in
    # production. Retired public keys stay in the JWKS.
    CHECKPOINT_SIGNING_KEYS = os.environ.get("CHECKPOINT_SIGNING_KEYS", "")
    CHECKPOINT_PUBLIC_KEYS = os.environ.get("CHECKPOINT_PUBLIC_KEYS", "")
    # A checkpoint run looks this far behind the newest covered event for events whose
    # transaction committed late (far longer than any request or import batch lasts).
    CHECKPOINT_GRACE_SECONDS = int(os.environ.get("CHECKPOINT_GRACE_SECONDS", "300"))
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(4 * 1024 * 1024)))
    UNSUBSCRIBE_MAILTO = os.environ.get("UNSUBSCRIBE_MAILTO", "")

    SMTP_HOST = os.environ.get("SMTP_HOST", "")
    SMTP_PORT = int(os.environ.get("SMTP_PORT", "25"))
    SMTP_USER = os.environ.get("SMTP_USER", "")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD", "")
    SMTP_STARTTLS = os.environ.get("SMTP_STARTTLS", "") == "1"
    MAIL_FROM = os.environ.get("MAIL_FROM", "preferences@localhost")
    MAIL_OUTBOX = os.environ.get("MAIL_OUTBOX", str(INSTANCE / "outbox"))
    # The worker: first retry after this many seconds, doubling; dead after so many attempts.
    OUTBOX_RETRY_SECONDS = int(os.environ.get("OUTBOX_RETRY_SECONDS", "30"))
    OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "8"))
    WORKER_POLL_SECONDS = float(os.environ.get("WORKER_POLL_SECONDS", "1"))
    # Webhooks: how long one delivery may take, and the CA bundle that signs the receivers'
    # certificates when they are not in the system's store (a private CA); empty: the system's.
    WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "10"))
    WEBHOOK_CA_FILE = os.environ.get("WEBHOOK_CA_FILE", "")
    # A catalogue change touching more people than this has their state recomputed by the
    # worker, this many at a time, after the commit.
    STATE_REBUILD_INLINE = int(os.environ.get("STATE_REBUILD_INLINE", "10000"))
    STATE_REBUILD_BATCH = int(os.environ.get("STATE_REBUILD_BATCH", "1000"))

    # Rate limits are counted per process unless a shared store is named (e.g. redis://…);
    # with several server processes, name one.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    # How many reverse proxies stand in front of the app and set X-Forwarded-For/-Proto/
    # -Host; 0 trusts no such header (a client could otherwise choose its own address).
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
    RATELIMIT_HEADERS_ENABLED = True
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "translations")
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_SAMESITE = "Lax"
    # A console session ends after this long without a request.
    CONSOLE_IDLE_MINUTES = int(os.environ.get("CONSOLE_IDLE_MINUTES", "30"))
    SESSION_COOKIE_HTTPONLY = True
    # GET /metrics answers only `Authorization: Bearer <this>`; unset, /metrics is 404.
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
    # Under gunicorn: a directory, emptied at each start, where every worker process keeps
    # its counters so /metrics adds them up (gunicorn.conf.py names one when unset;
    # prometheus_client reads it from the environment itself, at import).
    PROMETHEUS_MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
    # One JSON object a line for a log collector, or plain text for a person at a terminal.
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    TESTING = False
    DEBUG = False


class TestConfig(Config):
    """Fresh database and fixed secrets per test; no outbound mail unless a test sets SMTP."""

    TESTING = True
    SECRET_KEYS = ["test-secret-new", "test-secret-old"]
    SECRET_KEY = SECRET_KEYS[0]
    EMAIL_HASH_KEY = "test-email-hash-key"
    CHECKPOINT_SIGNING_KEYS = "test-checkpoint-key"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    PUBLIC_BASE_URL = "https://prefs.example.test"
    RATELIMIT_ENABLED = False
    SMTP_HOST = ""


class ProductionConfig(Config):
    """Refuses to start on development secrets."""

    SESSION_COOKIE_SECURE = True
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")

    @classmethod
    def check(cls) -> None:
        if DEV_SECRET in cls.SECRET_KEYS or not os.environ.get("SECRET_KEYS"):
            raise ConfigurationError("SECRET_KEYS must be set to real secrets in production")
        if not os.environ.get("EMAIL_HASH_KEY"):
            raise ConfigurationError("EMAIL_HASH_KEY must be set in production")
        if not os.environ.get("CHECKPOINT_SIGNING_KEYS"):
            raise ConfigurationError("CHECKPOINT_SIGNING_KEYS must be set in production")
        if not os.environ.get("DATABASE_URL"):
            raise ConfigurationError("DATABASE_URL must be set in production")
        if cls.METRICS_TOKEN and len(cls.METRICS_TOKEN) < MIN_SECRET_LENGTH:
            raise ConfigurationError(f"METRICS_TOKEN needs {MIN_SECRET_LENGTH}+ characters")
        if not cls.PUBLIC_BASE_URL.startswith("https://"):
            raise ConfigurationError("PUBLIC_BASE_URL must be an https URL in production")
        secrets = {
            "SECRET_KEYS": cls.SECRET_KEYS,
            "EMAIL_HASH_KEY": [cls.EMAIL_HASH_KEY],
            "CHECKPOINT_SIGNING_KEYS": _list(cls.CHECKPOINT_SIGNING_KEYS),
        }
        for name, values in secrets.items():
            if any(len(value) < MIN_SECRET_LENGTH for value in values):
                raise ConfigurationError(
                    f"{name}: each secret needs {MIN_SECRET_LENGTH}+ characters"
                )
        every = [value for values in secrets.values() for value in values]
        if len(set(every)) != len(every):
            raise ConfigurationError(
                "SECRET_KEYS, EMAIL_HASH_KEY and CHECKPOINT_SIGNING_KEYS must all differ"
            )


class ConfigurationError(RuntimeError):
    """A setting the app refuses to start with; the message says what to fix."""


def config_for_environment():
    """CONSENT_ENV=production selects ProductionConfig; unset or `development` is
    development; anything else (a typo like `Production`) refuses to start."""
    environment = os.environ.get("CONSENT_ENV", "development")
    if environment == "production":
        ProductionConfig.check()
        return ProductionConfig
    if environment != "development":
        raise ConfigurationError(
            f"CONSENT_ENV must be production or development, not {environment!r}"
        )
    return Config
