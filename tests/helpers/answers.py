"""Named answer sets, generated once per session by the `generate` fixture (tests/conftest.py)."""

from __future__ import annotations

import pytest
import yaml

from .template import TEMPLATE_ROOT

# Every option on (the full renders of examples/ and the tests that take packs out of one), from
# scripts/examples.yml; Flask adds every extension to it.
EVERY_OPTION: dict[str, object] = yaml.safe_load((TEMPLATE_ROOT / "scripts" / "examples.yml").read_text())[
    "every_option"
]
EVERY_EXTENSION = ["sqlalchemy", "admin", "security"]

# Named answer sets. Each is generated at most once per session (per xdist worker: the tests of one set share
# an xdist group, so one worker takes them all).
ANSWER_SETS: dict[str, dict[str, object]] = {
    "flask": {"project_name": "Shop", "framework": "flask", "flask_extensions": []},
    "flask-sqlalchemy": {"project_name": "Shop", "framework": "flask", "flask_extensions": ["sqlalchemy"]},
    # Admin and security alone: copier.yml brings sqlalchemy in with them.
    "flask-admin": {"project_name": "Shop", "framework": "flask", "flask_extensions": ["admin"]},
    "flask-security": {"project_name": "Shop", "framework": "flask", "flask_extensions": ["security"]},
    "flask-all": {
        "project_name": "Shop",
        "framework": "flask",
        "flask_extensions": ["sqlalchemy", "admin", "security"],
    },
    "django": {"project_name": "Shop", "framework": "django"},
    # Sensitive data: two-factor sign-in by default.
    "django-sensitive": {"project_name": "Shop", "framework": "django", "data_sensitivity": "sensitive"},
    # app_kind: "django" above is both (the default), pages and the API.
    "django-api": {"project_name": "Shop", "framework": "django", "app_kind": "api"},
    "django-site": {"project_name": "Shop", "framework": "django", "app_kind": "site"},
    # As it scales (tests/test_scale.py): Celery tasks and the cache on Redis, PostgreSQL; then each alone, on SQLite.
    "django-scale": {
        "project_name": "Shop",
        "framework": "django",
        "background_tasks": True,
        "cache": "redis",
        "database": "postgresql",
    },
    "django-tasks": {"project_name": "Shop", "framework": "django", "background_tasks": True, "cache": "none"},
    "django-cache": {"project_name": "Shop", "framework": "django", "background_tasks": False, "cache": "redis"},
    # The heavy-load microservice: an API only, with tasks and the cache.
    "django-api-scale": {
        "project_name": "Shop",
        "framework": "django",
        "app_kind": "api",
        "background_tasks": True,
        "cache": "redis",
    },
    "flask-sensitive": {
        "project_name": "Shop",
        "framework": "flask",
        "flask_extensions": ["sqlalchemy", "admin", "security"],
        "data_sensitivity": "sensitive",
    },
    # Flask's app_kind: the Flask sets above are both (the default), pages and the API.
    "flask-all-api": {
        "project_name": "Shop",
        "framework": "flask",
        "flask_extensions": ["sqlalchemy", "admin", "security"],
        "app_kind": "api",
    },
    "flask-all-site": {
        "project_name": "Shop",
        "framework": "flask",
        "flask_extensions": ["sqlalchemy", "admin", "security"],
        "app_kind": "site",
    },
    # A read-only API (no accounts), and a JSON-only service without a database.
    "flask-sqlalchemy-api": {
        "project_name": "Shop",
        "framework": "flask",
        "flask_extensions": ["sqlalchemy"],
        "app_kind": "api",
    },
    "flask-api": {"project_name": "Shop", "framework": "flask", "flask_extensions": [], "app_kind": "api"},
    # As it scales (tests/test_scale.py): Celery tasks and the cache on Redis, PostgreSQL; then each alone, on SQLite,
    # tasks without accounts, the cache with them.
    "flask-scale": {
        "project_name": "Shop",
        "framework": "flask",
        "flask_extensions": ["sqlalchemy", "admin", "security"],
        "background_tasks": True,
        "cache": "redis",
        "database": "postgresql",
    },
    "flask-tasks": {
        "project_name": "Shop",
        "framework": "flask",
        "flask_extensions": ["sqlalchemy"],
        "background_tasks": True,
        "cache": "none",
    },
    "flask-cache": {
        "project_name": "Shop",
        "framework": "flask",
        "flask_extensions": ["security"],
        "background_tasks": False,
        "cache": "redis",
    },
    # Observability with everything on (tests/test_error_reporting.py, test_metrics.py, test_tracing.py): Sentry,
    # Prometheus and OpenTelemetry, with accounts, to sign in, and tasks.
    "django-observed": {
        "project_name": "Shop",
        "framework": "django",
        "background_tasks": True,
        "cache": "none",
        "error_tracking": "sentry",
        "metrics": "prometheus",
        "tracing": "opentelemetry",
    },
    "flask-observed": {
        "project_name": "Shop",
        "framework": "flask",
        "flask_extensions": ["sqlalchemy", "security"],
        "background_tasks": True,
        "cache": "none",
        "error_tracking": "sentry",
        "metrics": "prometheus",
        "tracing": "opentelemetry",
    },
}


def answer_sets(*names: str):
    """pytest parameters for `names`, each in its own xdist group so that one worker generates it."""
    return [pytest.param(name, id=name, marks=pytest.mark.xdist_group(name)) for name in names]
