"""Each flavour with Redis (the cache, the task queue or both): a Redis outage costs speed, not service; and exactly
one Celery beat is deployed. Each case runs against both flavours through their adapters (tests/flavours.py).

Each answer set's own outage tests pass (tests/test_*_outage.py in the project: a dead cache, a dead broker,
/ready degraded), and nothing of it is generated without Redis. Then one real outage: the project under gunicorn (2
workers) with its production settings, PostgreSQL and a redis-server that the test stops. With Redis stopped,
sign-in, the notes pages and the API list answer 200, a note is saved (302), `/ready` answers 200 naming Redis, and
the word count that could not be queued is logged. In Flask, with a Celery worker and beat as well: the cache's
outage warning is logged once per worker, not once per request; with Redis back, beat queues the count of the note
written during the outage, `/ready` says "ok" again, and the sign-in rate limits count in Redis again.
"""

import json
import re
import subprocess
import time
import urllib.error
import urllib.request

import pytest
import yaml
from flavours import ADMIN_EMAIL, ADMIN_PASSWORD, FLASK, of
from helpers import (
    LOAD_API_RATE,
    LoggedProcess,
    answer_sets,
    production_env,
    redis_server,
    start_celery_worker,
    start_gunicorn,
    wait_until,
)

pytestmark = pytest.mark.slow
# The schedule of Flask's beat in the real outage: every 2 s rather than 30, so the test waits little.
FAST_BEAT = {"requeue-uncounted-notes": {"task": "shop.tasks.requeue_uncounted", "schedule": 2}}


@pytest.mark.parametrize(
    "name", answer_sets("flask-cache", "flask-tasks", "django-cache", "django-tasks", "django-api-scale")
)
def test_the_projects_own_outage_tests_pass(generate, name):
    project = generate(name).sync()
    paths = sorted(
        {str(path.relative_to(project.path)) for p in of(name).outage_tests for path in project.path.glob(p)}
    )
    assert [path for path in paths if path.endswith("_outage.py")], paths
    result = project.uv_run("pytest", "-q", "-p", "no:cacheprovider", *paths)
    assert " passed" in result.stdout, result.stdout
    assert "failed" not in result.stdout and "skipped" not in result.stdout, result.stdout


@pytest.mark.parametrize("name", answer_sets("flask-all", "django"))
def test_without_redis_nothing_of_it_is_generated(generate, name):
    flavour, project = of(name), generate(name)
    assert not [path for path in flavour.no_redis_absent if (project.path / path).exists()]
    for path, word in flavour.no_redis_words:
        assert word not in (project.path / path).read_text(), (path, word)
    assert "beat" not in yaml.safe_load((project.path / "compose.yaml").read_text())["services"]


@pytest.mark.parametrize("name", answer_sets("django-scale"))
def test_the_django_cache_is_django_redis(generate, name):
    """Django only: Flask's cache is Flask-Caching's Redis backend (the project's own tests check it)."""
    assert '"django-redis==7.0.0"' in (generate(name).path / "pyproject.toml").read_text()


@pytest.mark.parametrize("name", answer_sets("django-scale", "flask-scale"))
def test_exactly_one_beat_is_deployed(generate, name):
    project = generate(name)
    command = ["celery", "--app", of(name).celery_app, "beat", "--loglevel", "INFO"]
    command += ["--schedule", "/tmp/celerybeat-schedule"]
    services = yaml.safe_load((project.path / "compose.yaml").read_text())["services"]
    assert services["beat"]["command"] == command and "deploy" not in services["beat"]
    beat = yaml.safe_load((project.path / "deploy" / "kubernetes" / "beat.yaml").read_text())
    assert beat["spec"]["replicas"] == 1 and beat["spec"]["strategy"] == {"type": "Recreate"}
    (container,) = beat["spec"]["template"]["spec"]["containers"]
    assert container["command"] == command
    # The schedule file goes to the one writable folder of the read-only container.
    assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"]


def get(port: int, path: str) -> tuple[int, dict]:
    """GET `path` from 127.0.0.1:`port` without cookies; return the status and the JSON body."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.postgres
@pytest.mark.multiprocess
@pytest.mark.parametrize("name", answer_sets("flask-scale", "django-scale"))
def test_a_real_redis_outage_costs_no_request(generate, name, postgres_server, tmp_path):
    flavour = of(name)
    project = generate(name).sync()
    redis, redis_url = redis_server(tmp_path / "redis.log")
    redis_port = int(redis_url.rsplit(":", 1)[1].split("/")[0])
    settings = {"REDIS_URL": redis_url, flavour.setting("API_RATE"): LOAD_API_RATE[flavour.name]}
    if flavour is FLASK:
        settings["FLASK_CELERY__beat_schedule"] = json.dumps(FAST_BEAT)
    env = production_env(project, postgres_server.create_database("degrade"), **settings)
    flavour.create_admin(project, env, ADMIN_EMAIL, ADMIN_PASSWORD)
    processes = [redis]
    try:
        web, port = start_gunicorn(project, env, tmp_path / "web.log", *flavour.wsgi_arguments)
        processes.append(web)
        if flavour is FLASK:
            processes.append(start_celery_worker(project, env, tmp_path / "worker.log", "--pool", "solo"))
            beat = LoggedProcess(
                ["uv", "run", "--quiet", "celery", "--app", flavour.celery_app, "beat", "--schedule",
                 str(tmp_path / "celerybeat-schedule")],
                tmp_path / "beat.log", cwd=project.path, env=env,
            )  # fmt: skip
            processes.append(beat)
        assert get(port, "/ready") == (200, {"status": "ok"})
        visitor = flavour.visitor(port)
        assert flavour.sign_in(visitor)[0] == 302

        redis.stop()
        started = time.monotonic()
        assert get(port, "/ready") == (200, {"status": "degraded", "degraded": {"redis": flavour.redis_down}})
        assert time.monotonic() - started < 5
        assert visitor.request("GET", "/")[0] == 200
        for _ in range(5):
            assert visitor.request("GET", "/notes/")[0] == 200
            assert visitor.request("GET", "/api/notes")[0] == 200
        written = visitor.submit(flavour.new_note_path, {"title": "Outage", "body": "written while Redis was down"})
        assert written[0] == 302
        assert "Outage" in visitor.request("GET", "/notes/")[2]
        newcomer = flavour.visitor(port)
        assert flavour.sign_in(newcomer)[0] == 302
        assert newcomer.request("GET", "/api/notes")[0] == 200
        assert flavour.not_queued_log in web.output()
        if flavour is FLASK:
            redis_comes_back_to_flask(visitor, web, port, redis_port, tmp_path, processes)
    finally:
        for process in reversed(processes):
            process.stop()
    log = web.output()
    assert '"status": 200' in log and not re.search(r'"status": 5\d\d', log), log


def redis_comes_back_to_flask(visitor, web, port: int, redis_port: int, tmp_path, processes: list) -> None:
    """The rest of the real outage in Flask: the note's page says its words are not counted yet, and each web worker
    warned once that the cache misses (the interval is a minute), however many requests missed it. Redis started
    again on its port: /ready says ok, beat queues the count of the note written in the outage, and Flask-Limiter,
    which checks its storage again after 2, 4, 8 ... s at the next limited request, counts sign-ins in Redis again."""
    assert "Words not counted yet." in visitor.request("GET", "/notes/")[2]
    assert 1 <= web.output().count("The cache misses: Redis does not answer") <= 2
    redis, redis_url = redis_server(tmp_path / "redis-again.log", port=redis_port)
    processes.append(redis)
    assert wait_until(lambda: get(port, "/ready") == (200, {"status": "ok"}), 30), "/ready says ok within 30 s"
    counted = wait_until(lambda: "5 words" in visitor.request("GET", "/notes/")[2], 90)
    assert counted, "the note written in the outage is counted within 90 s"

    def limits_in_redis() -> bool:
        stranger = FLASK.visitor(port)
        stranger.submit("/login", {"email": f"x{time.monotonic_ns()}@example.com", "password": "wrong"})
        keys = subprocess.run(
            ["redis-cli", "-u", redis_url, "--scan", "--pattern", "LIMITS*"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        return bool(re.search(r"security\.login", keys))

    assert wait_until(limits_in_redis, 90), "the sign-in rate limit counts in Redis again within 90 s"
    assert web.running()
