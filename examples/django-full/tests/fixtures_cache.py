"""Fixtures of the cache on Redis (a pytest plugin, named in conftest.py's pytest_plugins)."""

import pytest
from django.core.cache import cache

import config.settings

# Where nothing listens: each connection is refused at once.
DEAD_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache, as the database starts empty: a page cached by one
    test must not answer another."""
    cache.clear()


@pytest.fixture
def dead_cache(settings):
    """The production cache (django-redis, as config/settings_cache.py has it), on a Redis that is
    down."""
    settings.CACHES = {"default": {**config.settings.CACHES["default"], "LOCATION": DEAD_REDIS}}
