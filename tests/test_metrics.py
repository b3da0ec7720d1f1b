"""Prometheus metrics, for real: each flavour's project with metrics on, under gunicorn with its production settings
and two workers, METRICS_PORT on a port of its own.

Requests to the app show in a scrape of METRICS_PORT, which gunicorn's master serves, by route and status, summed
over the workers that served them; GET /metrics on the app's public port is 404, so anonymous visitors cannot read them. With metrics off,
nothing of Prometheus is generated: no module, setting or dependency.

The Celery worker (with its prefork pool) serves the metrics of its tasks on a METRICS_PORT of its own: each task
shows, counted by name and end state (succeeded, failed, retried) and timed, whichever pool process ran it.
"""

import re
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from helpers import (
    CELERY_APPS,
    answer_sets,
    assert_pack_is_off,
    free_port,
    production_env,
    redis_server,
    start_celery_worker,
    start_gunicorn,
)

pytestmark = pytest.mark.slow

# name{label="value",...} value, as the Prometheus text format writes a sample.
SAMPLE = re.compile(r"^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?P<labels>.*)\})? (?P<value>\S+)$")
LABEL = re.compile(r'(?P<name>[a-zA-Z_][a-zA-Z0-9_]*)="(?P<value>(?:[^"\\]|\\.)*)"')

# The sample that counts GET requests by route and status, per flavour: its name, the label naming the route, and
# that label's value for /ready. Not /health: a request that waiting for the server gave up on may still be
# served, and counted, once a worker is up.
REQUESTS = {
    "flask": ("flask_http_request_duration_seconds_count", "endpoint", "readiness.ready"),
    "django": ("django_http_responses_total_by_status_view_method_total", "view", "ready"),
}


def samples(text: str) -> dict[tuple[str, frozenset], float]:
    """The samples of a scrape in the Prometheus text format, by name and labels."""
    found = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            match = SAMPLE.match(line)
            assert match, line
            labels = frozenset(LABEL.findall(match["labels"] or ""))
            found[match["name"], labels] = float(match["value"])
    return found


def get(port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.mark.multiprocess
@pytest.mark.parametrize("name", answer_sets("flask-observed", "django-observed"))
def test_a_scrape_of_the_metrics_port_shows_each_request_by_route_and_status(generate, tmp_path: Path, name):
    project = generate(name).sync()
    framework = project.answers["framework"]
    env = production_env(project, f"sqlite:///{tmp_path / 'db.sqlite3'}")
    metrics_port = free_port()
    web, port = start_gunicorn(project, {**env, "METRICS_PORT": str(metrics_port)}, tmp_path / "web.log")
    try:
        # Each on a connection of its own, which either worker may take.
        for _ in range(5):
            assert get(port, "/ready")[0] == 200
        assert get(port, "/metrics")[0] == 404
        status, scrape = get(metrics_port, "/metrics")
    finally:
        web.stop()

    assert status == 200
    found = samples(scrape)
    sample, route_label, ready = REQUESTS[framework]

    def requests(route: str | None, status: str) -> float:
        labels = {("method", "GET"), ("status", status)} | ({(route_label, route)} if route else set())
        return sum(value for (name, have), value in found.items() if name == sample and labels <= have)

    assert requests(ready, "200") == 5, scrape
    assert requests(ready, "503") == 0
    # The public port's /metrics: a request that matched no route, answered 404 and counted as such.
    assert requests(None, "404") == 1


# Tasks of the test, which the worker loads with --include: one that succeeds, one that fails, one retried once.
TASKS = """from celery import shared_task


@shared_task
def succeed():
    return 1


@shared_task
def fail():
    raise RuntimeError("raised by the test's task")


@shared_task(bind=True)
def retry_once(self):
    if not self.request.retries:
        raise self.retry(countdown=0)
"""

# Queues the tasks above, from a process of its own, with the project's Celery app as the worker's.
QUEUE = """import {celery_app}
from metered_tasks import fail, retry_once, succeed

succeed.delay()
succeed.delay()
fail.delay()
retry_once.delay()
"""


@pytest.mark.multiprocess
@pytest.mark.parametrize("name", answer_sets("flask-observed", "django-observed"))
def test_a_scrape_of_the_workers_metrics_port_counts_each_task_by_name_and_state(generate, tmp_path: Path, name):
    project = generate(name).sync()
    (tmp_path / "metered_tasks.py").write_text(TASKS)
    redis, redis_url = redis_server(tmp_path / "redis.log")
    processes = [redis]
    env = production_env(project, f"sqlite:///{tmp_path / 'db.sqlite3'}", REDIS_URL=redis_url, PYTHONPATH=str(tmp_path))
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    # Counts of an earlier run, which the worker deletes as it starts.
    (metrics_dir / "counter_99999.db").write_bytes(b"")
    metrics_port = free_port()
    worker_env = {**env, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir), "METRICS_PORT": str(metrics_port)}

    def tasks(task: str, state: str) -> float:
        labels = frozenset({("task", f"metered_tasks.{task}"), ("state", state)})
        return found.get(("celery_tasks_total", labels), 0.0)

    expected = {
        ("succeed", "succeeded"): 2,
        ("fail", "failed"): 1,
        ("retry_once", "retried"): 1,
        ("retry_once", "succeeded"): 1,
    }
    try:
        options = ["--pool", "prefork", "--concurrency", "2", "--include", "metered_tasks"]
        worker = start_celery_worker(project, worker_env, tmp_path / "worker.log", *options)
        processes.append(worker)
        assert not (metrics_dir / "counter_99999.db").exists()
        celery_app = CELERY_APPS[project.answers["framework"]]
        project.uv_run("python", "-c", QUEUE.format(celery_app=celery_app), env=env)
        deadline = time.monotonic() + 60
        while True:
            status, scrape = get(metrics_port, "/metrics")
            found = samples(scrape)
            if all(tasks(*key) == count for key, count in expected.items()) or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    finally:
        for process in reversed(processes):
            process.stop()

    assert status == 200
    assert {key: tasks(*key) for key in expected} == expected, worker.log.read_text()
    assert tasks("fail", "succeeded") == 0
    timed = frozenset({("task", "metered_tasks.succeed"), ("state", "succeeded")})
    assert found[("celery_task_duration_seconds_count", timed)] == 2
    assert found[("celery_task_duration_seconds_sum", timed)] > 0


@pytest.mark.parametrize("name", answer_sets("flask-scale", "django-scale"))
def test_without_metrics_nothing_of_prometheus_is_generated(generate, name):
    # The default for an MVP under modest load, recorded in the answers file (which names the template's path).
    assert_pack_is_off(generate(name).path, "metrics: none", ("prometheus", "metrics_port"))
