"""Prometheus metrics of the background tasks, served by the Celery worker at
:METRICS_PORT/metrics (default 9000).

The worker's pool runs the tasks in child processes: each writes its counts to files in
PROMETHEUS_MULTIPROC_DIR, an existing folder of the worker's own, and the worker's main process
serves their sum (https://prometheus.github.io/client_python/multiprocess/). prometheus_client
reads that variable when it is first imported, before this module runs, so the worker's
environment sets it (compose.yaml, the Kubernetes worker); without it, the worker serves no
metrics. Only tasks that a worker runs are counted, not those run eagerly (in the tests).

- celery_tasks_total: the tasks run, labelled state (succeeded, failed or retried) and task,
  its name, such as "shop.tasks.count_words".
- celery_task_duration_seconds: a histogram of the time tasks ran, in seconds, labelled task and
  state.
"""

import logging
import os
import time
from pathlib import Path

from celery import Task
from celery.signals import task_postrun, task_prerun, worker_init
from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server
from prometheus_client.multiprocess import MultiProcessCollector

logger = logging.getLogger(__name__)

# The states a task run ends in, as Celery names them, and as the metrics do; any other (a task
# that raised Ignore or Reject) goes by its Celery name, lower-cased.
STATES = {"SUCCESS": "succeeded", "FAILURE": "failed", "RETRY": "retried"}

# Created when the worker starts (serve_metrics), in its main process, whose pool processes
# inherit them; None elsewhere.
tasks_total: Counter | None = None
task_duration: Histogram | None = None
# When each task running in this process started (time.perf_counter()), by task id.
started: dict[str, float] = {}


@worker_init.connect
def serve_metrics(**kwargs: object) -> None:
    """Count the tasks of this worker from now on, and serve the counts of its pool, summed, at
    :METRICS_PORT/metrics, from its main process. Counts left by an earlier run are deleted first:
    they would add to this one's."""
    global tasks_total, task_duration
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory:
        logger.warning("PROMETHEUS_MULTIPROC_DIR is not set: the tasks are not counted")
        return
    for stale in Path(directory).glob("*.db"):
        stale.unlink()
    # No registry: the counts go to the files, which the collector below sums.
    tasks_total = Counter(
        "celery_tasks", "Tasks run, by task name and end state.", ["task", "state"], registry=None
    )
    task_duration = Histogram(
        "celery_task_duration_seconds",
        "Time tasks ran, in seconds, by task name and end state.",
        ["task", "state"],
        registry=None,
    )
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    start_http_server(int(os.environ.get("METRICS_PORT", "9000")), registry=registry)


@task_prerun.connect
def start_clock(task_id: str, **kwargs: object) -> None:
    if tasks_total is not None:
        started[task_id] = time.perf_counter()


@task_postrun.connect
def count_task(task_id: str, task: Task, state: str, **kwargs: object) -> None:
    """Count a run of `task` by how it ended, and time it."""
    if tasks_total is None or task_duration is None:
        return
    seconds = time.perf_counter() - started.pop(task_id)
    ended = STATES.get(state, state.lower())
    tasks_total.labels(task.name, ended).inc()
    task_duration.labels(task.name, ended).observe(seconds)
