"""Shop: the application factory."""

import logging
import sys

from flask import Flask

from . import accounts, admin, errors, extensions, hardening, health, main, notes, readiness


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the Flask application.

    Configuration is read in this order, each step overriding the one before:
    every `FLASK_*` environment variable without its prefix (`FLASK_SECRET_KEY` sets
    `SECRET_KEY`; values are parsed as JSON where they can be, so `FLASK_DEBUG=false`
    is a boolean); then `test_config`, when given. Each extension's module fills in
    the defaults of its own settings.

    Raises:
        RuntimeError: no `SECRET_KEY` is configured, or in production a weak one
            (see hardening.py); sessions must never be signed with a guessable key.
    """
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_prefixed_env()
    if test_config is not None:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError(
            "FLASK_SECRET_KEY is not set. Put it in the environment or in .env; see .env.example."
        )
    # One line per record on stdout, for the process manager or container runtime to collect.
    # A no-op when logging is configured already, by pytest for one.
    logging.basicConfig(
        stream=sys.stdout,
        level=app.config.get("LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s [%(name)s] %(message)s",
    )

    hardening.init_app(app)
    errors.init_app(app)
    app.register_blueprint(main.bp)
    extensions.init_app(app)
    app.register_blueprint(notes.bp)
    app.register_blueprint(readiness.bp)
    accounts.init_app(app)
    admin.init_app(app)
    # Last, around everything: liveness probes skip every per-request hook.
    app.wsgi_app = health.HealthInFront(app.wsgi_app)
    return app
