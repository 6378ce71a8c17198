"""The consent and marketing-preference center."""

from pathlib import Path

from flask import Flask

from .config import config_for_environment

ROOT = Path(__file__).resolve().parent.parent


def create_app(config=None) -> Flask:
    """config → extensions → blueprints → errors → CLI."""
    app = Flask(
        __name__,
        root_path=str(ROOT),
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
    )
    app.config.from_object(config or config_for_environment())
    Path(app.instance_path).mkdir(exist_ok=True)

    from . import (
        api,
        audit_api,  # noqa: F401  (its routes join api.bp on import)
        console,
        errors,
        i18n,
        labels,
        preferences,
        receipt_views,
        wellknown,
    )
    from .cli import consent_cli
    from .extensions import babel, csrf, db, limiter, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    limiter.init_app(app)

    app.register_blueprint(preferences.bp)
    app.register_blueprint(wellknown.bp)
    app.register_blueprint(receipt_views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(console.bp)
    csrf.exempt(api.bp)
    app.context_processor(i18n.template_context)
    app.jinja_env.globals["labels"] = labels
    errors.register(app)
    app.cli.add_command(consent_cli)
    return app
