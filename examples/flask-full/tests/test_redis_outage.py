"""While Redis does not answer, the app serves from the database:
- the cache misses, and says so in the log once a minute;
- rate limits count in each process;
- writes are saved, and their counts queued later;
- /ready answers 200 and names Redis (tests/test_readiness.py).

Redis here is an address where nothing listens (DOWN), so each connection is refused at once.
"""

import logging
from datetime import UTC, datetime

import pytest
from conftest import TEST_CONFIG
from redis import ConnectionError as RedisConnectionError

from shop import create_app, tasks
from shop.caching import OUTAGE_LOG_INTERVAL, cache, invalidate_list, list_version
from shop.extensions import db
from shop.models import Note

DOWN = "redis://127.0.0.1:1/0"
# Production's Redis settings, at DOWN: the settings the other tests override are left out.
DOWN_CONFIG = {
    **{
        key: value
        for key, value in TEST_CONFIG.items()
        if key not in {"CACHE_TYPE", "RATELIMIT_STORAGE_URI", "CELERY"}
    },
    "REDIS_URL": DOWN,
}
USER = "ada@example.com"


@pytest.fixture
def app():
    """The app with its Redis at DOWN: cache, rate limits and task queue."""
    app = create_app(DOWN_CONFIG)
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def notes(app) -> list[Note]:
    with app.app_context():
        found = db.session.scalars(db.select(Note).order_by(Note.id)).all()
        db.session.expunge_all()
        return found


def test_sign_in_the_notes_pages_and_writes_work(app, client, make_user, login, csrf_token):
    make_user(USER)
    assert login(USER).status_code == 302
    assert client.get("/notes/").status_code == 200
    data = {"csrf_token": csrf_token("/notes/"), "title": "Saved", "body": "while Redis is down"}
    assert client.post("/notes/", data=data).status_code == 302
    page = client.get("/notes/")
    assert page.status_code == 200 and "Saved" in page.text
    assert "Words not counted yet." in page.text
    assert [note.title for note in notes(app)] == ["Saved"]


def test_rate_limits_still_hold_in_each_process(app, client, make_user, csrf_token, caplog):
    app.config["SIGN_IN_RATE"] = "2 per minute"
    make_user(USER)
    statuses = []
    for _ in range(3):
        data = {"email": USER, "password": "wrong", "csrf_token": csrf_token("/login")}
        statuses.append(client.post("/login", data=data).status_code)
    # Two wrong passwords answered, then the limit, counted in memory; the lockout needs 5.
    assert 429 not in statuses[:2] and statuses[2] == 429
    assert "falling back to in-memory storage" in caplog.text


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


def test_a_write_while_the_queue_is_down_is_saved_then_counted_once_requeued(app, caplog):
    with app.app_context():
        db.session.add(Note(title="Saved", body="one two three"))
        db.session.commit()
    assert "not queued" in caplog.text
    [note] = notes(app)
    assert note.word_count is None
    # Redis is back: the periodic task queues the count (run here, eagerly).
    app.extensions["celery"].conf.task_always_eager = True
    with app.app_context():
        assert tasks.requeue_uncounted() == 1
        assert tasks.requeue_uncounted() == 0
    assert notes(app)[0].word_count == 3
