"""The app's settings in tests: TestConfig on a given database."""

from consent.config import TestConfig


def config_on(database_url: str, **overrides):
    """TestConfig on this database, with a pool large enough for the concurrency tests."""
    settings = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 60, "max_overflow": 0},
    }
    return type("Config", (TestConfig,), {**settings, **overrides})
