import json
import os
import re
import subprocess
import sys

import pytest

from shop import views


def test_health(client):
    # No django_db mark: a database query would fail this test, as liveness needs no database.
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert client.head("/health").status_code == 200


@pytest.mark.django_db
def test_ready_when_the_database_answers(rf):
    # The database's readiness: views.ready, which /ready answers with (and, where the site has
    # one, with Redis's too).
    response = views.ready(rf.get("/ready"))
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}


def test_not_ready_when_the_database_cannot_be_opened(tmp_path):
    # A SQLite file in a folder that does not exist cannot be opened, as a server that is down
    # cannot be reached. A fresh process, because the settings read TEST_DATABASE_URL once.
    script = (
        "import django; django.setup(); from django.test import Client; "
        "response = Client(HTTP_HOST='localhost').get('/ready'); "
        "print(response.status_code, response.content.decode())"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "TEST_DATABASE_URL": f"sqlite:///{tmp_path / 'missing' / 'db.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    status, body = result.stdout.strip().splitlines()[-1].split(" ", 1)
    assert status == "503"
    assert json.loads(body) == {"status": "unavailable", "reason": "the database does not answer"}
    # The reason, with its traceback, goes to the log on stdout (a JSON object per line).
    records = [json.loads(line) for line in result.stdout.strip().splitlines()[:-1]]
    (warning,) = [r for r in records if r["level"] == "WARNING"]
    assert re.fullmatch(r"\w+\.views", warning["logger"])
    assert warning["message"] == "Not ready: the database does not answer"
    assert warning["traceback"].startswith("Traceback (most recent call last)")


def run_with_settings(settings_module: str, script: str, **env: str) -> str:
    """Run `script` in a fresh process with `settings_module` and `env`; return its stdout."""
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {script}"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": settings_module, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_not_ready_while_migrations_are_unapplied(tmp_path):
    # A new, empty database: it answers, but every page would fail.
    output = run_with_settings(
        "config.test_settings",
        "from django.test import Client; "
        "response = Client(HTTP_HOST='localhost').get('/ready'); "
        "print(response.status_code, response.content.decode())",
        TEST_DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}",
    )
    status, body = output.strip().splitlines()[-1].split(" ", 1)
    assert status == "503"
    assert json.loads(body) == {
        "status": "unavailable",
        "reason": "the database has migrations to apply",
    }
    assert "Not ready: the database has migrations to apply" in output


def test_sqlite_files_use_write_ahead_logging_and_wait_for_the_write_lock(tmp_path):
    output = run_with_settings(
        "config.settings",
        "from django.db import connection; cursor = connection.cursor(); "
        "cursor.execute('PRAGMA journal_mode'); print(cursor.fetchone()[0]); "
        "cursor.execute('PRAGMA busy_timeout'); print(cursor.fetchone()[0]); "
        "print(connection.settings_dict['CONN_HEALTH_CHECKS'])",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DJANGO_SECRET_KEY="test-only-not-secret",
    )
    assert output.split() == ["wal", "20000", "True"]


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
