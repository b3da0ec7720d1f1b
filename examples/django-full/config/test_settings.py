"""Settings for the test suite: the production settings, DEBUG off whatever .env says, made fast.

pytest-django imports this module before any conftest.py runs, so environment defaults are set here.
"""

import os

# Set before the real settings read .env, whose values never replace variables already set.
os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-not-secret")
os.environ.setdefault("DJANGO_DEBUG", "false")
# No error reports from the tests, whatever .env says.
os.environ["SENTRY_DSN"] = ""

from config.settings import *  # noqa: E402, F403

# The tests' server: TEST_DATABASE_URL (CI points it at PostgreSQL), else SQLite in memory, so that
# the suite runs on any machine. Django creates its own test database there and drops it after.
DATABASES = {"default": env.db_url("TEST_DATABASE_URL", default="sqlite://:memory:")}  # noqa: F405

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The test client speaks plain HTTP; tests/test_security.py turns the redirect back on.
SECURE_SSL_REDIRECT = False

# Plain storage, and static files straight from the apps as in development: no collectstatic needed.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# The cache in this process's memory: the tests need no Redis server.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Tasks run where they are queued, at once, and their errors reach the test: no worker, no Redis.
CELERY_TASK_ALWAYS_EAGER = True
