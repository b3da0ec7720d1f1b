import os
import subprocess
import sys


def test_health(client):
    # No django_db mark: a database query would fail this test, as liveness needs no database.
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert client.head("/health").status_code == 200


def test_index_renders_the_layout(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "<h1>" in response.text
    assert "/static/style.css" in response.text
    assert 'href="/accounts/login/"' in response.text


def test_static_files_are_served(client):
    response = client.get("/static/style.css")
    assert response.status_code == 200
    assert b".site-header" in b"".join(response.streaming_content)


def test_settings_refuse_to_load_without_a_secret_key():
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        env={**os.environ, "DJANGO_SECRET_KEY": "", "DJANGO_DEBUG": "false"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_SECRET_KEY is not set" in result.stderr
