"""Shop: the application factory."""

import logging
import os
from logging.config import dictConfig

from flask import Flask
from flask.helpers import get_debug_flag

from . import (
    account_logging,
    accounts,
    admin,
    api,
    caching,
    error_pages,
    errors,
    extensions,
    hardening,
    health,
    main,
    metrics,
    notes,
    readiness,
    request_id,
    sentry,
    tasks,
    token_admin,
    tracing,
    two_factor,
)

# Request bodies larger than this are refused with 413 before a view reads them.
MAX_CONTENT_LENGTH = 1024 * 1024


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the Flask application.

    Configuration is read in this order, each step overriding the one before: the defaults
    (`MAX_CONTENT_LENGTH`, 1 MiB); every `FLASK_*` environment variable without its prefix
    (`FLASK_SECRET_KEY` sets `SECRET_KEY`; values are parsed as JSON where they can be, so
    `FLASK_DEBUG=false` is a boolean); then `test_config`, when given. Each extension's module
    fills in the defaults of its own settings.

    Raises:
        RuntimeError: no `SECRET_KEY` is configured, or in production a weak one
            (see hardening.py); sessions must never be signed with a guessable key.
    """
    configure_logging(os.environ.get("FLASK_LOG_LEVEL", "INFO"), readable=get_debug_flag())
    sentry.init()
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(MAX_CONTENT_LENGTH=MAX_CONTENT_LENGTH)
    app.config.from_prefixed_env()
    if test_config is not None:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError(
            "FLASK_SECRET_KEY is not set. Put it in the environment or in .env; see .env.example."
        )

    # Redis, shared by all processes.
    app.config.setdefault("REDIS_URL", os.environ.get("REDIS_URL", "redis://localhost:6379/0"))
    metrics.init_app(app)
    request_id.init_app(app)
    hardening.init_app(app)
    errors.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(main.bp)
    extensions.init_app(app)
    app.register_blueprint(notes.bp)
    app.register_blueprint(readiness.bp)
    caching.init_app(app)
    tasks.celery_init_app(app)
    two_factor.init_app(app)
    accounts.init_app(app)
    account_logging.init_app(app)
    admin.init_app(app)
    api.init_app(app)
    token_admin.init_app(app)
    error_pages.init_app(app)
    tracing.init(app)
    return app


def configure_logging(level: str, readable: bool = False) -> None:
    """Write every record of `level` (a name such as "INFO") or above to stdout, for the process
    manager or container runtime to collect: one JSON object per line, or a line of text when
    `readable` (in development: `FLASK_DEBUG` on).

    JSON keys: time (ISO 8601, UTC), level, logger, message, request_id (see request_id.py; null
    outside a request), traceback when there is one, and the `extra` fields given to the log
    call, such as the request line's method, path, status and duration_ms.

    Runs before the app exists, so that Flask adds no handler of its own to `app.logger`, which
    logs the traceback of every unhandled exception. Does nothing when the root logger has
    handlers already, as under pytest, which collects the records itself.
    """
    if logging.getLogger().handlers:
        return
    dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "filters": {"request_id": {"()": request_id.RequestIdFilter}},
            "formatters": {
                "json": {
                    "()": "pythonjsonlogger.json.JsonFormatter",
                    "fmt": "{levelname}{name}{message}{request_id}",
                    "style": "{",
                    "rename_fields": {
                        "levelname": "level",
                        "name": "logger",
                        "exc_info": "traceback",
                    },
                    "timestamp": "time",
                },
                "line": {"format": "%(asctime)s %(levelname)s [%(name)s] %(message)s"},
            },
            "handlers": {
                "stdout": {
                    "class": "logging.StreamHandler",
                    "stream": "ext://sys.stdout",
                    "filters": ["request_id"],
                    "formatter": "line" if readable else "json",
                },
            },
            "root": {"level": level, "handlers": ["stdout"]},
        }
    )
