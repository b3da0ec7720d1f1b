"""Logs in production, followed by one request id: each flavour's project with Celery tasks under gunicorn, its
production settings, a Celery worker and Redis on loopback.

A request sent with `X-Request-ID: abc-123` gets it back; every line that the app writes for it is one JSON object
with `request_id: "abc-123"`, a 500's traceback included (in a field of its record, not as lines of its own); the
task that the request queued logs the same id in the worker. gunicorn writes no access log, only its own messages.

The views under test are the project's own plus two, in modules beside the project (not in it, which other tests
lint): one that raises, and one that adds a note, which queues the note's word count as the project does.
"""

import http.client
import json
import re
import time
from pathlib import Path

import pytest
from helpers import (
    answer_sets,
    production_env,
    redis_server,
    start_celery_worker,
    start_gunicorn,
)

pytestmark = [pytest.mark.slow, pytest.mark.multiprocess]

FLASK_WSGI = """from shop import create_app
from shop.extensions import db
from shop.models import Note

app = create_app()


@app.get("/boom")
def boom():
    raise RuntimeError("raised by the test's view")


@app.get("/count")
def count():
    note = Note(title="Counted", body="three short words")
    db.session.add(note)
    db.session.commit()
    return {"id": note.id}
"""

DJANGO_SETTINGS = """from config.settings import *  # noqa: F403

ROOT_URLCONF = "observed_urls"
"""

DJANGO_URLS = """from django.http import JsonResponse
from django.urls import path

from config.urls import urlpatterns
from shop.notes.models import Note


def boom(request):
    raise RuntimeError("raised by the test's view")


def count(request):
    note = Note.objects.create(title="Counted", body="three short words")
    return JsonResponse({"id": note.pk})


urlpatterns = [path("boom", boom), path("count", count), *urlpatterns]
"""

# gunicorn's own messages: "[2026-01-31 12:00:00 +0000] [1234] [INFO] Booting worker with pid: 1234".
GUNICORN_LINE = re.compile(r"\[[^]]+\] \[\d+\] \[[A-Z]+\] .*")


def fetch(port: int, path: str, request_id: str) -> tuple[int, http.client.HTTPMessage, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"X-Request-ID": request_id})
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode()
    finally:
        connection.close()


def records(log: Path) -> list[dict]:
    """The app's records in `log`, one JSON object per line; every other line must be gunicorn's own."""
    parsed = []
    for line in log.read_text().splitlines():
        if line.startswith("{"):
            parsed.append(json.loads(line))
        else:
            assert GUNICORN_LINE.fullmatch(line), f"neither JSON nor gunicorn's: {line!r}"
    return parsed


@pytest.mark.parametrize("name", answer_sets("flask-tasks", "django-tasks"))
def test_one_request_id_through_gunicorn_and_the_worker(generate, tmp_path, name):
    project = generate(name).sync()
    django = project.answers["framework"] == "django"
    redis, redis_url = redis_server(tmp_path / "redis.log")
    processes = [redis]
    try:
        env = production_env(project, f"sqlite:///{tmp_path / 'db.sqlite3'}", REDIS_URL=redis_url)
        if django:
            (tmp_path / "observed_settings.py").write_text(DJANGO_SETTINGS)
            (tmp_path / "observed_urls.py").write_text(DJANGO_URLS)
            web_env, wsgi = {**env, "DJANGO_SETTINGS_MODULE": "observed_settings"}, []
        else:
            (tmp_path / "observed_wsgi.py").write_text(FLASK_WSGI)
            web_env, wsgi = env, ["observed_wsgi:app"]
        worker = start_celery_worker(project, env, tmp_path / "worker.log", "--pool", "solo")
        processes.append(worker)
        web_log = tmp_path / "web.log"
        web, port = start_gunicorn(project, web_env, web_log, "--pythonpath", str(tmp_path), *wsgi)
        processes.append(web)

        status, headers, body = fetch(port, "/count", "abc-123")
        assert status == 200, body
        assert headers["X-Request-ID"] == "abc-123"
        note_id = json.loads(body)["id"]
        status, headers, body = fetch(port, "/boom", "boom-456")
        assert status == 500, body
        assert headers["X-Request-ID"] == "boom-456"
        assert "raised by the test's view" not in body
        # Longer than the app takes an id: replaced. Longer than gunicorn takes a header field (8190 bytes):
        # refused before the app, 431 Request Header Fields Too Large; neither echoed.
        status, headers, _ = fetch(port, "/health", "a" * 201)
        assert status == 200 and re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-ID"])
        status, headers, _ = fetch(port, "/health", "a" * 10_000)
        assert status == 431 and "a" * 201 not in str(headers)

        counted = f"Note {note_id} has 3 words"
        deadline = time.monotonic() + 60
        while counted not in worker.output() and time.monotonic() < deadline:
            time.sleep(0.3)
        web.stop()  # every line written
        worker.stop()

        served = records(web_log)
        (count_line,) = [r for r in served if r.get("path") == "/count"]
        assert (count_line["method"], count_line["status"], count_line["level"]) == ("GET", 200, "INFO")
        assert count_line["duration_ms"] > 0
        assert count_line.get("user_id") is None  # nobody signed in
        boom = [r for r in served if r["request_id"] == "boom-456"]
        (failure,) = [r for r in boom if r["level"] == "ERROR"]
        assert failure["message"] == ("Internal Server Error: /boom" if django else "Exception on /boom [GET]")
        assert failure["traceback"].startswith("Traceback (most recent call last):")
        assert failure["traceback"].endswith("RuntimeError: raised by the test's view")
        assert [r["status"] for r in boom if "status" in r] == [500]
        # Every record that names either request carries its id.
        for path, request_id in (("/count", "abc-123"), ("/boom", "boom-456")):
            assert {r["request_id"] for r in served if path in r["message"]} == {request_id}, path
        assert [r for r in served if r["request_id"] == "abc-123"] == [count_line]

        worked = [json.loads(line) for line in worker.output().splitlines() if counted in line]
        assert [(r["message"], r["request_id"]) for r in worked] == [(counted, "abc-123")], worker.output()
    finally:
        for process in reversed(processes):
            process.stop()
