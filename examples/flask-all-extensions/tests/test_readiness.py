"""Readiness: /ready answers 503 while the database does not answer; /health never asks it."""

from shop import create_app


def test_ready_when_the_database_answers(client):
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
