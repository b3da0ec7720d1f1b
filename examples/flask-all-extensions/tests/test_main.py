import secrets

import pytest

from shop import create_app


def test_health(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_health_touches_no_session(client):
    # Flask adds `Vary: Cookie` once anything reads the session, as loading a user does.
    response = client.get("/health")
    assert "Cookie" not in response.headers.get("Vary", "")
    assert "Set-Cookie" not in response.headers


def test_index_renders_the_layout(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "<h1>" in response.text
    assert "/static/style.css" in response.text


def test_not_found_is_a_page_for_browsers_and_json_for_the_api(client):
    page = client.get("/no-such-page", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert "<h1>404 Not Found</h1>" in page.text
    assert "/static/style.css" in page.text
    api = client.get("/api/no-such-thing")
    assert api.status_code == 404
    assert api.get_json() == {"error": "Not Found"}


def test_server_error_shows_no_traceback(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # TESTING re-raises otherwise

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret detail")

    response = client.get("/boom", headers={"Accept": "application/json"})
    assert response.status_code == 500
    assert response.get_json() == {"error": "Internal Server Error"}
    assert "secret detail" not in response.text


def test_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="FLASK_SECRET_KEY"):
        create_app()


def test_reads_settings_from_flask_environment_variables(monkeypatch):
    key = secrets.token_urlsafe(50)
    monkeypatch.setenv("FLASK_SECRET_KEY", key)
    monkeypatch.setenv("FLASK_LOG_LEVEL", "WARNING")
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.setenv("FLASK_SECURITY_PASSWORD_SALT", "salt")
    app = create_app()
    assert app.config["SECRET_KEY"] == key
    assert app.config["LOG_LEVEL"] == "WARNING"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite://"
