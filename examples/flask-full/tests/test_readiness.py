"""Readiness: /ready answers 503 while the database does not answer or has migrations to apply;
/health never asks it. While Redis does not answer, /ready answers 200 and names it.
"""

import pytest
from flask_migrate import upgrade
from redis import Redis

from shop import create_app
from shop.extensions import db
from shop.readiness import REDIS_DOWN


@pytest.fixture
def file_app(app, tmp_path):
    """The app on an empty SQLite file, with no table yet, and Redis at an address where nothing
    listens, as while Redis is down."""
    database = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    app = create_app(
        {**app.config, "SQLALCHEMY_DATABASE_URI": database, "REDIS_URL": "redis://127.0.0.1:1/0"}
    )
    yield app
    with app.app_context():
        db.engine.dispose()


def test_not_ready_until_the_migrations_are_applied_then_ready(file_app, caplog, monkeypatch):

    client = file_app.test_client()
    response = client.get("/ready")
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "unavailable",
        "reason": "the database has migrations to apply",
    }
    assert "migrations to apply" in caplog.text
    with file_app.app_context():
        upgrade()
    response = client.get("/ready")
    assert response.status_code == 200
    assert response.get_json() == {"status": "degraded", "degraded": {"redis": REDIS_DOWN}}
    assert REDIS_DOWN.startswith("Redis does not answer")
    # Redis answers PING again.
    monkeypatch.setattr(Redis, "ping", lambda client: True)
    response = client.get("/ready")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_not_ready_when_the_database_cannot_be_opened(app, tmp_path, caplog):
    # A SQLite file in a folder that does not exist cannot be opened, as a server that is down
    # cannot be reached.
    unreachable = f"sqlite:///{tmp_path / 'missing' / 'app.sqlite3'}"
    client = create_app({**app.config, "SQLALCHEMY_DATABASE_URI": unreachable}).test_client()
    response = client.get("/ready")
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "unavailable",
        "reason": "the database does not answer",
    }
    assert "Not ready" in caplog.text
    assert client.get("/health").status_code == 200
