"""While Redis does not answer, the cache misses without raising, and says so in the log once per
OUTAGE_LOG_INTERVAL, and once when Redis is back."""

import logging
from datetime import UTC, datetime

import pytest
from redis import ConnectionError as RedisConnectionError

from shop.caching import (
    OUTAGE_LOG_INTERVAL,
    cache,
    invalidate_list,
    list_version,
)

pytestmark = pytest.mark.redis_down


def test_the_list_version_is_new_each_time_and_invalidating_does_not_raise(app):
    with app.test_request_context():
        first, second = list_version(), list_version()
        assert first != second
        invalidate_list()


def test_the_outage_is_logged_once_per_interval_and_the_recovery_once(
    app, caplog, time_machine, monkeypatch
):
    time_machine.move_to(datetime.now(UTC), tick=False)
    caplog.set_level(logging.INFO, logger="shop.caching")

    def warnings() -> int:
        return caplog.text.count("The cache misses: Redis does not answer")

    with app.app_context():
        for _ in range(5):
            assert cache.get("key") is None
            assert cache.set("key", "value") is False
        assert warnings() == 1
        time_machine.shift(OUTAGE_LOG_INTERVAL - 1)
        cache.get("key")
        assert warnings() == 1
        time_machine.shift(1)
        cache.get("key")
        assert warnings() == 2
        # Redis answers again: its client reads a value, and the next failure warns at once.
        client = cache.cache._read_client
        monkeypatch.setattr(client, "get", lambda key: None)
        assert cache.get("key") is None
        assert caplog.text.count("The cache is back") == 1

        def refused(key):
            raise RedisConnectionError("refused")

        monkeypatch.setattr(client, "get", refused)
        cache.get("key")
        assert warnings() == 3
