"""Error reporting to Sentry, for real: each flavour's project with Sentry on and Celery tasks, under gunicorn with its
production settings, a Celery worker and Redis on loopback, and SENTRY_DSN pointing at a local HTTP endpoint that
stands in for Sentry and keeps the envelopes it is sent.

A view that raises, for a user it has just signed in, with a password in the form and a token in the query string,
arrives there once, tagged with the request's `X-Request-ID`, without the user's email or the password; a task that
raises in the worker arrives once, tagged with the id of the request that queued it. With error tracking off, nothing
of Sentry is generated: no module, setting or dependency.

The views and the task under test are in modules beside the project (not in it, which other tests lint). The view
takes the email address from the form, so that the source lines sent around each frame do not hold it.
"""

import http.client
import json
import time
import urllib.parse
from pathlib import Path

import pytest
from helpers import (
    PostSink,
    answer_sets,
    assert_pack_is_off,
    production_env,
    redis_server,
    start_celery_worker,
    start_gunicorn,
)

pytestmark = pytest.mark.slow

EMAIL = "ada@example.com"
PASSWORD = "correct horse battery staple " + "x" * 8

TASKS = """from celery import shared_task


@shared_task
def fail():
    raise RuntimeError("raised by the test's task")
"""

FLASK_WSGI = """from flask import request
from flask_security import hash_password, login_user

from observed_tasks import fail
from shop import create_app
from shop.accounts import user_datastore
from shop.extensions import csrf, db

app = create_app()


@app.post("/boom")
@csrf.exempt
def boom():
    user = user_datastore.create_user(
        email=request.form["email"], password=hash_password(request.form["password"]), active=True
    )
    db.session.commit()
    login_user(user)
    owner = user.email
    raise RuntimeError("raised by the test's view")


@app.get("/queue")
def queue():
    fail.delay()
    return {"queued": True}
"""

DJANGO_SETTINGS = """from config.settings import *  # noqa: F403

ROOT_URLCONF = "observed_urls"
"""

DJANGO_URLS = """from django.contrib.auth import get_user_model, login
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config.urls import urlpatterns
from observed_tasks import fail


@csrf_exempt
def boom(request):
    user = get_user_model().objects.create_user(email=request.POST["email"], password=request.POST["password"])
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    owner = request.user.email
    raise RuntimeError("raised by the test's view")


def queue(request):
    fail.delay()
    return JsonResponse({"queued": True})


urlpatterns = [path("boom", boom), path("queue", queue), *urlpatterns]
"""


def envelope_items(body: bytes) -> list[tuple[dict, bytes]]:
    """The items of a Sentry envelope (https://develop.sentry.dev/sdk/data-model/envelopes/): a header line, then
    for each item a header line and its payload, `length` bytes long when the header says, else up to the next line
    break."""
    _, _, rest = body.partition(b"\n")
    items = []
    while rest.strip():
        line, _, rest = rest.partition(b"\n")
        header = json.loads(line)
        if "length" in header:
            payload, rest = rest[: header["length"]], rest[header["length"] + 1 :]
        else:
            payload, _, rest = rest.partition(b"\n")
        items.append((header, payload))
    return items


class SentryStandIn(PostSink):
    """Sentry's stand-in: a local endpoint that keeps what it is posted (helpers.PostSink)."""

    REPLY = b"{}"

    @property
    def dsn(self) -> str:
        return f"http://public@127.0.0.1:{self.port}/1"

    def events(self) -> list[dict]:
        """The events received so far, each posted to project 1's envelope endpoint."""
        assert {path for path, _, _ in self.received} <= {"/api/1/envelope/"}, self.received
        return [
            json.loads(payload)
            for _, _, body in list(self.received)
            for header, payload in envelope_items(body)
            if header["type"] == "event"
        ]

    def raw(self) -> str:
        return "\n".join(body.decode(errors="replace") for _, _, body in self.received)


def request(port: int, method: str, path: str, request_id: str, body: dict | None = None) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"X-Request-ID": request_id, "Cookie": "theme=cookie-value"}
    data = None
    if body is not None:
        data = urllib.parse.urlencode(body)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def wait_for(condition, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"no {what} within {timeout} s"
        time.sleep(0.3)


def by_message(events: list[dict], message: str) -> list[dict]:
    return [event for event in events if event["exception"]["values"][-1]["value"] == message]


@pytest.mark.multiprocess
@pytest.mark.parametrize("name", answer_sets("flask-observed", "django-observed"))
def test_errors_of_a_view_and_a_task_reach_sentry_once_with_the_request_id(generate, tmp_path: Path, name):
    project = generate(name).sync()
    django = project.answers["framework"] == "django"
    (tmp_path / "observed_tasks.py").write_text(TASKS)
    redis, redis_url = redis_server(tmp_path / "redis.log")
    processes = [redis]
    with SentryStandIn() as sentry:
        try:
            env = production_env(
                project,
                f"sqlite:///{tmp_path / 'db.sqlite3'}",
                REDIS_URL=redis_url,
                SENTRY_DSN=sentry.dsn,
                PYTHONPATH=str(tmp_path),  # the worker's; gunicorn's is --pythonpath
            )
            if django:
                (tmp_path / "observed_settings.py").write_text(DJANGO_SETTINGS)
                (tmp_path / "observed_urls.py").write_text(DJANGO_URLS)
                web_env, wsgi = {**env, "DJANGO_SETTINGS_MODULE": "observed_settings"}, []
            else:
                (tmp_path / "observed_wsgi.py").write_text(FLASK_WSGI)
                web_env, wsgi = env, ["observed_wsgi:app"]
            options = ["--pool", "solo", "--include", "observed_tasks"]
            worker = start_celery_worker(project, env, tmp_path / "worker.log", *options)
            processes.append(worker)
            web, port = start_gunicorn(project, web_env, tmp_path / "web.log", "--pythonpath", str(tmp_path), *wsgi)
            processes.append(web)
            assert sentry.events() == []  # starting up reports nothing

            form = {"email": EMAIL, "password": PASSWORD, "note": "body-value"}
            assert request(port, "POST", "/boom?token=query-value", "abc-123", form) == 500
            assert request(port, "GET", "/queue", "task-789") == 200
            wait_for(lambda: by_message(sentry.events(), "raised by the test's view"), "event of the view")
            wait_for(lambda: by_message(sentry.events(), "raised by the test's task"), "event of the task")
            # Stopped, each process sends what its SDK still holds: a second event of either would be there now.
            web.stop()
            worker.stop()
        finally:
            for process in reversed(processes):
                process.stop()

        events = sentry.events()
        assert len(events) == 2, [event["exception"]["values"][-1]["value"] for event in events]
        (view,) = by_message(events, "raised by the test's view")
        (task,) = by_message(events, "raised by the test's task")
        assert view["tags"]["request_id"] == "abc-123"
        assert task["tags"]["request_id"] == "task-789"
        assert {view["release"], task["release"]} == {"shop@0.1.0"}
        assert {view["environment"], task["environment"]} == {"production"}
        assert view["request"]["method"] == "POST"
        assert urllib.parse.urlsplit(view["request"]["url"]).path == "/boom"
        assert "user" not in view
        # Anywhere in what was sent: not the user's email, the password, the form, the query string or the cookie.
        raw = sentry.raw()
        for private in (EMAIL, PASSWORD, "body-value", "query-value", "cookie-value"):
            assert private not in raw, private


@pytest.mark.parametrize("name", answer_sets("flask-scale", "django-scale"))
def test_without_error_tracking_nothing_of_sentry_is_generated(generate, name):
    # The default for an MVP under modest load, recorded in the answers file (which names the template's path).
    assert_pack_is_off(generate(name).path, "error_tracking: none", ("sentry",))
