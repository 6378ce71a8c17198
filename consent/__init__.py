"""The consent and marketing-preference center."""

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from consent.config import config_for_environment

ROOT = Path(__file__).resolve().parent.parent


def create_app(config=None) -> Flask:
    """config → extensions → doors → errors → CLI."""
    app = Flask(
        __name__,
        root_path=str(ROOT),
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
    )
    app.config.from_object(config or config_for_environment())
    Path(app.instance_path).mkdir(exist_ok=True)

    from consent import api, console, mailservices, ops, recipient
    from consent.cli import consent_cli
    from consent.core import database, deployment
    from consent.core.database import db
    from consent.extensions import babel, csrf, limiter, migrate
    from consent.web import branding, errors, i18n, labels, log_redaction
    from consent.web.request_json import BoundedJSONProvider
    from consent.web.session_cookie import SessionCookie

    app.json = BoundedJSONProvider(app)
    app.session_interface = SessionCookie()
    if app.config["PROXY_COUNT"]:
        # Behind that many proxies, the client's address and scheme are the forwarded ones
        # (the rate limits key on it); without proxies, forwarded headers are ignored.
        hops = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    log_redaction.install()
    ops.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    i18n.install(app.jinja_env)
    limiter.init_app(app)

    for blueprint in (*recipient.BLUEPRINTS, api.bp, console.bp, mailservices.bp):
        app.register_blueprint(blueprint)
    csrf.exempt(api.bp)
    csrf.exempt(mailservices.bp)
    app.context_processor(i18n.template_context)
    app.jinja_env.globals["labels"] = labels
    app.jinja_env.globals["brand"] = branding.of
    errors.register(app)
    app.cli.add_command(consent_cli)
    with app.app_context():
        database.ping_when_idle(db.engine)
        try:
            app.extensions["schema_ready"] = deployment.schema_ready()
            deployment.check_email_hash_key()
        finally:
            # No connection outlives start-up: a server forks its workers after it.
            db.session.remove()
            db.engine.dispose()
    return app
