"""Django with Redis (the cache, the task queue or both): a Redis outage costs speed, not service; and, in both
flavours, exactly one Celery beat is deployed.

Each answer set's own outage tests pass (tests/test_redis_outage.py in the project: a dead cache, a dead broker,
/ready degraded), and nothing of it is generated without Redis. Then for real: the project under gunicorn with its
production settings, PostgreSQL and a redis-server that the test stops; pages, sign-in and the API keep answering,
a note is saved, and /ready names Redis.
"""

import json
import re

import pytest
import yaml
from helpers import Visitor, answer_sets, production_env, redis_server, start_gunicorn

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("django")]


@pytest.mark.parametrize("name", ["django-cache", "django-tasks", "django-api-scale"])
def test_the_projects_own_outage_tests_pass(generate, name):
    project = generate(name).sync()
    result = project.uv_run(
        "pytest", "-q", "-p", "no:cacheprovider", "tests/test_redis_outage.py", "tests/test_pages.py"
    )
    assert " passed" in result.stdout and "failed" not in result.stdout, result.stdout


@pytest.mark.parametrize("name", answer_sets("django-scale"))
def test_the_cache_is_django_redis(generate, name):
    assert '"django-redis==7.0.0"' in (generate(name).path / "pyproject.toml").read_text()


def test_without_redis_nothing_of_it_is_generated(generate):
    project = generate("django")
    assert "django-redis" not in (project.path / "pyproject.toml").read_text()
    assert not (project.path / "shop" / "log_throttle.py").exists()
    assert not (project.path / "tests" / "test_redis_outage.py").exists()
    assert "beat" not in yaml.safe_load((project.path / "compose.yaml").read_text())["services"]
    assert "degraded" not in (project.path / "shop" / "views.py").read_text()


@pytest.mark.parametrize("name", answer_sets("django-scale", "flask-scale"))
def test_exactly_one_beat_is_deployed(generate, name):
    project = generate(name)
    app = "config.celery_app" if name == "django-scale" else "make_celery"
    command = ["celery", "--app", app, "beat", "--loglevel", "INFO"]
    command += ["--schedule", "/tmp/celerybeat-schedule"]
    services = yaml.safe_load((project.path / "compose.yaml").read_text())["services"]
    assert services["beat"]["command"] == command and "deploy" not in services["beat"]
    beat = yaml.safe_load((project.path / "deploy" / "kubernetes" / "beat.yaml").read_text())
    assert beat["spec"]["replicas"] == 1 and beat["spec"]["strategy"] == {"type": "Recreate"}
    (container,) = beat["spec"]["template"]["spec"]["containers"]
    assert container["command"] == command
    # The schedule file goes to the one writable folder of the read-only container.
    assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"]


@pytest.mark.postgres
@pytest.mark.multiprocess
def test_with_redis_stopped_the_site_serves_and_ready_names_redis(generate, postgres_server, tmp_path):
    project = generate("django-scale").sync()
    redis, redis_url = redis_server(tmp_path / "redis.log")
    env = production_env(project, postgres_server.create_database("degraded"), REDIS_URL=redis_url)
    project.uv_run(
        "python", "manage.py", "shell", "-c",
        "from shop.users.models import User; User.objects.create_user(email='ada@example.com', "
        "password='correct horse battery staple')",
        env=env,
    )  # fmt: skip
    web, port = start_gunicorn(project, env, tmp_path / "web.log", "config.wsgi")
    try:
        visitor = Visitor(port)
        assert json.loads(visitor.request("GET", "/ready")[2]) == {"status": "ok"}
        redis.stop()

        status, _, body = visitor.request("GET", "/ready")
        ready = json.loads(body)
        assert status == 200 and ready["status"] == "degraded" and list(ready["degraded"]) == ["redis"], body
        assert visitor.request("GET", "/")[0] == 200
        status, headers, _ = visitor.submit(
            "/accounts/login/", {"username": "ada@example.com", "password": "correct horse battery staple"}
        )
        assert status == 302, headers
        assert visitor.request("GET", "/notes/")[0] == 200
        status, _, _ = visitor.submit("/notes/new/", {"title": "Written while down", "body": "three words here"})
        assert status == 302
        status, _, body = visitor.request("GET", "/notes/")
        assert status == 200 and "Written while down" in body
        assert visitor.request("GET", "/api/notes")[0] == 200
    finally:
        web.stop()
    log = web.output()
    assert not re.search(r'"status": 5\d\d', log), log
    assert "Could not queue the word count of note" in log
