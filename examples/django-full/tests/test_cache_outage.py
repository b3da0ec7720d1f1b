"""While the cache's Redis is down (the dead_cache fixture), each cache call is a miss: the site
serves from the database, and logs the outage once a minute.
"""

from datetime import UTC, datetime, timedelta

import pytest

import config.settings
from shop.notes.models import Note

# Where nothing listens: each connection is refused at once.
DEAD_REDIS = "redis://127.0.0.1:1/0"

pytestmark = pytest.mark.django_db


def test_a_list_cached_before_the_outage_is_not_served_after_it(
    client, user, settings, django_capture_on_commit_callbacks
):
    client.force_login(user)
    Note.objects.create(owner=user, title="Before", body="x")
    assert "Before" in client.get("/notes/").text
    # The cache (which keeps what it held) is down while a note is written, then back.
    live = settings.CACHES
    settings.CACHES = {"default": {**config.settings.CACHES["default"], "LOCATION": DEAD_REDIS}}
    with django_capture_on_commit_callbacks(execute=True):
        Note.objects.create(owner=user, title="During", body="x")
    settings.CACHES = live
    assert "During" in client.get("/notes/").text


def test_the_outage_is_logged_once_a_minute(dead_cache, client, user, caplog, time_machine):
    # Later than any earlier test's line, on a clock that moves only when the test moves it; the
    # session starts then, or it would have expired.
    time_machine.move_to(datetime.now(UTC) + timedelta(days=1), tick=False)
    client.force_login(user)
    # Signing in may call the cache too: the test's minute starts after the line it logged.
    time_machine.shift(61)
    caplog.clear()

    def outage_lines() -> int:
        return len([record for record in caplog.records if record.name == "django_redis.cache"])

    # Each request makes several cache calls, and each fails.
    for _ in range(3):
        assert client.get("/notes/").status_code == 200
    assert outage_lines() == 1
    time_machine.shift(59)
    client.get("/notes/")
    assert outage_lines() == 1
    time_machine.shift(2)
    client.get("/notes/")
    assert outage_lines() == 2
