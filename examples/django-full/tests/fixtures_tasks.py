"""Fixtures of the background tasks (a pytest plugin, named in conftest.py's pytest_plugins)."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from celery import current_app

# Where nothing listens: each connection is refused at once.
DEAD_REDIS = "redis://127.0.0.1:1/0"


@contextmanager
def _broker_down() -> Iterator[None]:
    conf = current_app.conf
    eager, broker_url = conf.task_always_eager, conf.broker_url
    conf.update(task_always_eager=False, broker_url=DEAD_REDIS)
    try:
        yield
    finally:
        conf.update(task_always_eager=eager, broker_url=broker_url)


@pytest.fixture
def broker_down():
    """`with broker_down():` within, Celery sends its tasks to a broker that is down, instead of
    running them at once as the test settings have it."""
    return _broker_down
