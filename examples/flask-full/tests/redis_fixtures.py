"""Redis down in the tests: a test marked `redis_down` (as every test of the test_*_outage.py
modules is) gets an app whose Redis is an address where nothing listens, so that each connection
is refused at once. tests/test_readiness.py checks that /ready answers 200 and names Redis
meanwhile."""

import pytest

DOWN = "redis://127.0.0.1:1/0"
# The test settings that keep Redis out: without them, the app uses Redis as in production.
WITHOUT_REDIS = {"CACHE_TYPE", "RATELIMIT_STORAGE_URI", "CELERY"}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "redis_down: the test's app has its Redis at DOWN")


@pytest.fixture
def app_config(request, app_config):
    """For a test marked `redis_down`: production's Redis settings, at DOWN."""
    if request.node.get_closest_marker("redis_down") is None:
        return app_config
    config = {key: value for key, value in app_config.items() if key not in WITHOUT_REDIS}
    return {**config, "REDIS_URL": DOWN}
