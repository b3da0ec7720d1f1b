"""/ready asks Redis too: while Redis is down, the site serves, and /ready names Redis as degraded.

Redis is "down" at an address where nothing listens: each connection is refused at once.
"""

import pytest
import redis

DEAD_REDIS = "redis://127.0.0.1:1/0"

pytestmark = pytest.mark.django_db


def test_ready_when_the_database_and_redis_answer(client, monkeypatch):
    # The tests run without a Redis server: this one answers the ping.
    monkeypatch.setattr(redis.Redis, "ping", lambda self: True)
    response = client.get("/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_names_redis_while_it_is_down(client, settings, caplog):
    settings.REDIS_URL = DEAD_REDIS
    response = client.get("/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded" and list(body["degraded"]) == ["redis"]
    assert body["degraded"]["redis"].startswith("Redis does not answer")
    assert "Degraded: Redis does not answer" in caplog.messages
