"""Flask while Redis is down: the generated projects' own outage tests, with and without Redis in the answers, and
one real outage: gunicorn (2 workers), a Celery worker and beat, a real redis-server stopped and started again.

With Redis stopped, sign-in, the notes pages and the API list answer 200, a note is saved (302), `/ready` answers
200 naming Redis, and the cache's outage warning is logged once per worker, not once per request. With Redis back,
beat queues the count of the note written during the outage, `/ready` says "ok" again, and the sign-in rate limits
count in Redis again.
"""

import json
import re
import subprocess
import time
import urllib.error
import urllib.request

import pytest
from helpers import (
    LOAD_API_RATE,
    LoggedProcess,
    Visitor,
    answer_sets,
    production_env,
    redis_server,
    start_celery_worker,
    start_gunicorn,
)

pytestmark = pytest.mark.slow
EMAIL, PASSWORD = "boss@example.com", "a long enough passphrase"
# The schedule of beat in the real outage: every 2 s rather than 30, so the test waits little.
FAST_BEAT = {"requeue-uncounted-notes": {"task": "shop.tasks.requeue_uncounted", "schedule": 2}}


@pytest.mark.parametrize("name", answer_sets("flask-cache", "flask-tasks"))
def test_own_outage_tests_pass_with_redis(generate, name):
    project = generate(name)
    result = project.uv_run("pytest", "-q", "-p", "no:cacheprovider", "tests/test_redis_outage.py",
                            "tests/test_readiness.py")  # fmt: skip
    assert " passed" in result.stdout and "skipped" not in result.stdout


@pytest.mark.parametrize("name", answer_sets("flask-all"))
def test_nothing_of_it_without_redis(generate, name):
    project = generate(name)
    assert not (project.path / "tests" / "test_redis_outage.py").exists()
    assert not (project.path / "shop" / "caching.py").exists()
    assert "redis" not in (project.path / "shop" / "readiness.py").read_text().lower()
    assert "FALLBACK" not in (project.path / "shop" / "lockout.py").read_text()
    assert "degraded" not in (project.path / "README.md").read_text()


def get(port: int, path: str) -> tuple[int, dict]:
    """GET `path` from 127.0.0.1:`port` without cookies; return the status and the JSON body."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not within {timeout} s: {what}"
        time.sleep(0.5)


@pytest.mark.parametrize("name", answer_sets("flask-scale"))
def test_a_real_redis_outage_costs_no_request_and_no_count(generate, name, postgres_server, tmp_path):
    project = generate(name).sync()
    redis, redis_url = redis_server(tmp_path / "redis.log")
    redis_port = int(redis_url.rsplit(":", 1)[1].split("/")[0])
    env = production_env(
        project,
        postgres_server.create_database("degrade"),
        REDIS_URL=redis_url,
        FLASK_API_RATE=LOAD_API_RATE["flask"],
        FLASK_CELERY__beat_schedule=json.dumps(FAST_BEAT),
    )
    project.uv_run("flask", "--app", "shop", "create-admin", EMAIL, "--password", PASSWORD, env=env)
    processes = [redis]
    try:
        web, port = start_gunicorn(project, env, tmp_path / "web.log")
        processes.append(web)
        processes.append(start_celery_worker(project, env, tmp_path / "worker.log", "--pool", "solo"))
        beat = LoggedProcess(
            ["uv", "run", "--quiet", "celery", "--app", "make_celery", "beat", "--schedule",
             str(tmp_path / "celerybeat-schedule")],
            tmp_path / "beat.log", cwd=project.path, env=env,
        )  # fmt: skip
        processes.append(beat)
        assert get(port, "/ready") == (200, {"status": "ok"})
        visitor = Visitor(port, csrf_field="csrf_token")
        assert visitor.submit("/login", {"email": EMAIL, "password": PASSWORD})[0] == 302

        redis.stop()
        started = time.monotonic()
        reason = "Redis does not answer: pages are served without the cache; tasks are queued once it is back"
        assert get(port, "/ready") == (200, {"status": "degraded", "degraded": {"redis": reason}})
        assert time.monotonic() - started < 5
        for _ in range(5):
            assert visitor.request("GET", "/notes/")[0] == 200
            assert visitor.request("GET", "/api/notes")[0] == 200
        written = visitor.submit("/notes/", {"title": "Outage", "body": "written while Redis was down"})
        assert written[0] == 302
        page = visitor.request("GET", "/notes/")[2]
        assert "Outage" in page and "Words not counted yet." in page
        newcomer = Visitor(port, csrf_field="csrf_token")
        assert newcomer.submit("/login", {"email": EMAIL, "password": PASSWORD})[0] == 302
        assert newcomer.request("GET", "/api/notes")[0] == 200
        # However many requests missed the cache, each web worker warned once (the interval is a minute).
        assert 1 <= web.output().count("The cache misses: Redis does not answer") <= 2
        assert "not queued" in web.output()

        redis, _ = redis_server(tmp_path / "redis-again.log", port=redis_port)
        processes.append(redis)
        wait_until(lambda: get(port, "/ready") == (200, {"status": "ok"}), 30, "/ready says ok")
        wait_until(
            lambda: "5 words" in visitor.request("GET", "/notes/")[2], 90, "the note written in the outage is counted"
        )

        def limits_in_redis() -> bool:
            stranger = Visitor(port, csrf_field="csrf_token")
            stranger.submit("/login", {"email": f"x{time.monotonic_ns()}@example.com", "password": "wrong"})
            keys = subprocess.run(
                ["redis-cli", "-u", redis_url, "--scan", "--pattern", "LIMITS*"],
                capture_output=True, text=True, check=True,
            ).stdout  # fmt: skip
            return bool(re.search(r"security\.login", keys))

        # Flask-Limiter checks its storage again after 2, 4, 8 ... s, at the next limited request.
        wait_until(limits_in_redis, 90, "the sign-in rate limit counts in Redis again")
        assert web.running()
    finally:
        for process in reversed(processes):
            process.stop()
